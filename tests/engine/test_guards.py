"""Rule guards (``# guard: ASK { … }`` in a rule's header): a cheap ASK the fast path runs
before the rule, skipping it when false. A guard must be *necessary*: true whenever its rule can
derive anything. The loader refuses guards that are not ASK queries or read what their rule does
not read; necessity is checked here on data, for every shipped rule that has a guard."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib.namespace import PROV

from reasoner.errors import RuleError
from reasoner.knowledge.namespaces import GRAPH_DERIVED
from reasoner.knowledge.paths import EXAMPLES_DIR
from reasoner.pipeline import Pipeline
from reasoner.rules.engine import RuleEngine, load_rules
from reasoner.rules.terms import has_quad, to_oxigraph
from reasoner.rules.workspace import Workspace, new_workspace

from benchmarks.support.baseline import patient_units
from benchmarks.support.scenarios.pseudo import AS_OF, PREFIX, SCENARIOS
from benchmarks.support.synthetic import generate_cohort

EX = "http://e/"
RULE_HEAD = "# intent: flag\n# inputs: ex:lab\n# source: test\n"


def _rule(d: Path, guard: str, where: str = "?l ex:lab ?v . FILTER(?v > 5)") -> Path:
    (d / "flag.rq").write_text(RULE_HEAD + f"# guard: {guard}\nPREFIX ex: <{EX}>\n"
                               f"CONSTRUCT {{ ?l ex:high true }} WHERE {{ {where} }}\n")
    return d


def _ws(value: int) -> Workspace:
    ws = new_workspace("oxigraph")
    ws.add_asserted(f'<{EX}l> <{EX}lab> "{value}"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'.encode())
    return ws


def test_a_false_guard_skips_the_rule_on_the_fast_path_only(tmp_path: Path) -> None:
    rules = load_rules(_rule(tmp_path, "ASK { ?l ex:lab ?v . FILTER(?v > 5) }"))
    assert rules[0].guard.startswith("PREFIX ex:")
    fast = RuleEngine(rules, backend="oxigraph", checked=False)
    low, high = _ws(3), _ws(7)
    assert fast.run(low).skipped == ["flag"] and len(low.derived_graph()) == 0
    assert fast.run(high).skipped == [] and len(high.derived_graph()) == 2
    checked = RuleEngine(rules, backend="oxigraph", checked=True)
    assert checked.run(_ws(3)).skipped == []  # the reference path never skips


def test_a_guard_must_be_an_ask(tmp_path: Path) -> None:
    with pytest.raises(RuleError, match="ASK"):
        load_rules(_rule(tmp_path, "SELECT * WHERE { ?l ex:lab ?v }"))


def test_a_guard_must_read_only_what_its_rule_reads(tmp_path: Path) -> None:
    with pytest.raises(RuleError, match="reads what the rule does not"):
        load_rules(_rule(tmp_path, "ASK { ?l ex:other ?v }"))


def _patients() -> list[bytes]:
    """Every pseudo-resistance scenario and every example, one patient graph each."""
    units = [(PREFIX + s.turtle()).encode() for s in SCENARIOS]
    units += [p.read_bytes() for p in sorted(EXAMPLES_DIR.glob("*.ttl"))]
    return units


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> list[bytes]:
    out = tmp_path_factory.mktemp("guards")
    generate_cohort(out, 150, seed=31, patients_per_turtle_file=150)
    return [nt for _, nt in patient_units(out / "turtle", 150)]


def test_every_shipped_guard_holds_whenever_its_rule_derives(generated: list[bytes]) -> None:
    guarded = [r for r in load_rules() if r.guard]
    assert len(guarded) >= 5
    # the reference order without skipping: every rule runs, then each guard is asked (its
    # inputs are complete by then: every rule that writes them runs before its rule)
    pipe = Pipeline(as_of=AS_OF, backend="oxigraph", validator=None, checked=True)
    derived = to_oxigraph(GRAPH_DERIVED)
    fired = {r.name: 0 for r in guarded}
    for data, fmt in [(d, "turtle") for d in _patients()] + [(d, "nt") for d in generated]:
        ws = pipe.assess(data, format=fmt, derived="none", keep_workspace=True).workspace
        for rule in guarded:
            if has_quad(ws.store, None, to_oxigraph(PROV.wasGeneratedBy), to_oxigraph(rule.iri), derived):
                fired[rule.name] += 1
                assert ws.ask(rule.guard), f"guard of {rule.name} is false but the rule derived facts"
    # each guarded rule fired on some patient, so each guard was really put to the test
    assert all(fired.values()), fired
