"""The rule engine: runs an ordered rule set over a workspace, to a fixpoint or in one fast pass.

Why: rules are data (docs/data-model.md §7): a new rule is a new file in ``queries/infer/``, no
Python change. :mod:`reasoner.rules.rule` parses a file, :mod:`reasoner.rules.ordering` orders the
set, and this module runs it over a :class:`~reasoner.rules.workspace.Workspace` (either SPARQL
backend: the same rule text runs on Oxigraph and rdflib).

    engine = RuleEngine(load_rules(), backend="oxigraph")  # or "rdflib"
    stats = engine.run(workspace)                           # RunStats(triples per rule, passes)

Every triple a rule produces goes to the derived graph; each template is extended with
``?s prov:wasGeneratedBy rule:<stem>`` for every subject variable (``Rule.construct_text``), and the
rule metadata (``a trd:InferenceRule; rdfs:label; dcterms:source; trd:queryFile``) goes into the
rules graph.

Writing rules that scale on Oxigraph (each pattern below made a rule quadratic or worse on
1,000-patient shards): never join a triple pattern on an IRI computed by ``BIND`` (join through a
real link such as ``?trial trd:adequacyFinding ?f``, made once by ``finding-nodes.rq``); avoid
``EXISTS``/``NOT EXISTS`` evaluated per row (aggregate over a ``UNION`` with a zero branch
instead); avoid joining two subqueries (pack what one aggregate picks into a string key). Every
rule stays patient-local: it joins through ``trd:patient`` or a trial, so a shard costs time
linear in its size.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS

from reasoner.errors import RuleError
from reasoner.knowledge.namespaces import GRAPH_RULES, TRD
from reasoner.rules.analysis import ANY, Key
from reasoner.rules.ordering import feeding_pairs, order_rules
from reasoner.rules.rule import Rule, compact_query, load_rules
from reasoner.rules.workspace import BACKENDS


@dataclass
class RunStats:
    """What one run produced: new triples per rule and the number of passes."""

    triples: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    passes: int = 0
    skipped: list[str] = field(default_factory=list)   # rules not run: a required input was absent

    @property
    def total(self) -> int:
        return sum(self.triples.values())


def rules_metadata(rules: Iterable[Rule]) -> Graph:
    """The rules graph: ``rule:<stem> a trd:InferenceRule; rdfs:label; dcterms:source; trd:queryFile``."""
    g = Graph()
    for r in rules:
        g.add((r.iri, RDF.type, TRD.InferenceRule))
        g.add((r.iri, RDFS.label, Literal(r.intent)))
        g.add((r.iri, DCTERMS.source, Literal(r.source)))
        g.add((r.iri, TRD.queryFile, Literal(r.query_file)))
    return g


class RuleEngine:
    """Runs an ordered rule set over a Workspace of the same backend (see module docstring).

    ``checked=True`` (the default, and always on rdflib, the reference engine): every rule is a
    CONSTRUCT whose triples are added one by one, new triples are counted per rule, and a rule
    whose inputs grew after it ran is run again until nothing changes (the fixpoint safety net).

    ``checked=False`` (the cohort fast path, Oxigraph only): one pass in the stratified order,
    each rule's CONSTRUCT serialised and loaded into the derived graph inside Oxigraph
    (``Workspace.derive``), so no triple crosses into Python; per-rule triple counts are not
    known (``RunStats.triples`` stays 0). Refusing cycles already makes
    one pass the fixpoint; the differential test (tests/cohort/test_differential.py) checks that
    this path derives exactly what the checked rdflib path derives.
    """

    def __init__(self, rules: Iterable[Rule] | None = None, backend: str = "oxigraph", checked: bool = True,
                 ontology: Graph | None = None) -> None:
        """``ontology``: the class hierarchy that resolves ``("sub", C)`` requirements (some
        instance of C or of a subclass); without it they are not used to skip a rule."""
        rules = list(load_rules() if rules is None else rules)
        # Which rule feeds which depends only on the rule set: computed once here, for the order
        # and for every run (it was over half of a warm one-patient call).
        self._feeds = feeding_pairs(rules)
        self.rules = order_rules(rules, self._feeds)
        if backend not in BACKENDS:
            raise RuleError(f"unknown SPARQL backend {backend!r} (expected one of {', '.join(BACKENDS)})")
        self.backend = backend
        #: whether the fast path (rules derived inside the store, rules skipped) can run at all
        self.fast = BACKENDS[backend].in_store_derivation
        self.checked = checked or not self.fast
        self._metadata = rules_metadata(self.rules)
        # serialised once: every fresh workspace loads it (each cohort batch, each renewed warm one)
        self._metadata_nt = self._metadata.serialize(format="nt", encoding="utf-8")
        # The text each rule runs as, built once (provenance in the template; see Rule).
        self._construct = {r.name: compact_query(r.construct_text) for r in self.rules}
        self._guards = {r.name: compact_query(r.guard) for r in self.rules if r.guard}
        # ("sub", C) -> the classes whose instances satisfy it (C and its ontology subclasses);
        # unresolvable when no ontology is given or a rule itself writes rdfs:subClassOf.
        writes_hierarchy = any(RDFS.subClassOf in r.writes or ANY in r.writes for r in self.rules)
        self._classes: dict[str, tuple[Any, ...]] = {}
        for r in self.rules:
            for key in r.requires.union(*r.alternatives):
                if isinstance(key, tuple) and key[0] == "sub" and ontology is not None and not writes_hierarchy:
                    self._classes[str(key[1])] = tuple(
                        ox.NamedNode(str(c)) for c in sorted(ontology.transitive_subjects(RDFS.subClassOf, key[1]))
                        if isinstance(c, URIRef))
        # the lookups each rule's requirements need, as Oxigraph terms made once (not per call)
        self._requires = {r.name: self._lookups(r.requires) for r in self.rules} if self.fast else {}
        # the alternatives as lookups; one that is left empty (an unresolvable class) is always
        # met, so the rule's alternatives then say nothing
        self._alternatives: dict[str, tuple[tuple[Key, ...], ...]] = {}
        if self.fast:
            for r in self.rules:
                alternatives = tuple(self._lookups(alt) for alt in r.alternatives)
                self._alternatives[r.name] = alternatives if all(alternatives) else ()

    def _lookups(self, keys: Iterable[Key]) -> tuple[Key, ...]:
        """Requirement keys as lookups (Oxigraph terms), less the classes that cannot be resolved."""
        return tuple(_as_lookup(k) for k in sorted(keys, key=str)
                     if not (isinstance(k, tuple) and k[0] == "sub" and str(k[1]) not in self._classes))

    def static_inputs(self, workspace: Any, graphs: Iterable[URIRef]) -> frozenset:
        """The rules' required inputs that these named graphs of a workspace already hold.

        Why: a pipeline's ontology and policy graphs are the same in every workspace it makes and
        no call changes them, so the inputs found there are present in every call; looking them
        up once per pipeline instead of once per call saves a third of the lookups of a warm
        one-patient call. Oxigraph only (the fast path is the only one that skips rules).
        """
        if not self.fast:
            return frozenset()
        graphs = tuple(graphs)
        keys = {k for r in self.rules for k in self._requires[r.name]}
        keys |= {k for alts in self._alternatives.values() for alt in alts for k in alt}
        return frozenset(k for k in keys if any(self._held(workspace, k, g) for g in graphs))

    def add_metadata(self, workspace: Any) -> None:
        """Load the rules graph (each rule's label, source and query file) unless it is there."""
        if workspace.is_empty(GRAPH_RULES):
            workspace.add_graph(GRAPH_RULES, self._metadata_nt, "nt")

    def run(self, workspace: Any, known_present: frozenset = frozenset()) -> RunStats:
        """Run every rule in order (to a fixpoint when checked); see the class docstring.

        ``known_present``: required inputs the caller knows the workspace holds (see
        ``static_inputs``); the fast path does not look them up again.
        """
        if workspace.backend != self.backend:
            raise RuleError(f"workspace uses {workspace.backend!r} but the engine runs on {self.backend!r}")
        self.add_metadata(workspace)
        if not self.checked:
            return self._run_once(workspace, known_present)
        stats = RunStats(triples={r.name: 0 for r in self.rules})
        pending = list(self.rules)
        max_passes = len(self.rules) + 2
        while pending:
            stats.passes += 1
            if stats.passes > max_passes:
                raise RuleError("rules did not reach a fixpoint: " + ", ".join(r.name for r in pending))
            grown: list[tuple[int, Rule]] = []   # (position, rule) of rules that added triples
            for position, rule in enumerate(pending):
                started = time.perf_counter()
                try:
                    triples = workspace.construct(self._construct[rule.name])
                except Exception as exc:  # a backend error in a rule is a rule-set problem
                    raise _rule_failed(rule, exc) from exc
                new = workspace.add_derived(triples) if triples else 0
                stats.seconds[rule.name] = stats.seconds.get(rule.name, 0.0) + time.perf_counter() - started
                if new:
                    stats.triples[rule.name] += new
                    grown.append((position, rule))
            # A rule must run again only if a rule after it in this pass wrote what it reads.
            pending = [r for i, r in enumerate(pending)
                       if any(j > i and (w.name, r.name) in self._feeds for j, w in grown)]
        return stats

    def _run_once(self, workspace: Any, known_present: frozenset = frozenset()) -> RunStats:
        """One pass, each rule derived inside the store (``checked=False``)."""
        stats = RunStats(triples={r.name: 0 for r in self.rules}, passes=1)
        # The precomputed hierarchy holds only while no other graph adds rdfs:subClassOf.
        hierarchy = workspace.subclass_closure_is_static()
        # Inputs found present stay present for the rest of the pass (a rule only adds triples),
        # so each is looked up once per pass, not once per rule that needs it (~150 -> ~60
        # lookups in a one-patient call). An absent input is looked up again: a rule may add it.
        present: set[Key] = set(known_present)
        for rule in self.rules:
            started = time.perf_counter()
            if not (all(self._present(workspace, key, hierarchy, present) for key in self._requires[rule.name])
                    and self._any_alternative(workspace, rule.name, hierarchy, present)
                    and (not rule.guard or workspace.ask(self._guards[rule.name]))):
                stats.skipped.append(rule.name)
                continue
            try:
                workspace.derive(self._construct[rule.name])
            except Exception as exc:
                raise _rule_failed(rule, exc) from exc
            stats.seconds[rule.name] = time.perf_counter() - started
        return stats


    def _any_alternative(self, workspace: Any, name: str, hierarchy: bool, seen: set[Key]) -> bool:
        """Whether every input of some alternative of a rule is present (true when it has none)."""
        alternatives = self._alternatives.get(name, ())
        return not alternatives or any(all(self._present(workspace, key, hierarchy, seen) for key in alt)
                                       for alt in alternatives)

    def _present(self, workspace: Any, key: Key, hierarchy: bool, seen: set[Key]) -> bool:
        """Whether a required input can match: ``("sub", C)`` through the ontology's classes.
        ``seen`` holds the inputs already found present in this pass (and gains this one)."""
        if key in seen:
            return True
        sub = isinstance(key, tuple) and key[0] == "sub"
        found = (sub and not hierarchy) or self._held(workspace, key)
        if found:
            seen.add(key)
        return found


    def _held(self, workspace: Any, key: Key, graph: URIRef | None = None) -> bool:
        """Whether the workspace (or one named graph of it) holds a match for one lookup key;
        ``("sub", C)`` is some instance of C or of one of its ontology subclasses."""
        if isinstance(key, tuple) and key[0] == "sub":
            return any(workspace.has(("type", c), graph) for c in self._classes[key[1].value])
        return workspace.has(key, graph)


def _as_lookup(key: Key) -> Key:
    """A requirement key with its IRIs as pyoxigraph terms (what ``Workspace.has`` looks up)."""
    if isinstance(key, tuple):
        return (key[0], *(ox.NamedNode(str(term)) for term in key[1:]))
    return ox.NamedNode(str(key))


def _rule_failed(rule: Rule, exc: Exception) -> RuleError:
    first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return RuleError(f"rule {rule.name} failed: {first}")


__all__ = ["RuleEngine", "RunStats", "rules_metadata", "load_rules", "order_rules", "Rule"]
