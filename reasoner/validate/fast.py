"""The fast SHACL validator: the project's shapes compiled to SPARQL and run in Oxigraph.

Why: pySHACL evaluates one focus node at a time in Python, tens of milliseconds per trial for a
SHACL-SPARQL constraint (benchmarks/results/validate_fast.json), far too slow for cohorts. Every check is a set operation, so
each constraint is compiled *once* into SPARQL over *all* focus nodes (``$this`` unbound, joined
with the shape's target), and Oxigraph runs it. The property shapes of one target share their
queries (``_TargetChecks``: value checks as UNION branches, cardinalities as one grouped count),
because Oxigraph compiles every text it runs. The result is a SHACL
validation report graph that is isomorphic to pySHACL's (same focus node, path, value, source
shape, constraint component, severity, message); ``tests/shapes/test_fast_equivalence.py`` proves
it on every fixture and on a generated multi-patient graph.

Only the SHACL features the project's shapes use are compiled; anything else raises
:class:`UnsupportedShapeError`, so nobody adds a feature to a shape that this validator would
silently ignore. Supported: ``sh:targetClass``, ``sh:targetSubjectsOf``, ``sh:targetNode``; simple
IRI paths; ``sh:minCount``, ``sh:maxCount``, ``sh:datatype``, ``sh:class``, ``sh:nodeKind``,
``sh:minInclusive``, ``sh:maxInclusive``, ``sh:minExclusive``, ``sh:maxExclusive``, ``sh:in``,
``sh:pattern``, ``sh:lessThan``, ``sh:lessThanOrEquals``, ``sh:or`` (on node shapes) and
``sh:sparql`` SELECT constraints on node shapes.

Where SPARQL and pySHACL could disagree on odd literals (ill-typed values, incomparable types),
SPARQL only *pre-selects* candidate values that are not surely conforming, and the final verdict for
those few candidates uses pySHACL's own comparison rules in Python. Well-formed data never needs it.

API::

    fv = FastValidator(shapes_graph, ontology_graph, policy_graph)   # compile once
    conforms, report_graph, results = fv.validate(store_or_graph)     # run many times

An ``rdflib.Graph`` is copied into a fresh store with the ontology and policy (the same data graph
pySHACL gets). A ``pyoxigraph.Store`` (the pipeline's workspace) is queried as the union of its
named graphs; when it has no ontology or policy named graph, they are added to it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from reasoner.errors import TrdError
from reasoner.knowledge.namespaces import GRAPH_ONTOLOGY, GRAPH_POLICY, SH
from reasoner.knowledge.namespaces import GRAPH_ASSERTED, GRAPH_DERIVED
from reasoner.rules.terms import OX_RDF_TYPE, has_quad, subclass_closure_is_static, to_rdflib
from reasoner.validate.report import Validation, result_record, results_from_report, sort_records

#: Shape-level predicates that carry no constraint (documentation, grouping, metadata).
_NON_CONSTRAINT = {
    RDF.type, RDFS.comment, RDFS.label, RDFS.seeAlso, DCTERMS.source, SKOS.definition,
    SH.severity, SH.message, SH.name, SH.description, SH.order, SH.group, SH.deactivated,
    SH.targetClass, SH.targetSubjectsOf, SH.targetNode, SH.path, SH.property,
}
_NODE_KIND_TESTS = {
    SH.IRI: "isIRI(?v)", SH.BlankNode: "isBlank(?v)", SH.Literal: "isLiteral(?v)",
    SH.BlankNodeOrIRI: "(isBlank(?v) || isIRI(?v))", SH.BlankNodeOrLiteral: "(isBlank(?v) || isLiteral(?v))",
    SH.IRIOrLiteral: "(isIRI(?v) || isLiteral(?v))",
}
#: Lexical forms that both Oxigraph and rdflib surely accept; others are re-checked in Python.
_SAFE_LEXICAL = {
    XSD.integer: r"^-?[0-9]+$", XSD.decimal: r"^-?[0-9]+\\.[0-9]+$", XSD.boolean: r"^(true|false)$",
    XSD.date: r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
}
_RANGE_OPS = {SH.minInclusive: ">=", SH.minExclusive: ">", SH.maxInclusive: "<=", SH.maxExclusive: "<"}
_RANGE_COMPONENTS = {
    SH.minInclusive: SH.MinInclusiveConstraintComponent, SH.minExclusive: SH.MinExclusiveConstraintComponent,
    SH.maxInclusive: SH.MaxInclusiveConstraintComponent, SH.maxExclusive: SH.MaxExclusiveConstraintComponent,
}


class UnsupportedShapeError(TrdError):
    """A shape uses a SHACL feature the fast validator does not compile."""


def _iri(term: Node) -> str:
    return f"<{term}>"


def _sparql_term(term: Node) -> str:
    """An rdflib term written as SPARQL (IRIs and literals only; shapes never need blank nodes)."""
    if isinstance(term, URIRef):
        return _iri(term)
    if isinstance(term, Literal):
        return term.n3()
    raise UnsupportedShapeError(f"blank node {term} cannot be a constraint parameter")


# --- pySHACL's own verdicts, for the rare candidates SPARQL cannot settle -----------------------
def _pyshacl_datatype_ok(v: Node, dtype: URIRef) -> bool:
    """pySHACL 0.40 DatatypeConstraintComponent, for xsd datatypes."""
    from pyshacl.constraints.core.value_constraints import DatatypeConstraintComponent

    if not isinstance(v, Literal):
        return False
    if v.datatype == dtype:
        if getattr(v, "ill_typed", None) is True:
            return False
        return DatatypeConstraintComponent._assert_actual_datatype(None, v, dtype)  # type: ignore[arg-type]
    if v.datatype is None and v.language is None and dtype == XSD.string:
        return isinstance(v.value, (str, bytes))
    return False


def _pyshacl_range_ok(v: Node, bound: Literal, op: str) -> bool:
    """pySHACL 0.40 min/max Inclusive/Exclusive: incomparable values fail, ill-typed ones vary."""
    from pyshacl.rdfutil.compare import compare_literal

    if not isinstance(v, Literal):
        return False
    bound_is_string = isinstance(bound.value, str)
    v_is_string = isinstance(v.value, str)
    if bound_is_string != v_is_string:
        return False
    try:
        cmp = compare_literal(v, bound)
    except (TypeError, NotImplementedError):
        return False
    return {">=": cmp >= 0, ">": cmp > 0, "<=": cmp <= 0, "<": cmp < 0}[op]


def _pyshacl_pair_ok(v: Node, w: Node, strict: bool) -> bool:
    """pySHACL 0.40 lessThan / lessThanOrEquals for one (value, other value) pair."""
    def norm(x: Node) -> tuple[Any, bool]:
        if isinstance(x, URIRef):
            return str(x), True
        if isinstance(x, Literal) and isinstance(x.value, str):
            return x.value, True
        return x, False

    a, a_str = norm(v)
    b, b_str = norm(w)
    if a_str != b_str:
        return False
    try:
        return bool(a < b) if strict else bool(a <= b)
    except TypeError:
        return False


# --- compiled shapes ----------------------------------------------------------------------------
@dataclass
class _Hit:
    """One raw result: focus node, value (or None), and SPARQL-constraint extras."""

    focus: Node
    value: Node | None = None
    path: Node | None = None
    bound: dict[str, Node] | None = None
    source_constraint: Node | None = None
    messages: list[Literal] = field(default_factory=list)


@dataclass
class _Constraint:
    component: URIRef
    run: Callable[["_Run"], list[_Hit]]


@dataclass
class _Shape:
    node: Node
    severity: URIRef
    messages: list[Node]
    target: str  # a SPARQL group pattern binding ?this
    path: URIRef | None
    constraints: list[_Constraint] = field(default_factory=list)
    # The shape's targets as store lookups (see FastValidator._has_focus): target classes with
    # their ontology subclasses, sh:targetSubjectsOf predicates, and whether it names nodes.
    focus_classes: tuple[ox.NamedNode, ...] = ()
    focus_predicates: tuple[ox.NamedNode, ...] = ()
    focus_nodes: bool = True


@dataclass
class _TargetChecks:
    """The checks of every property shape of one target, merged into at most two SPARQL texts.

    Why: Oxigraph compiles every text it runs (a fixed cost plus the cost of its tokens), and one
    patient made about a hundred texts, most of a warm call. The property shapes of one target share its
    focus nodes, so their value checks become the UNION branches of one query and their
    cardinalities one count grouped by focus node and check; each row says whose check it is
    with ``?k``.
    """

    target: str                                     # the group pattern binding ?this
    branches: list[str] = field(default_factory=list)   # value checks: patterns binding ?this ?v
    counts: list[tuple[URIRef, int | None, int | None]] = field(default_factory=list)  # path, min, max
    count_of: dict[Node, int] = field(default_factory=dict)   # shape -> its tag in ``counts``

    def add_branch(self, pattern: str) -> int:
        self.branches.append(pattern)
        return len(self.branches) - 1

    def add_counts(self, shape: Node, path: URIRef, low: int | None, high: int | None) -> int:
        """One tag per shape for both its sh:minCount and sh:maxCount."""
        if shape not in self.count_of:
            self.count_of[shape] = len(self.counts)
            self.counts.append((path, low, high))
        return self.count_of[shape]

    @cached_property
    def values_query(self) -> str:
        union = " UNION ".join(f"{{ {b} BIND({k} AS ?k) }}" for k, b in enumerate(self.branches))
        return f"PREFIX xsd: <{XSD}> SELECT DISTINCT ?k ?this ?v WHERE {{ {self.target} {{ {union} }} }}"

    @cached_property
    def counts_query(self) -> str:
        """Focus nodes whose number of values breaks a bound of a shape (tagged by shape).

        One OPTIONAL with the path as a variable (``VALUES (?k ?p)``) counts every path at once,
        zero included; this beat a grouped UNION plus a NOT EXISTS query for the zero counts
        (benchmarks/results/cohort-analysis.md).
        """
        rows, having = [], []
        for k, (path, low, high) in enumerate(self.counts):
            tests = ([f"COUNT(DISTINCT ?v) < {low}"] if low else []) + (
                [f"COUNT(DISTINCT ?v) > {high}"] if high is not None else [])
            if tests:
                rows.append(f"({k} {_iri(path)})")
                having.append(f"(?k = {k} && ({' || '.join(tests)}))")
        if not rows:
            return ""
        return (f"SELECT ?this ?k (COUNT(DISTINCT ?v) AS ?n) WHERE {{ {self.target} "
                f"VALUES (?k ?p) {{ {' '.join(rows)} }} OPTIONAL {{ ?this ?p ?v }} }} "
                f"GROUP BY ?this ?k HAVING ({' || '.join(having)})")


_CANONICALISED = {XSD.decimal, XSD.integer, XSD.double, XSD.float, XSD.boolean, XSD.date, XSD.dateTime}


class _Lexical:
    """Restores literals to the form they were written in.

    Oxigraph stores numbers, dates and booleans in binary form, so ``0.0`` comes back as ``0``;
    pySHACL reports the literal as written. A value is restored from the triple it came from
    (subject, predicate), or, for SPARQL variables, from the only form that value has in the data.
    """

    def __init__(self, graphs: Iterable[Graph] = ()) -> None:
        self.by_triple: dict[tuple[Any, ...], Literal] = {}
        self.forms: dict[tuple[Any, Any], set[Literal]] = {}
        for g in graphs:
            self.add(g)

    def add(self, g: Graph) -> "_Lexical":
        for s, p, o in g:
            if isinstance(o, Literal) and o.datatype in _CANONICALISED and o.value is not None:
                self.by_triple.setdefault((s, p, o.datatype, o.value), o)
                self.forms.setdefault((o.datatype, o.value), set()).add(o)
        return self

    def copy(self) -> "_Lexical":
        new = _Lexical()
        new.by_triple = dict(self.by_triple)
        new.forms = {k: set(v) for k, v in self.forms.items()}
        return new

    def restore(self, term: Node, subject: Node | None = None, predicate: Node | None = None) -> Node:
        if not (isinstance(term, Literal) and term.datatype in _CANONICALISED and term.value is not None):
            return term
        if subject is not None and predicate is not None:
            found = self.by_triple.get((subject, predicate, term.datatype, term.value))
            if found is not None:
                return found
        forms = self.forms.get((term.datatype, term.value))
        if forms and len(forms) == 1:
            return next(iter(forms))
        return term


class _Run:
    """One validation run: the store, how to query it, and how to restore literal forms."""

    def __init__(self, store: ox.Store, union: bool, lexical: _Lexical) -> None:
        self.store = store
        self.union = union
        self.lexical = lexical
        self._tagged: dict[str, dict[int, list[dict[str, Node]]]] = {}

    def tagged(self, query: str) -> dict[int, list[dict[str, Node]]]:
        """The rows of a merged query (run once per validation), grouped by their tag ``?k``."""
        got = self._tagged.get(query)
        if got is None:
            got = self._tagged[query] = defaultdict(list)
            for row in self.select(query):
                got[int(row.pop("k").toPython())].append(row)
        return got

    def select(self, query: str) -> list[dict[str, Node]]:
        solutions = self.store.query(query, use_default_graph_as_union=self.union)
        names = [v.value for v in solutions.variables]
        # a solution unpacks as a tuple: cheaper than a lookup by variable name
        return [{n: to_rdflib(value) for n, value in zip(names, sol) if value is not None}
                for sol in solutions]


def target_shape_nodes(g: Graph, validator: str) -> list[Node]:
    """Every shape that has a target, sorted (shapes reached only through sh:or are compiled
    there); UnsupportedShapeError, naming ``validator``, for the targets and the sh:property links
    the compiled validators (fast, columnar) do not support."""
    nodes: set[Node] = set()
    for p in (SH.targetClass, SH.targetSubjectsOf, SH.targetNode):
        nodes.update(g.subjects(p, None))
    for p in (SH.targetObjectsOf, SH.target):
        if any(g.subjects(p, None)):
            raise UnsupportedShapeError(f"{p} is not supported by the {validator} validator")
    # sh:property links: targets of the parent node shape would apply to the property shape.
    for parent, _prop in g.subject_objects(SH.property):
        if parent in nodes:
            raise UnsupportedShapeError(
                f"shape {parent}: sh:property is not supported; give the property shape its own target")
    return sorted(nodes, key=str)


class FastValidator:
    """Compile shapes once (constructor), validate many graphs or stores (``validate``)."""

    name = "fast"

    def __init__(self, shapes: Graph, ontology: Graph | None = None, policy: Graph | None = None) -> None:
        self.shapes_graph = shapes
        # stripped once: an empty graph serialises as whitespace, and validate checks for content
        self._ontology_nt = (ontology or Graph()).serialize(format="nt", encoding="utf-8").strip()
        self._policy_nt = (policy or Graph()).serialize(format="nt", encoding="utf-8").strip()
        self._lexical = _Lexical([g for g in (ontology, policy) if g is not None])
        self.shapes: list[_Shape] = []
        # the merged checks of the property shapes, by target pattern (see _TargetChecks)
        self._targets: dict[str, _TargetChecks] = {}
        for node in target_shape_nodes(self.shapes_graph, "fast"):
            shape = self._compile_shape(node, target=None)
            if shape is not None:
                self._focus_lookups(shape, ontology or Graph())
                self.shapes.append(shape)

    # --- compilation -----------------------------------------------------------------------
    def _focus_lookups(self, shape: _Shape, ontology: Graph) -> None:
        """The store lookups that tell whether a shape has any focus node at all."""
        g = self.shapes_graph
        classes: set[Node] = set()
        for c in g.objects(shape.node, SH.targetClass):
            classes.update(ontology.transitive_subjects(RDFS.subClassOf, c))  # includes c itself
        shape.focus_classes = tuple(ox.NamedNode(str(c)) for c in sorted(classes) if isinstance(c, URIRef))
        shape.focus_predicates = tuple(ox.NamedNode(str(p)) for p in sorted(g.objects(shape.node, SH.targetSubjectsOf)))
        shape.focus_nodes = any(True for _ in g.objects(shape.node, SH.targetNode))

    @staticmethod
    def _has_focus(shape: _Shape, store: ox.Store, seen: dict[Any, bool]) -> bool:
        """False when no node is targeted, so the shape's queries need not be compiled and run.

        A shape without focus nodes gives no result (SHACL §2.1.3). Why check: compiling a SPARQL
        text costs a compile in Oxigraph whatever the data, and one patient leaves most shapes
        without a focus (no genotype, no lab of a kind), so a warm one-patient call saves most of
        the validator's compile time. Only used when the subclass hierarchy is the ontology's
        (``workspace.subclass_closure_is_static``). ``seen`` remembers each class's and
        predicate's lookup for the rest of the call: shapes share targets (every trial shape
        looks up the same classes).
        """
        def found(key: Any, lookup: Callable[[], bool]) -> bool:
            if key not in seen:
                seen[key] = lookup()
            return seen[key]

        return (shape.focus_nodes
                or any(found(cls, lambda c=cls: has_quad(store, None, OX_RDF_TYPE, c)) for cls in shape.focus_classes)
                or any(found(("p", pred), lambda q=pred: has_quad(store, None, q)) for pred in shape.focus_predicates))

    def _target(self, node: Node) -> str:
        g = self.shapes_graph
        parts = [f"{{ ?this a/<{RDFS.subClassOf}>* {_iri(c)} . }}" for c in sorted(g.objects(node, SH.targetClass))]
        parts += [f"{{ ?this {_iri(p)} ?_t . }}" for p in sorted(g.objects(node, SH.targetSubjectsOf))]
        parts += [f"{{ VALUES ?this {{ {_sparql_term(n)} }} }}" for n in sorted(g.objects(node, SH.targetNode))]
        return f"{{ SELECT DISTINCT ?this WHERE {{ {' UNION '.join(parts)} }} }}"

    def _compile_shape(self, node: Node, target: str | None) -> _Shape | None:
        g = self.shapes_graph
        deactivated = g.value(node, SH.deactivated)
        if deactivated is not None and bool(deactivated.toPython()):
            return None
        target = target or self._target(node)
        path = g.value(node, SH.path)
        if path is not None and not isinstance(path, URIRef):
            raise UnsupportedShapeError(f"shape {node}: only simple IRI paths are supported")
        severity = g.value(node, SH.severity) or SH.Violation
        shape = _Shape(node, severity, sorted(g.objects(node, SH.message)), target, path)
        handled = set(_NON_CONSTRAINT)
        for pred, obj in sorted(g.predicate_objects(node)):
            if pred in handled:
                continue
            if not str(pred).startswith(str(SH)):
                continue  # annotations of the project (not SHACL) are ignored by SHACL too
            shape.constraints.extend(self._compile_constraint(shape, pred, obj))
        if shape.constraints and not shape.messages and not isinstance(node, BNode):
            raise UnsupportedShapeError(f"shape {node} has no sh:message (the generic pySHACL messages are not reproduced)")
        return shape

    def _compile_constraint(self, shape: _Shape, pred: URIRef, obj: Node) -> list[_Constraint]:
        p = shape.path
        T = shape.target
        # Value nodes: the focus node itself (node shape) or the objects of the path.
        values = "BIND(?this AS ?v)" if p is None else f"?this {_iri(p)} ?v ."

        if pred in (SH.minCount, SH.maxCount):
            if p is None:
                raise UnsupportedShapeError(f"shape {shape.node}: {pred} needs sh:path")
            # The counts of every property shape of this target come from one grouped count, run
            # once per validation; each constraint keeps the rows of its shape that break its own
            # bound.
            bounds = {c: self.shapes_graph.value(shape.node, c) for c in (SH.minCount, SH.maxCount)}
            low, high = (None if bounds[c] is None else int(bounds[c]) for c in (SH.minCount, SH.maxCount))
            checks = self._targets.setdefault(T, _TargetChecks(T))
            tag = checks.add_counts(shape.node, p, low, high)
            n = int(obj)
            comp = SH.MinCountConstraintComponent if pred == SH.minCount else SH.MaxCountConstraintComponent

            def run_counts(r: _Run, tag: int = tag, n: int = n, minimum: bool = pred == SH.minCount) -> list[_Hit]:
                counted = r.tagged(checks.counts_query).get(tag, []) if checks.counts_query else []
                return [_Hit(row["this"]) for row in counted if (int(row["n"]) < n if minimum else int(row["n"]) > n)]
            return [_Constraint(comp, run_counts)]

        if pred == SH.nodeKind:
            if obj not in _NODE_KIND_TESTS:
                raise UnsupportedShapeError(f"shape {shape.node}: unknown sh:nodeKind {obj}")
            body = f"{values} FILTER (!{_NODE_KIND_TESTS[obj]})"
            return [self._value_constraint(SH.NodeKindConstraintComponent, body, shape)]

        if pred == SH["class"]:
            body = f"{values} FILTER NOT EXISTS {{ ?v a/<{RDFS.subClassOf}>* {_iri(obj)} . }}"
            return [self._value_constraint(SH.ClassConstraintComponent, body, shape)]

        if pred == SH.datatype:
            safe = f"(isLiteral(?v) && sameTerm(datatype(?v), {_iri(obj)})"
            if obj in _SAFE_LEXICAL:
                safe += f' && REGEX(STR(?v), "{_SAFE_LEXICAL[obj]}")'
                if obj == XSD.date:  # a date like 2025-02-30 matches the pattern but is invalid
                    safe += " && COALESCE(xsd:date(STR(?v)) = xsd:date(STR(?v)), false)"
            elif obj != XSD.string:
                safe = "(false"  # unknown datatype: every value is checked in Python
            safe += ")"
            return [self._value_constraint(SH.DatatypeConstraintComponent, f"{values} FILTER (!{safe})", shape,
                                           check=lambda v, d=obj: not _pyshacl_datatype_ok(v, d))]

        if pred in _RANGE_OPS:
            if not isinstance(obj, Literal):
                raise UnsupportedShapeError(f"shape {shape.node}: {pred} must be a literal")
            op = _RANGE_OPS[pred]
            body = f"{values} FILTER (!COALESCE(isLiteral(?v) && ?v {op} {obj.n3()}, false))"
            comp = _RANGE_COMPONENTS[pred]
            return [self._value_constraint(comp, body, shape, check=lambda v, b=obj, o=op: not _pyshacl_range_ok(v, b, o))]

        if pred == SH["in"]:
            members = list(Collection(self.shapes_graph, obj))
            test = " || ".join(f"sameTerm(?v, {_sparql_term(m)})" for m in members) or "false"
            return [self._value_constraint(SH.InConstraintComponent, f"{values} FILTER (!({test}))", shape)]

        if pred == SH.pattern:
            flags = str(self.shapes_graph.value(shape.node, SH.flags) or "")
            if flags:
                raise UnsupportedShapeError(f"shape {shape.node}: sh:flags is not supported")
            regex = re.compile(str(obj))
            # pySHACL: blank nodes fail; IRIs and literals are matched on their string.
            return [self._value_constraint(
                SH.PatternConstraintComponent, values, shape,
                check=lambda v, rx=regex: isinstance(v, BNode) or not rx.search(str(v)))]

        if pred in (SH.lessThan, SH.lessThanOrEquals):
            if p is None:
                raise UnsupportedShapeError(f"shape {shape.node}: {pred} needs sh:path")
            strict = pred == SH.lessThan
            op = "<" if strict else "<="
            # No DISTINCT over pairs: pySHACL reports one result per failing (value, other) pair.
            q = (f"SELECT ?this ?v ?w WHERE {{ {T} ?this {_iri(p)} ?v . ?this {_iri(obj)} ?w . "
                 f"FILTER (!COALESCE(?v {op} ?w, false)) }}")
            comp = SH.LessThanConstraintComponent if strict else SH.LessThanOrEqualsConstraintComponent

            def run_pairs(r: _Run, q: str = q, strict: bool = strict, other: Node = obj) -> list[_Hit]:
                hits = []
                for row in r.select(q):
                    v = r.lexical.restore(row["v"], row["this"], p)
                    w = r.lexical.restore(row["w"], row["this"], other)
                    if not _pyshacl_pair_ok(v, w, strict):
                        hits.append(_Hit(row["this"], v))
                return hits
            return [_Constraint(comp, run_pairs)]

        if pred == SH["or"]:
            if p is not None:
                raise UnsupportedShapeError(f"shape {shape.node}: sh:or is supported on node shapes only")
            members = [self._compile_shape(m, target=T) for m in Collection(self.shapes_graph, obj)]
            targets_q = f"SELECT ?this WHERE {{ {T} }}"

            def run_or(r: _Run, members: list[_Shape | None] = members, targets_q: str = targets_q) -> list[_Hit]:
                failing: set[Node] | None = None
                for m in members:
                    if m is None:  # a deactivated member conforms
                        return []
                    bad = {h.focus for c in m.constraints for h in c.run(r)}
                    failing = bad if failing is None else failing & bad
                    if not failing:
                        return []
                return [_Hit(f, f) for f in sorted(failing or set(), key=str)]
            return [_Constraint(SH.OrConstraintComponent, run_or)]

        if pred == SH.sparql:
            if p is not None:
                raise UnsupportedShapeError(f"shape {shape.node}: sh:sparql is supported on node shapes only")
            return [self._compile_sparql(shape, obj)]

        if pred == SH.flags:
            return []
        raise UnsupportedShapeError(f"shape {shape.node}: {pred} is not supported by the fast validator")

    def _value_constraint(self, component: URIRef, body: str, shape: _Shape,
                          check: Callable[[Node], bool] | None = None) -> _Constraint:
        """A constraint whose result rows are (focus, value); ``check`` confirms candidates.

        ``body`` binds ?v to each value node of ?this that SPARQL cannot show to conform. On a
        property shape it is one branch of its target's merged query (``_TargetChecks``); on a
        node shape (?v is ?this, bound by the target) it is a query of its own.
        """
        path = shape.path
        rows_of: Callable[[_Run], list[dict[str, Node]]]
        if path is None:
            query = f"PREFIX xsd: <{XSD}> SELECT DISTINCT ?this ?v WHERE {{ {shape.target} {body} }}"
            rows_of = lambda r: r.select(query)  # noqa: E731
        else:
            checks = self._targets.setdefault(shape.target, _TargetChecks(shape.target))
            tag = checks.add_branch(body)
            rows_of = lambda r: r.tagged(checks.values_query).get(tag, [])  # noqa: E731

        def run(r: _Run) -> list[_Hit]:
            hits = []
            for row in rows_of(r):
                v = r.lexical.restore(row["v"], row["this"], path)
                if check is None or check(v):
                    hits.append(_Hit(row["this"], v))
            return hits
        return _Constraint(component, run)

    def _prefixes(self, constraint: Node) -> str:
        g = self.shapes_graph
        lines = []
        for src in g.objects(constraint, SH.prefixes):
            for decl in g.objects(src, SH.declare):
                lines.append(f"PREFIX {g.value(decl, SH.prefix)}: <{g.value(decl, SH.namespace)}>")
        return "\n".join(sorted(set(lines)))

    def _compile_sparql(self, shape: _Shape, constraint: Node) -> _Constraint:
        g = self.shapes_graph
        deactivated = g.value(constraint, SH.deactivated)
        if deactivated is not None and bool(deactivated.toPython()):
            return _Constraint(SH.SPARQLConstraintComponent, lambda r: [])
        select = g.value(constraint, SH.select)
        if select is None:
            raise UnsupportedShapeError(f"shape {shape.node}: only sh:select SPARQL constraints are supported")
        text = str(select)
        for banned in ("$PATH", "$currentShape", "$shapesGraph", "$value"):
            if banned in text:
                raise UnsupportedShapeError(f"shape {shape.node}: {banned} in a SPARQL constraint is not supported")
        if not re.search(r"SELECT\s+(DISTINCT\s+)?[^{]*\$this\b", text, re.IGNORECASE):
            raise UnsupportedShapeError(f"shape {shape.node}: a SPARQL constraint must project $this")
        text = text.replace("$this", "?this")
        where = re.search(r"\bWHERE\s*\{", text, re.IGNORECASE)
        if where is None:
            raise UnsupportedShapeError(f"shape {shape.node}: a SPARQL constraint needs an explicit WHERE {{")
        # $this unbound: join the shape's target first, so one query checks every focus node.
        query = self._prefixes(constraint) + "\n" + text[:where.end()] + f" {shape.target} " + text[where.end():]
        extra = sorted(g.objects(constraint, SH.message))

        def run(r: _Run) -> list[_Hit]:
            hits: list[_Hit] = []
            seen: set[tuple[Any, ...]] = set()
            for row in r.select(query):
                row = dict(row)
                if "failure" in row:
                    raise UnsupportedShapeError(f"shape {shape.node}: ?failure is not supported")
                focus = row.pop("this")
                path = row.pop("path", None)
                value = row.pop("value", None)
                if value is not None:
                    value = r.lexical.restore(value, focus, path)
                row = {k: r.lexical.restore(t) for k, t in row.items()}
                key = (focus, path, value, tuple(sorted(row.items())))
                if key in seen:  # pySHACL drops duplicate rows of one focus node
                    continue
                seen.add(key)
                bound = dict(row)
                bound["this"] = focus
                if path is not None:
                    bound["path"] = path
                value = value if value is not None else focus
                bound["value"] = value
                hits.append(_Hit(focus, value, path, bound, constraint, list(extra)))
            return hits
        return _Constraint(SH.SPARQLConstraintComponent, run)

    # --- running ---------------------------------------------------------------------------
    def _store_for(self, data: Any) -> tuple[ox.Store, bool]:
        """An Oxigraph store holding data + ontology + policy, and whether to query the union."""
        if isinstance(data, Graph):
            store = ox.Store()
            nt = data.serialize(format="nt", encoding="utf-8")
            for chunk in (self._ontology_nt, self._policy_nt, nt):
                if chunk.strip():
                    store.bulk_load(chunk, format=ox.RdfFormat.N_TRIPLES)
            return store, False
        if isinstance(data, ox.Store):
            # A workspace-style store: add the ontology/policy graphs if the caller did not.
            for name, chunk in ((GRAPH_ONTOLOGY, self._ontology_nt), (GRAPH_POLICY, self._policy_nt)):
                graph = ox.NamedNode(str(name))
                if chunk and not data.contains_named_graph(graph):
                    data.bulk_load(chunk, format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
            return data, True
        raise TypeError(f"expected an rdflib.Graph or a pyoxigraph.Store, not {type(data).__name__}")

    def validate(self, data: Graph | ox.Store, report: bool = True) -> tuple[bool, Graph | None, list[Any]]:
        """Validate; returns (conforms, SHACL report graph, flat result records).

        ``report=False`` skips the report graph (None is returned in its place) and makes the
        records straight from the results: the same records, sorted the same way. Why: a caller
        that needs only the records (the pipeline's data issues) spent much of validation
        building a report graph and reading it back.
        """
        store, union = self._store_for(data)
        lexical = self._lexical.copy().add(data) if isinstance(data, Graph) else _Lexical()
        run = _Run(store, union, lexical)
        graph = Graph() if report else None
        root = BNode()
        records = []
        conforms = True
        copied: set[BNode] = set()
        skip_empty = union and subclass_closure_is_static(store)
        focus_seen: dict[Any, bool] = {}
        for shape in self.shapes:
            if skip_empty and not self._has_focus(shape, store, focus_seen):
                continue
            for constraint in shape.constraints:
                for hit in constraint.run(run):
                    if shape.severity == SH.Violation:
                        conforms = False
                    path, messages = self._result_terms(shape, hit)
                    if graph is None:
                        records.append(result_record(hit.focus, shape.severity, shape.node, constraint.component,
                                                     path, hit.value, dict.fromkeys(messages)))
                        continue
                    self._add_result(graph, root, shape, constraint.component, hit, path, messages)
                    for term in (hit.focus, hit.value):
                        if isinstance(term, BNode):
                            self._copy_bnode(graph, run, term, copied)
        if graph is None:
            return conforms, None, sort_records(records)
        graph.bind("sh", str(SH))
        graph.add((root, RDF.type, SH.ValidationReport))
        graph.add((root, SH.conforms, Literal(conforms)))
        return conforms, graph, results_from_report(graph)

    def check(self, workspace: Any, report: bool = False, source: Graph | None = None) -> Validation:
        """Validate a workspace (the validator interface of the pipeline, :mod:`reasoner.validate`).

        On Oxigraph the workspace's own store is queried as the union of its named graphs; on
        another backend, or when the caller gives the ``source`` graph the data was read from,
        the asserted (that source) and derived graphs are copied into a store of their own, so
        the report shows literals as they were written (``0.0``, not the store's ``0``).
        """
        if source is None and isinstance(workspace.store, ox.Store):
            conforms, graph, records = self.validate(workspace.store, report=report)
        else:
            data = Graph()
            data += source if source is not None else workspace.graph(GRAPH_ASSERTED)
            data += workspace.graph(GRAPH_DERIVED)
            conforms, graph, records = self.validate(data, report=report)
        return Validation(bool(conforms), records, graph)

    @staticmethod
    def _copy_bnode(report: Graph, run: _Run, node: BNode, seen: set[BNode]) -> None:
        """pySHACL copies a blank focus node or value into the report with its description."""
        if node in seen:
            return
        seen.add(node)
        graph = None if run.union else ox.DefaultGraph()
        for quad in run.store.quads_for_pattern(ox.BlankNode(str(node)), None, None, graph):
            p = to_rdflib(quad.predicate)
            o = run.lexical.restore(to_rdflib(quad.object), node, p)
            report.add((node, p, o))
            if isinstance(o, BNode):
                FastValidator._copy_bnode(report, run, o, seen)

    @staticmethod
    def _substitute(text: str, bound: dict[str, Node]) -> str:
        """pySHACL's message templating: {?var} / {$var} -> str(value)."""
        for var, val in bound.items():
            text = re.sub("{{[?$]{}}}".format(var), str(val), text)
        return text

    def _result_terms(self, shape: _Shape, hit: _Hit) -> tuple[Node | None, list[Node]]:
        """The result's path and its messages (the SPARQL constraint's own first, then the shape's)."""
        path = hit.path if hit.path is not None else shape.path
        messages: list[Node] = []
        for m in hit.messages:
            if m in shape.messages:
                continue
            messages.append(Literal(self._substitute(str(m.value), hit.bound or {})) if isinstance(m, Literal) else m)
        for m in shape.messages:
            if isinstance(m, Literal) and hit.bound is not None:
                m = Literal(self._substitute(str(m.value), hit.bound))
            messages.append(m)
        return path, messages

    @staticmethod
    def _add_result(report: Graph, root: Node, shape: _Shape, component: URIRef, hit: _Hit,
                    path: Node | None, messages: list[Node]) -> None:
        r = BNode()
        report.add((root, SH.result, r))
        report.add((r, RDF.type, SH.ValidationResult))
        report.add((r, SH.sourceConstraintComponent, component))
        report.add((r, SH.sourceShape, shape.node))
        report.add((r, SH.resultSeverity, shape.severity))
        report.add((r, SH.focusNode, hit.focus))
        if hit.value is not None:
            report.add((r, SH.value, hit.value))
        if path is not None:
            report.add((r, SH.resultPath, path))
        if hit.source_constraint is not None:
            report.add((r, SH.sourceConstraint, hit.source_constraint))
        for m in messages:
            report.add((r, SH.resultMessage, m))


__all__ = ["FastValidator", "UnsupportedShapeError", "target_shape_nodes"]
