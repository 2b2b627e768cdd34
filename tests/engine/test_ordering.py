"""Which rule feeds which: the grouped-key test (``feeding_pairs``) gives exactly the answer of
trying :func:`reasoner.rules.analysis.matches` on every written and read key, on the project's
rules and on generated key sets (the kinds of key the analysis makes: terms, ANY, (kind, term))."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import RDF, RDFS, URIRef

from reasoner.knowledge.paths import INFER_DIR
from reasoner.rules import load_rules
from reasoner.rules.analysis import ANY, matches
from reasoner.rules.ordering import feeding_pairs, feeds


def brute_force(rules: list) -> set[tuple[str, str]]:
    return {(a.name, b.name) for a in rules for b in rules
            if any(matches(w, r) for w in a.writes for r in b.reads)}


def test_the_project_rules() -> None:
    rules = load_rules(INFER_DIR)
    pairs = feeding_pairs(rules)
    assert pairs == brute_force(rules)
    assert len(pairs) > len(rules)  # the rule set is layered: many rules feed others
    assert all(feeds(a, b) == ((a.name, b.name) in pairs) for a in rules for b in rules)


@dataclass(frozen=True)
class FakeRule:
    name: str
    reads: frozenset
    writes: frozenset


TERMS = [URIRef(f"https://example.org/{c}") for c in "abc"] + [RDF.type, RDFS.subClassOf, ANY]
KEYS = st.one_of(st.sampled_from(TERMS), st.tuples(st.sampled_from(["sub", "type"]), st.sampled_from(TERMS)))
RULE_KEYS = st.frozensets(KEYS, max_size=4)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(RULE_KEYS, RULE_KEYS), min_size=1, max_size=5))
def test_generated_key_sets(sides: list) -> None:
    rules = [FakeRule(f"r{i}", reads, writes) for i, (reads, writes) in enumerate(sides)]
    assert feeding_pairs(rules) == brute_force(rules)
