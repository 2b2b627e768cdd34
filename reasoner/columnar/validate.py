"""SHACL validation for the columnar engine: the project's shapes compiled once to SQL over the predicate tables.

Why a third validator: the patients' ``dataIssues`` come from SHACL validation of the asserted +
derived data, and the columnar engine has no RDF store to run the fast validator's SPARQL in.
This one follows :mod:`reasoner.validate.fast` step by step — the same supported features, the
same refusals (:class:`~reasoner.validate.fast.UnsupportedShapeError`), the same pySHACL verdicts
(its own functions) for the few values SQL cannot settle — but each check runs over the whole
shard, so thousands of patients are validated by about fifteen statements. It gives exactly the
records the fast validator gives on an Oxigraph store holding the same data
(tests/columnar/test_validation.py), literal values included: Oxigraph stores numbers, booleans
and dates as values and gives them back in canonical form (``0.50`` → ``0.5``, ``"1"^^xsd:boolean``
→ ``true``, ``05``^^xsd:int → ``5``^^xsd:integer, ``+00:00`` → ``Z``), and rdflib writes some of
those its own way (the double ``28`` as ``28.0``); this validator puts every literal it reads into
Oxigraph's form (the macros of ``queries/cohort/shapes/support/terms.sql``; Oxigraph itself is asked
for the few datatypes they leave to it, such as xsd:double) and shows it as rdflib does.

How the shapes become SQL (compiled once, in the constructor; run by ``check_tables``)::

    every literal the shapes read       -> a dictionary per check: one row per distinct (lexical form,
                                           datatype) with its canonical form, validity and comparison key
    the values of every path            -> _sv_vals (p, src, s, k, o, d, ok, c, safe), canonical, per check;
                                           the knowledge's part once (_sv_vals_k); _sv_all is both
    targets (classes + subclasses,      -> one focus table per check, _sv_focus(t, s, fk)
      subjects of, nodes)
    value checks of all shapes          -> ONE query: each branch's SQL condition over the values of its
      (nodeKind, class, datatype,          path (parameters in _sv_branches, conditions in _CONDITIONS),
      ranges, in, pattern)                 then the few failing values joined with the focus nodes
    sh:minCount / sh:maxCount           -> ONE query: an anti join (no value), distinct counts where the
                                           triples exceed the smallest sh:maxCount
    sh:lessThan(OrEquals)               -> one pair query per shape
    sh:or (node shapes)                 -> its members' checks, focus sets intersected
    sh:sparql SELECT                    -> its SQL twin, queries/cohort/shapes/<Shape>.sql, reading the
                                           canonical views v_<pred> and, where the SPARQL starts from
                                           $this alone (FILTER NOT EXISTS), the shape's focus nodes as
                                           sv_this(this, this__k, this__d); the twin's header records
                                           the fingerprint of the sh:select text it was written for
                                           (select_fingerprint), and a twin of another text is refused

Every SHACL feature of a shape either compiles to the SQL above or makes the constructor raise
UnsupportedShapeError naming the shape and the feature (sh:property, sh:targetObjectsOf, sh:target,
non-IRI paths, sh:flags, sh:hasValue, sh:qualifiedValueShape, sh:languageIn, sh:uniqueLang, …, a
language-tagged constant, a SPARQL constraint without a twin or with a stale one, a shape without
sh:message): no shape is skipped in silence.

Comparisons are SPARQL's as Oxigraph evaluates them (``sv_cmp``: numbers across types, dates with
and without time zones, errors as NULL), so the SQL keeps exactly the values the fast validator's
SPARQL keeps.

    engine = ColumnarEngine(policy, as_of)     # its tables must hold every shape_predicates(shapes)
    validator = ColumnarValidator(engine.con, engine.tables, shapes_graph(), ontology, policy)  # compile once
    for shard in shards:
        engine.derive(shard)                   # asserted (unusable numbers quarantined) + derived
        validation = validator.check_tables()  # reasoner.validate.report.Validation(conforms, records)

``check_tables`` gives the record type of the other validators (``ResultRecord``: focus node,
severity, source shape, component, path, value, messages), sorted by ``sort_records``, with no
report graph (``validation.report`` is None); ``record.as_issue()`` is a patient's data issue.

One validator per connection (its tables and views are named ``_sv_*`` and ``v_*``). Not
reproduced, because the predicate tables do not keep them: language tags (``"a"@en`` and
``"a"@fr`` are one value; an ``sh:in`` member with a language tag is refused), and which
knowledge graph (ontology, policy, rules) a triple came from. Integers and decimals beyond 64
bits are compared as doubles.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, XSD
from rdflib.term import Node

from reasoner.errors import RuleError
from reasoner.columnar.tables import NAMESPACES, PredicateTables, table_name
from reasoner.knowledge.namespaces import SH
from reasoner.knowledge.paths import QUERIES_DIR
from reasoner.knowledge.queries import parse_header
from reasoner.validate.fast import (
    _NON_CONSTRAINT,
    _RANGE_COMPONENTS,
    _RANGE_OPS,
    FastValidator,
    UnsupportedShapeError,
    _pyshacl_datatype_ok,
    _pyshacl_pair_ok,
    _pyshacl_range_ok,
    target_shape_nodes,
)
from reasoner.validate.report import SEVERITY_NAMES, ResultRecord, Validation, sort_records

#: The SQL twins of the shapes' SPARQL constraints (``<Shape local name>.sql``) and their support.
SHAPES_SQL_DIR: Path = QUERIES_DIR / "cohort" / "shapes"

_XSD_STRING = str(XSD.string)
_LANG_STRING = str(RDF.langString)
_NODE_KINDS = {SH.IRI: "I", SH.BlankNode: "B", SH.Literal: "L", SH.BlankNodeOrIRI: "BI", SH.BlankNodeOrLiteral: "BL",
               SH.IRIOrLiteral: "IL"}
#: The datatypes with a "surely valid" lexical form in the fast validator (its _SAFE_LEXICAL); the
#: forms themselves are ``sv_safe`` in queries/cohort/shapes/support/terms.sql.
_SAFE_DATATYPES = (XSD.integer, XSD.decimal, XSD.boolean, XSD.date)
#: the orders (sv_cmp of value and bound) that satisfy a range constraint
_RANGE_ORDERS = {">=": (0, 1), ">": (1, 1), "<=": (-1, 0), "<": (-1, -1)}
#: The SQL condition of each kind of value check: it keeps the value nodes (``x``: k, o, d, ok, c,
#: safe) that SQL cannot show to conform, given the branch's parameters (``b``: the columns of
#: ``_sv_branches``) and, for sh:class, ``i``, the value's row among the class's instances (if any).
_CONDITIONS = {
    "nodeKind": "NOT contains(b.kinds, x.k)",
    "class": "(x.k = 'L' OR i.s IS NULL)",
    # a valid integer, decimal or boolean in Oxigraph's form is one pySHACL accepts too, so only
    # the fast validator's candidates that pySHACL may reject are left to Python
    "datatype": "NOT COALESCE(x.k = 'L' AND x.d = b.dt AND (x.safe OR (x.ok AND b.dt <> 'http://www.w3.org/2001/XMLSchema#date')), FALSE)",
    "string": "NOT COALESCE(x.k = 'L' AND x.d = b.dt, FALSE)",
    "any": "TRUE",
    "range": "NOT COALESCE(x.k = 'L' AND sv_cmp(x.k, x.o, x.d, x.c, b.bk, b.bo, b.bd, b.bc) BETWEEN b.lo AND b.hi, FALSE)",
    "in": "NOT contains(b.members, chr(2) || x.k || chr(1) || x.o || chr(1) || coalesce(x.d, '') || chr(2))",
}

Term = tuple[str, str, str | None]   # (kind, text, datatype): the canonical form of one RDF term
_KEY_TYPE = "STRUCT(nk INTEGER, ip BIGINT, fp BIGINT, nf FLOAT, nx DOUBLE, ds BIGINT, dz BOOLEAN)"
_VIEW_NAME = re.compile(r"\bv_([A-Za-z]+_[A-Za-z0-9_]+)\b")
_THIS = re.compile(r"\bsv_this\b")


def _this_sql(target: int) -> str:
    """The focus nodes of one target as a SQL twin reads them: ``sv_this``(this, this__k, this__d)."""
    return (f"SELECT s AS this, fk AS this__k, NULL::VARCHAR AS this__d FROM _sv_focus WHERE t = {target} "
            f"AND fk <> 'L' UNION ALL SELECT s, 'L', d FROM _sv_literals WHERE t = {target}")


def _q(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def _sql_text(path: Path) -> str:
    """A SQL file's text with its ``-- intent/inputs/source`` header checked and comment lines dropped."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    leading = next((i for i, line in enumerate(lines) if not line.startswith("--")), len(lines))
    parse_header("\n".join("#" + line[2:] for line in lines[:leading]), path)
    return "\n".join(line for line in lines if not line.lstrip().startswith("--"))


def _sql_header(path: Path) -> dict[str, str]:
    """The ``-- intent/inputs/source/twin`` fields of a SQL file's leading comment."""
    lines = path.read_text(encoding="utf-8").splitlines()
    leading = next((i for i, line in enumerate(lines) if not line.startswith("--")), len(lines))
    return parse_header("\n".join("#" + line[2:] for line in lines[:leading]), path)


def select_fingerprint(select: str) -> str:
    """The fingerprint of a SPARQL constraint's ``sh:select`` text that its SQL twin records:
    the first 16 hex digits of the SHA-256 of the text with its blanks collapsed."""
    return hashlib.sha256(" ".join(select.split()).encode("utf-8")).hexdigest()[:16]


def _iri_of_table(stem: str) -> str:
    """The predicate IRI of a table stem (``trd_score`` -> ``…ontology#score``)."""
    prefix, local = stem.split("_", 1)
    namespace = next(ns for ns, p in NAMESPACES.items() if p == prefix)
    return namespace + local


def _key(term: Term) -> str:
    """A term as one string, as ``_CONDITIONS['in']`` compares it."""
    kind, text, datatype = term
    return f"{kind}\x01{text}\x01{datatype or ''}"


def _text(term: Term) -> str:
    """``str()`` of the rdflib term (a blank node without its ``_:``), as message templates show it."""
    kind, text, datatype = term
    return text[2:] if kind == "B" else _literal_text(text, datatype) if kind == "L" else text


def _term_text(term: Term) -> str:
    """The text of a term in a record (a blank node with its ``_:``), as ``report._term_text`` gives it."""
    kind, text, datatype = term
    return _literal_text(text, datatype) if kind == "L" else text


@functools.lru_cache(maxsize=65536)
def _literal_text(text: str, datatype: str | None) -> str:
    """A literal's text as the fast validator shows it: Oxigraph's form read into rdflib, which
    writes some values its own way (the double ``28`` as ``28.0``, ``NaN`` as ``nan``)."""
    return str(_node(("L", text, datatype)))


def _node(term: Term) -> Node:
    """The rdflib term of a canonical term, as ``to_rdflib`` makes it from Oxigraph's."""
    kind, text, datatype = term
    if kind == "I":
        return URIRef(text)
    if kind == "B":
        return BNode(text[2:])
    if datatype is None or datatype == _XSD_STRING:
        return Literal(text)
    if datatype == _LANG_STRING:
        return Literal(text, lang="und")  # the tables keep no language tag; only its presence matters here
    return Literal(text, datatype=URIRef(datatype))


def oxigraph_forms(literals: Iterable[tuple[str, str]]) -> dict[tuple[str, str], tuple[str, str, bool]]:
    """(lexical form, datatype) -> (Oxigraph's lexical form, its datatype, whether it is a number).

    Oxigraph itself is asked, for the literals the SQL macros leave to it (doubles, floats,
    date-times, durations, …): it canonicalises a literal when it stores it.
    """
    pairs = sorted(set(literals))
    store = ox.Store()
    predicate = ox.NamedNode("urn:sv:p")
    store.extend(ox.Quad(ox.NamedNode(f"urn:sv:{i}"), predicate, ox.Literal(o, datatype=ox.NamedNode(d)))
                 for i, (o, d) in enumerate(pairs))
    out = {}
    for sol in store.query("SELECT ?s ?o (isNumeric(?o) AS ?n) WHERE { ?s <urn:sv:p> ?o }"):
        o = sol["o"]
        out[pairs[int(sol["s"].value[7:])]] = (o.value, o.datatype.value, sol["n"].value == "true")
    return out


# --- compiled shapes ----------------------------------------------------------------------------
@dataclass
class _Hit:
    """One raw result: the focus node, the value (or None) and a SPARQL constraint's extras."""

    focus: Term
    value: Term | None = None
    path: str | None = None
    bound: dict[str, str] | None = None
    render: Callable[[dict[str, str]], tuple[str, ...]] | None = None   # the messages, from ``bound``


@dataclass
class _Constraint:
    component: URIRef
    run: Callable[["_Run"], list[_Hit]]


@dataclass
class _Target:
    """The focus nodes of one target: rows ``t = index`` of the per-check focus table ``_sv_focus``."""

    index: int
    classes: tuple[str, ...]
    predicates: tuple[str, ...]
    nodes: tuple[tuple[str, str, str | None], ...]   # targetNode terms (text, kind, datatype)

    def focus_sql(self) -> str:
        """This target's focus nodes (t, s, fk kind), without repeats."""
        sources = [f"SELECT s FROM _sv_inst WHERE sup IN ({', '.join(map(_q, self.classes))})"] if self.classes else []
        sources += [f"SELECT s FROM p_{table_name(p)}" for p in self.predicates]
        nodes = [f"SELECT {_q(s)}, {_q(k)}" for s, k, _d in self.nodes]
        if len(self.classes) == 1 and not self.predicates and not nodes:  # one class's instances: no repeats
            return f"SELECT {self.index}, s, sv_node_kind(s) FROM _sv_inst WHERE sup = {_q(self.classes[0])}"
        # DISTINCT: a UNION of one part keeps its repeats (a subject of two triples of a predicate)
        union = " UNION ".join([f"SELECT DISTINCT s, sv_node_kind(s) AS fk FROM ({q})" for q in sources] + nodes)
        return f"SELECT {self.index}, * FROM ({union})"

    def literals_sql(self) -> list[str]:
        """Its literal target nodes (t, s, fk, fd, fok, fc, fsafe): the same columns as a value's."""
        return [f"SELECT {self.index}, {_q(s)}, 'L', {_q(d or _XSD_STRING)}, sv_ok({_q(s)}, 'L', {_q(d or _XSD_STRING)}), "
                f"sv_key({_q(s)}, {_q(d or _XSD_STRING)}, sv_ok({_q(s)}, 'L', {_q(d or _XSD_STRING)})), "
                f"sv_safe({_q(s)}, {_q(d or _XSD_STRING)}, sv_ok({_q(s)}, 'L', {_q(d or _XSD_STRING)}))"
                for s, k, d in self.nodes if k == "L"]


@dataclass
class _Shape:
    node: Node
    severity: URIRef
    messages: list[Node]
    target: _Target
    path: URIRef | None
    constraints: list[_Constraint] = field(default_factory=list)


class _Run:
    """One check: the merged queries' rows, each run once, grouped by their tag."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self._tagged: dict[str, dict[int, list[tuple[Any, ...]]]] = {}

    def tagged(self, query: str) -> dict[int, list[tuple[Any, ...]]]:
        got = self._tagged.get(query)
        if got is None:
            got = self._tagged[query] = defaultdict(list)
            if query:
                for row in self.con.execute(query).fetchall():
                    got[row[0]].append(row[1:])
        return got

    def rows(self, query: str) -> list[tuple[Any, ...]]:
        return self.con.execute(query).fetchall()


class ColumnarValidator:
    """Compile the shapes once (constructor); validate the engine's current tables (``check_tables``)."""

    name = "columnar"

    def __init__(self, con: duckdb.DuckDBPyConnection, tables: PredicateTables, shapes: Graph,
                 ontology: Graph | None = None, policy: Graph | None = None) -> None:
        """``ontology`` and ``policy``: the graphs the fast validator is given; here they are
        already in the engine's knowledge tables, so they are not read again."""
        self.con = con
        self.tables = tables
        self.shapes_graph = shapes
        self.con.execute(_sql_text(SHAPES_SQL_DIR / "support" / "terms.sql"))
        self._targets: dict[tuple[Any, ...], _Target] = {}
        self._branches: list[tuple[int, str, str, dict[str, Any]]] = []   # value checks: (target, path, kind, params)
        self._conditions: dict[str, str] = {}                # a pattern's SQL condition -> its kind
        self._counts: list[tuple[int, str, int | None, int | None]] = []   # (target, path, min, max)
        self._count_of: dict[Node, int] = {}
        self._twins: list[tuple[Node, Path, str, list[str]]] = []   # (shape, file, SQL, columns)
        self._classes: set[str] = set()                      # classes whose instances a check needs
        self._views: set[str] = {"rdf_type", "rdfs_subClassOf"}   # predicate tables read as v_<stem>
        self.shapes: list[_Shape] = []
        for node in target_shape_nodes(self.shapes_graph, "columnar"):
            shape = self._compile_shape(node, target=None)
            if shape is not None:
                self.shapes.append(shape)
        missing = sorted(v for v in self._views if v not in tables.names)
        if missing:
            raise UnsupportedShapeError(
                "the columnar engine keeps no table for " + ", ".join(_iri_of_table(m) for m in missing)
                + " (its predicates must include reasoner.columnar.validate.shape_predicates)")
        self._values_query = self._values_sql()
        self._counts_query = self._counts_sql()
        self._focus_query = ("CREATE OR REPLACE TEMP TABLE _sv_focus AS SELECT * FROM ("
                             + " UNION ALL ".join(t.focus_sql() for t in self._targets.values())
                             + ") f(t, s, fk)") if self._targets else ""
        self._make_views()

    # --- compilation -----------------------------------------------------------------------
    def _target(self, node: Node) -> _Target:
        g = self.shapes_graph
        classes = sorted(g.objects(node, SH.targetClass))
        predicates = sorted(g.objects(node, SH.targetSubjectsOf))
        for term in classes + predicates:
            if not isinstance(term, URIRef):
                raise UnsupportedShapeError(f"shape {node}: a target class or predicate must be an IRI")
        for p in predicates:
            self._use(p)
        nodes = []
        for term in sorted(g.objects(node, SH.targetNode)):
            if isinstance(term, URIRef):
                nodes.append((str(term), "I", None))
            elif isinstance(term, Literal):
                _k, text, datatype = self._constant(term)
                nodes.append((text, "L", datatype))
            else:
                raise UnsupportedShapeError(f"blank node {term} cannot be a constraint parameter")
        self._classes.update(map(str, classes))
        key = (tuple(map(str, classes)), tuple(map(str, predicates)), tuple(nodes))
        if key not in self._targets:
            self._targets[key] = _Target(len(self._targets), key[0], key[1], tuple(nodes))
        return self._targets[key]

    def _compile_shape(self, node: Node, target: _Target | None) -> _Shape | None:
        g = self.shapes_graph
        deactivated = g.value(node, SH.deactivated)
        if deactivated is not None and bool(deactivated.toPython()):
            return None
        target = target or self._target(node)
        path = g.value(node, SH.path)
        if path is not None and not isinstance(path, URIRef):
            raise UnsupportedShapeError(f"shape {node}: only simple IRI paths are supported")
        if path is not None:
            self._use(path)
        severity = g.value(node, SH.severity) or SH.Violation
        shape = _Shape(node, severity, sorted(g.objects(node, SH.message)), target, path)  # type: ignore[arg-type]
        for pred, obj in sorted(g.predicate_objects(node)):
            if pred in _NON_CONSTRAINT or not str(pred).startswith(str(SH)):
                continue  # no constraint, or an annotation of the project (SHACL ignores it too)
            shape.constraints.extend(self._compile_constraint(shape, pred, obj))
        if shape.constraints and not shape.messages and not isinstance(node, BNode):
            raise UnsupportedShapeError(f"shape {node} has no sh:message (the generic pySHACL messages are not reproduced)")
        return shape

    def _use(self, predicate: Node) -> str:
        """The table stem of a predicate a check reads (its canonical view ``v_<stem>`` is made)."""
        stem = table_name(str(predicate))
        if stem is None:
            raise UnsupportedShapeError(f"predicate {predicate} has no table name in the columnar engine")
        self._views.add(stem)
        return stem

    def _constant(self, term: Literal) -> Term:
        """A literal of a shape (sh:in member, bound, target node) in Oxigraph's form."""
        if term.language:
            raise UnsupportedShapeError(f"language-tagged literal {term.n3()}: the predicate tables keep no language tag")
        datatype = str(term.datatype or XSD.string)
        text, dt = self.con.execute("SELECT sv_lex(?, 'L', ?), sv_dt(?, 'L', ?)", [str(term), datatype] * 2).fetchone()
        if text is None:
            text, dt, _number = oxigraph_forms([(str(term), datatype)])[(str(term), datatype)]
        return "L", text, dt

    def _values_sql(self) -> str:
        """Every value check in one query: the value nodes of each focus node (the focus itself for
        a node shape), joined with the branches of its target and path, kept by the branch's condition.

        Why one query with a CASE over the branch tag rather than a UNION of branches: DuckDB plans
        each statement afresh, and a plan per branch cost far more than the checks themselves.
        """
        if not self._branches:
            return ""
        conditions = {**_CONDITIONS, **{kind: sql for sql, kind in self._conditions.items()}}
        used = sorted({kind for _t, _p, kind, _params in self._branches})
        arms = " ".join(f"WHEN {_q(kind)} THEN {conditions[kind]}" for kind in used)
        # A condition reads only the value (and the branch's parameters), never the focus node:
        # values are judged first, over the values of the branch's path, and only the few that
        # fail are joined with the branch's focus nodes (joining every focus node first cost more
        # than all the checks). A node shape's value is its focus node.
        values = ("SELECT b.tag, b.t, x.s, x.k, x.o, x.d FROM _sv_branches b JOIN _sv_all x ON x.p = b.p "
                  "LEFT JOIN _sv_inst i ON i.sup = b.cls AND i.s = x.o WHERE b.p <> '' AND CASE b.kind {arms} END")
        nodes = ("SELECT b.tag, b.t, x.s, x.k, x.o, x.d FROM _sv_branches b JOIN (SELECT t, s, fk AS k, s AS o, "
                 f"NULL::VARCHAR AS d, FALSE AS ok, NULL::{_KEY_TYPE} AS c, NULL::BOOLEAN AS safe FROM _sv_focus "
                 "WHERE fk <> 'L' UNION ALL SELECT * FROM _sv_literals) x ON x.t = b.t AND b.p = '' "
                 "LEFT JOIN _sv_inst i ON i.sup = b.cls AND i.s = x.o WHERE CASE b.kind {arms} END")
        return (f"SELECT DISTINCT v.tag, f.s, f.fk, v.k, v.o, v.d FROM ({values.format(arms=arms)}) v "
                "JOIN _sv_focus f ON f.t = v.t AND f.s = v.s AND f.fk <> 'L' UNION "
                f"SELECT v.tag, v.s, v.k, v.k, v.o, v.d FROM ({nodes.format(arms=arms)}) v")

    def _counts_sql(self) -> str:
        """Focus nodes whose number of distinct values breaks a bound of a shape (tagged by shape)."""
        if not self._counts:
            return ""
        # A focus node without a value breaks sh:minCount >= 1 (an anti join). Distinct values are
        # counted only where the count of triples (never below it) can break a bound: above the
        # smallest sh:maxCount, or everywhere when a sh:minCount is above 1.
        highs = [high for _t, _p, _low, high in self._counts if high is not None]
        everywhere = any((low or 0) > 1 for _t, _p, low, _high in self._counts)
        having = "" if everywhere else f" HAVING count(*) > {min(highs)}" if highs else " HAVING FALSE"
        return (f"WITH many AS (SELECT x.p, x.s FROM _sv_all x SEMI JOIN _sv_counts b ON b.p = x.p "
                f"GROUP BY x.p, x.s{having}), "
                "exact AS (SELECT m.p, m.s, count(DISTINCT x.k || chr(1) || x.o || chr(1) || coalesce(x.d, '')) AS n "
                "FROM many m JOIN _sv_all x ON x.p = m.p AND x.s = m.s GROUP BY m.p, m.s) "
                "SELECT b.tag, f.s, f.fk, 0 AS n FROM _sv_counts b JOIN _sv_focus f ON f.t = b.t AND b.low > 0 "
                "ANTI JOIN _sv_all x ON x.p = b.p AND x.s = f.s AND f.fk <> 'L' UNION ALL "
                "SELECT b.tag, f.s, f.fk, e.n FROM exact e JOIN _sv_counts b ON b.p = e.p "
                "JOIN _sv_focus f ON f.t = b.t AND f.s = e.s AND f.fk <> 'L' "
                "WHERE (b.low > 0 AND e.n < b.low) OR (b.high IS NOT NULL AND e.n > b.high)")

    def _compile_constraint(self, shape: _Shape, pred: URIRef, obj: Node) -> list[_Constraint]:
        p = shape.path

        if pred in (SH.minCount, SH.maxCount):
            if p is None:
                raise UnsupportedShapeError(f"shape {shape.node}: {pred} needs sh:path")
            # One grouped count per shape for both its bounds; each constraint keeps the rows
            # that break its own bound.
            bounds = {c: self.shapes_graph.value(shape.node, c) for c in (SH.minCount, SH.maxCount)}
            low, high = (None if bounds[c] is None else int(bounds[c]) for c in (SH.minCount, SH.maxCount))
            if shape.node not in self._count_of:
                self._count_of[shape.node] = len(self._counts)
                self._counts.append((shape.target.index, table_name(str(p)) or "", low, high))
            tag = self._count_of[shape.node]
            n = int(obj)
            comp = SH.MinCountConstraintComponent if pred == SH.minCount else SH.MaxCountConstraintComponent

            def run_counts(r: _Run, tag: int = tag, n: int = n, minimum: bool = pred == SH.minCount) -> list[_Hit]:
                return [_Hit((fk, s, None)) for s, fk, count in r.tagged(self._counts_query).get(tag, [])
                        if (count < n if minimum else count > n)]
            return [_Constraint(comp, run_counts)]

        if pred == SH.nodeKind:
            if obj not in _NODE_KINDS:
                raise UnsupportedShapeError(f"shape {shape.node}: unknown sh:nodeKind {obj}")
            return [self._value_constraint(SH.NodeKindConstraintComponent, "nodeKind", shape, kinds=_NODE_KINDS[obj])]

        if pred == SH["class"]:
            if not isinstance(obj, URIRef):
                raise UnsupportedShapeError(f"shape {shape.node}: sh:class must be an IRI")
            self._classes.add(str(obj))
            return [self._value_constraint(SH.ClassConstraintComponent, "class", shape, cls=str(obj))]

        if pred == SH.datatype:
            # unknown datatype: every value is checked in Python
            kind = "datatype" if obj in _SAFE_DATATYPES else "string" if obj == XSD.string else "any"
            return [self._value_constraint(SH.DatatypeConstraintComponent, kind, shape, dt=str(obj),
                                           check=lambda v, d=obj: not _pyshacl_datatype_ok(v, d))]

        if pred in _RANGE_OPS:
            if not isinstance(obj, Literal):
                raise UnsupportedShapeError(f"shape {shape.node}: {pred} must be a literal")
            op = _RANGE_OPS[pred]
            return [self._value_constraint(_RANGE_COMPONENTS[pred], "range", shape, bound=self._constant(obj),
                                           orders=_RANGE_ORDERS[op],
                                           check=lambda v, b=obj, o=op: not _pyshacl_range_ok(v, b, o))]

        if pred == SH["in"]:
            members = []
            for member in Collection(self.shapes_graph, obj):
                if isinstance(member, URIRef):
                    members.append(_key(("I", str(member), None)))
                elif isinstance(member, Literal):
                    members.append(_key(self._constant(member)))
                else:
                    raise UnsupportedShapeError(f"blank node {member} cannot be a constraint parameter")
            return [self._value_constraint(SH.InConstraintComponent, "in", shape,
                                           members="".join(f"\x02{m}\x02" for m in members))]

        if pred == SH.pattern:
            flags = str(self.shapes_graph.value(shape.node, SH.flags) or "")
            if flags:
                raise UnsupportedShapeError(f"shape {shape.node}: sh:flags is not supported")
            regex = re.compile(str(obj))
            # What SQL (RE2) surely matches: printable ASCII text, where RE2 and Python's re agree.
            # Blank nodes always fail (pySHACL); every other value is matched by Python's re.
            sure = f"x.k IN ('I', 'L') AND regexp_full_match(x.o, '[ -~]*') AND regexp_matches(x.o, {_q(str(obj))})"
            try:
                self.con.execute(f"SELECT regexp_matches('', {_q(str(obj))})")
            except duckdb.Error:
                sure = "FALSE"  # a pattern RE2 cannot compile: Python's re judges every value
            kind = self._conditions.setdefault(f"NOT ({sure})", f"pattern{len(self._conditions)}")
            return [self._value_constraint(
                SH.PatternConstraintComponent, kind, shape,
                check=lambda v, rx=regex: isinstance(v, BNode) or not rx.search(str(v)))]

        if pred in (SH.lessThan, SH.lessThanOrEquals):
            if p is None:
                raise UnsupportedShapeError(f"shape {shape.node}: {pred} needs sh:path")
            if not isinstance(obj, URIRef):
                raise UnsupportedShapeError(f"shape {shape.node}: {pred} must name a property")
            strict = pred == SH.lessThan
            mine, other = self._use(p), self._use(obj)
            # Pairs, not DISTINCT: pySHACL reports one result per failing (value, other value) pair,
            # and a triple counts once per graph that holds it (knowledge, asserted, derived).
            query = (f"SELECT f.s, f.fk, v.k, v.o, v.d, w.k, w.o, w.d "
                     f"FROM (SELECT s, fk FROM _sv_focus WHERE t = {shape.target.index}) f "
                     f"JOIN (SELECT DISTINCT src, s, k, o, d, c FROM _sv_all WHERE p = {_q(mine)}) v "
                     "ON v.s = f.s AND f.fk <> 'L' "
                     f"JOIN (SELECT DISTINCT src, s, k, o, d, c FROM _sv_all WHERE p = {_q(other)}) w ON w.s = f.s "
                     f"WHERE NOT COALESCE(sv_cmp(v.k, v.o, v.d, v.c, w.k, w.o, w.d, w.c) "
                     f"{'= -1' if strict else '<= 0'}, FALSE)")
            comp = SH.LessThanConstraintComponent if strict else SH.LessThanOrEqualsConstraintComponent

            def run_pairs(r: _Run, query: str = query, strict: bool = strict) -> list[_Hit]:
                hits = []
                for s, fk, vk, vo, vd, wk, wo, wd in r.rows(query):
                    v = (vk, vo, vd)
                    if not _pyshacl_pair_ok(_node(v), _node((wk, wo, wd)), strict):
                        hits.append(_Hit((fk, s, None), v))
                return hits
            return [_Constraint(comp, run_pairs)]

        if pred == SH["or"]:
            if p is not None:
                raise UnsupportedShapeError(f"shape {shape.node}: sh:or is supported on node shapes only")
            members = [self._compile_shape(m, target=shape.target) for m in Collection(self.shapes_graph, obj)]

            def run_or(r: _Run, members: list[_Shape | None] = members) -> list[_Hit]:
                failing: set[Term] | None = None
                for m in members:
                    if m is None:  # a deactivated member conforms
                        return []
                    bad = {h.focus for c in m.constraints for h in c.run(r)}
                    failing = bad if failing is None else failing & bad
                    if not failing:
                        return []
                return [_Hit(f, f) for f in sorted(failing or set(), key=lambda t: t[1])]
            return [_Constraint(SH.OrConstraintComponent, run_or)]

        if pred == SH.sparql:
            if p is not None:
                raise UnsupportedShapeError(f"shape {shape.node}: sh:sparql is supported on node shapes only")
            return [self._compile_sparql(shape, obj)]

        if pred == SH.flags:
            return []
        raise UnsupportedShapeError(f"shape {shape.node}: {pred} is not supported by the columnar validator")

    def _value_constraint(self, component: URIRef, kind: str, shape: _Shape,
                          check: Callable[[Node], bool] | None = None, **params: Any) -> _Constraint:
        """A constraint whose rows are (focus, value): a tagged branch of the one values query.

        ``kind`` names the SQL condition (``_CONDITIONS``, or a pattern's own) that keeps each value
        node SQL cannot show to conform, ``params`` its parameters (columns of ``_sv_branches``);
        ``check`` confirms those candidates with pySHACL's own rule, as in the fast validator.
        """
        path = "" if shape.path is None else table_name(str(shape.path)) or ""
        self._branches.append((shape.target.index, path, kind, params))
        tag = len(self._branches) - 1

        def run(r: _Run) -> list[_Hit]:
            hits = []
            for this, thisk, k, o, d in r.tagged(self._values_query).get(tag, []):
                v = (k, o, d)
                if check is None or check(_node(v)):
                    hits.append(_Hit((thisk, this, None), v))
            return hits
        return _Constraint(component, run)

    def _compile_sparql(self, shape: _Shape, constraint: Node) -> _Constraint:
        """A SPARQL SELECT constraint, run as its SQL twin (``queries/cohort/shapes/<Shape>.sql``)."""
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
        head = re.search(r"SELECT\s+(?:DISTINCT\s+|REDUCED\s+)?(.*?)\bWHERE\s*\{", text, re.IGNORECASE | re.DOTALL)
        if head is None or not re.search(r"\$this\b", head.group(1)):
            raise UnsupportedShapeError(f"shape {shape.node}: a SPARQL constraint must project $this and have WHERE {{")
        projection = re.sub(r"\(.*?\bAS\s+([?$]\w+)\s*\)", r"\1", head.group(1), flags=re.IGNORECASE | re.DOTALL)
        variables = list(dict.fromkeys(re.findall(r"[?$](\w+)", projection)))
        if "failure" in variables:
            raise UnsupportedShapeError(f"shape {shape.node}: ?failure is not supported")
        twin_path = twin_of_shape(shape.node)
        if not twin_path.is_file():
            raise UnsupportedShapeError(f"shape {shape.node}: its SPARQL constraint has no SQL twin {twin_path}")
        recorded = re.search(r"\bsha256 ([0-9a-f]{16})\b", _sql_header(twin_path).get("twin", ""))
        if recorded is None or recorded.group(1) != select_fingerprint(text):
            raise UnsupportedShapeError(
                f"shape {shape.node}: its SQL twin {twin_path.name} was written for "
                + ("another" if recorded else "an unrecorded") + " text of the SPARQL constraint (its header's "
                f"'-- twin: … sha256 <hex>' must be {select_fingerprint(text)}); rewrite the twin for the shape's "
                "SPARQL, then record the new fingerprint")
        twin = _sql_text(twin_path)
        self._views.update(_VIEW_NAME.findall(twin))
        # sv_this: the shape's focus nodes ($this bound by the target, as the fast validator joins
        # it), for a twin that must start from them (FILTER NOT EXISTS over $this alone)
        twin = _THIS.sub(lambda _m: f"({_this_sql(shape.target.index)})", twin)
        expected = [c for v in variables for c in (v, f"{v}__k", f"{v}__d")]
        # DISTINCT over every projected term: pySHACL drops duplicate rows of one focus node
        query = (f"SELECT DISTINCT {', '.join('q.' + _ident(c) for c in expected)} FROM ({twin}) q WHERE EXISTS "
                 f"(SELECT 1 FROM _sv_focus f WHERE f.t = {shape.target.index} AND f.s = q.this AND f.fk = q.this__k)")
        render = _Messages(sorted(g.objects(constraint, SH.message)), shape.messages)
        # the bound variables in the order the fast validator binds them: the projection's, then
        # this, path and value
        others = [(v, 3 * i) for i, v in enumerate(variables) if v not in ("this", "path", "value")]
        at = {v: 3 * i for i, v in enumerate(variables)}
        p_at, v_at = at.get("path"), at.get("value")

        def run(r: _Run) -> list[_Hit]:
            hits: list[_Hit] = []
            for row in r.rows(query):
                focus = (row[1], row[0], row[2])
                path = None if p_at is None or row[p_at] is None else (row[p_at + 1], row[p_at], row[p_at + 2])
                value = focus if v_at is None or row[v_at] is None else (row[v_at + 1], row[v_at], row[v_at + 2])
                bound = {v: _text((row[i + 1], row[i], row[i + 2])) for v, i in others if row[i] is not None}
                bound["this"] = _text(focus)
                if path is not None:
                    bound["path"] = _text(path)
                bound["value"] = _text(value)
                hits.append(_Hit(focus, value, None if path is None else _term_text(path), bound, render))
            return hits

        self._twins.append((shape.node, twin_path, twin, expected))
        return _Constraint(SH.SPARQLConstraintComponent, run)

    # --- the canonical views -----------------------------------------------------------------
    def _make_views(self) -> None:
        """The tables and views every check reads, and the knowledge's part of them, made once.

        ``_sv_all``(p, src, s, k, o, d, ok, c, safe): every triple of the predicates the shapes
        read (p the table stem, src k/a/d), its object in Oxigraph's form: ``ok`` whether a literal
        is a valid value, ``c`` what comparing it needs, ``safe`` whether it has the fast
        validator's surely valid lexical form. A literal is canonicalised once per distinct
        (lexical form, datatype) into a dictionary that the values join, so the regular-expression
        work is per distinct literal, not per triple, and strings and IRIs need none.
        ``v_<stem>``: one predicate's rows of it, for the SQL twins.
        """
        # rdf:type is read for its IRIs only (classes), so it needs no canonical forms
        stems = sorted(self._views - {"rdf_type", "rdfs_subClassOf"})
        self._raw_sql = {part: " UNION ALL ".join(f"SELECT {_q(s)} AS p, {_q(src)} AS src, s, k, o, d FROM {src}_{s}"
                                                  for s in stems for src in part)
                         for part in ("k", "ad")}   # knowledge; asserted + derived
        self._make_values("_sv_vals_k", "_sv_terms_k", self._raw_sql["k"])
        self._make_values("_sv_vals", "_sv_terms", self._raw_sql["ad"])
        self.con.execute("CREATE OR REPLACE TEMP VIEW _sv_all AS SELECT * FROM _sv_vals_k UNION ALL SELECT * FROM _sv_vals")
        for stem in stems:
            self.con.execute(f"CREATE OR REPLACE TEMP VIEW v_{stem} AS SELECT src, s, k, o, d, ok, c, safe "
                             f"FROM _sv_all WHERE p = {_q(stem)}")
        self.con.execute("CREATE OR REPLACE TEMP VIEW v_rdf_type AS SELECT NULL AS src, s, k, o, d, FALSE AS ok, "
                         f"NULL::{_KEY_TYPE} AS c, NULL::BOOLEAN AS safe FROM p_rdf_type")
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE _sv_branches (tag INTEGER, t INTEGER, p VARCHAR, kind VARCHAR, "
                         f"cls VARCHAR, kinds VARCHAR, dt VARCHAR, lo INTEGER, hi INTEGER, members VARCHAR, "
                         f"bk VARCHAR, bo VARCHAR, bd VARCHAR, bc {_KEY_TYPE})")
        for tag, (target, path, kind, params) in enumerate(self._branches):
            bk, bo, bd = params.get("bound") or (None, None, None)
            lo, hi = params.get("orders") or (None, None)
            self.con.execute("INSERT INTO _sv_branches SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                             "sv_key(?, ?, sv_ok(?, 'L', ?))",
                             [tag, target, path, kind, params.get("cls"), params.get("kinds"), params.get("dt"),
                              lo, hi, params.get("members"), bk, bo, bd, bo, bd, bo, bd])
        self.con.execute("CREATE OR REPLACE TEMP TABLE _sv_counts (tag INTEGER, t INTEGER, p VARCHAR, low INTEGER, "
                         "high INTEGER)")
        if self._counts:
            self.con.executemany("INSERT INTO _sv_counts VALUES (?, ?, ?, ?, ?)",
                                 [[tag, *spec] for tag, spec in enumerate(self._counts)])
        # the static class hierarchy (the knowledge's rdfs:subClassOf), made once
        self._closure("_sv_classes_k", "k_rdfs_subClassOf")
        self.con.execute("CREATE OR REPLACE TEMP TABLE _sv_inst (sup VARCHAR, s VARCHAR)")
        self.con.execute("CREATE OR REPLACE TEMP TABLE _sv_focus (t INTEGER, s VARCHAR, fk VARCHAR)")
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE _sv_literals (t INTEGER, s VARCHAR, k VARCHAR, o VARCHAR, "
                         f"d VARCHAR, ok BOOLEAN, c {_KEY_TYPE}, safe BOOLEAN)")
        for target in self._targets.values():
            for select in target.literals_sql():
                self.con.execute("INSERT INTO _sv_literals SELECT t, s, k, s, d, ok, c, safe FROM "
                                 f"({select}) x(t, s, k, d, ok, c, safe)")
        for node, path, twin, expected in self._twins:
            columns = [c[0] for c in self.con.execute(f"SELECT * FROM ({twin}) LIMIT 0").description]
            if sorted(columns) != sorted(expected):
                raise UnsupportedShapeError(
                    f"shape {node}: the SQL twin {path.name} must give the columns {', '.join(expected)} "
                    f"(x, x__k, x__d for each projected variable x), not {', '.join(columns)}")

    def _make_values(self, name: str, dictionary: str, raw: str) -> None:
        """``name``: the rows of ``raw`` (p, src, s, k, o, d) with their objects in Oxigraph's form."""
        self._fill_dictionary(dictionary, f"SELECT o, d FROM ({raw}) WHERE k = 'L' AND d <> {_q(_XSD_STRING)}")
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT x.p, x.src, x.s, x.k, COALESCE(t.o, x.o) AS o, "
                         "COALESCE(t.d, x.d) AS d, COALESCE(t.ok, FALSE) AS ok, t.c, t.safe FROM (" + raw + ") x "
                         f"LEFT JOIN {dictionary} t ON x.k = 'L' AND t.ro = x.o AND t.rd = x.d")

    def _fill_dictionary(self, name: str, raw: str) -> None:
        """``name``(ro, rd, o, d, ok, c, safe): the distinct literals of ``raw`` (o, d) in Oxigraph's
        form; the few only Oxigraph can canonicalise (doubles, date-times, …) are asked of it.

        A plain date (YYYY-MM-DD, valid), most of the literals, is its own canonical form: it skips
        the general macros, which are written for every lexical form.
        """
        date = _q(str(XSD.date))
        self.con.execute(
            "CREATE OR REPLACE TEMP TABLE _sv_lex AS SELECT ro, rd, plain, "
            "CASE WHEN plain THEN ro ELSE sv_lex(ro, 'L', rd) END AS o, "
            "CASE WHEN plain THEN rd ELSE sv_dt(ro, 'L', rd) END AS d, "
            "CASE WHEN plain THEN TRUE ELSE sv_ok(ro, 'L', rd) END AS ok FROM ("
            f"SELECT ro, rd, COALESCE(rd = {date} AND regexp_full_match(ro, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}') "
            "AND TRY_CAST(ro AS DATE) IS NOT NULL, FALSE) AS plain "
            f"FROM (SELECT DISTINCT o AS ro, d AS rd FROM ({raw})))")
        hard = self.con.execute("SELECT ro, rd FROM _sv_lex WHERE o IS NULL").fetchall()
        if hard:
            forms = oxigraph_forms((ro, rd) for ro, rd in hard)
            self.con.executemany("UPDATE _sv_lex SET o = ?, d = ?, ok = ? WHERE ro = ? AND rd = ?",
                                 [[*forms[(ro, rd)], ro, rd] for ro, rd in hard])
        self.con.execute(
            f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT ro, rd, o, d, ok, "
            "CASE WHEN plain THEN {'nk': NULL::INTEGER, 'ip': NULL::BIGINT, 'fp': NULL::BIGINT, 'nf': NULL::FLOAT, "
            "'nx': NULL::DOUBLE, 'ds': CAST(CAST(o AS DATE) - DATE '1970-01-01' AS BIGINT) * 86400, 'dz': FALSE} "
            "ELSE sv_key(o, d, ok) END AS c, CASE WHEN plain THEN TRUE ELSE sv_safe(o, d, ok) END AS safe FROM _sv_lex")

    def _closure(self, name: str, edges: str) -> None:
        """``name``(cls, sup): every class that is C or a subclass of C (rdfs:subClassOf*), for each needed C."""
        if not self._classes:
            self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} (cls VARCHAR, sup VARCHAR)")
            return
        seeds = ", ".join(f"({_q(c)})" for c in sorted(self._classes))
        self.con.execute(
            f"CREATE OR REPLACE TEMP TABLE {name} AS WITH RECURSIVE down(cls, sup) AS ("
            f"SELECT c, c FROM (VALUES {seeds}) t(c) UNION "
            f"SELECT e.s, down.sup FROM {edges} e JOIN down ON e.o = down.cls AND e.k IN ('I', 'B')) "
            "SELECT DISTINCT cls, sup FROM down")

    # --- running ---------------------------------------------------------------------------
    def _prepare(self) -> None:
        """The per-check tables: the literal dictionary, class instances, focus nodes."""
        self._make_values("_sv_vals", "_sv_terms", self._raw_sql["ad"])
        dynamic = self.con.execute("SELECT (SELECT count(*) FROM a_rdfs_subClassOf) + "
                                   "(SELECT count(*) FROM d_rdfs_subClassOf)").fetchone()[0]
        if dynamic:  # the data says rdfs:subClassOf: the hierarchy is the union's, as SPARQL's path sees it
            self._closure("_sv_classes", "p_rdfs_subClassOf")
            classes = "_sv_classes"
        else:
            classes = "_sv_classes_k"
        self.con.execute("CREATE OR REPLACE TEMP TABLE _sv_inst AS SELECT DISTINCT c.sup, t.s FROM p_rdf_type t "
                         f"JOIN {classes} c ON c.cls = t.o WHERE t.k <> 'L'")
        if self._focus_query:
            self.con.execute(self._focus_query)

    def check_tables(self) -> Validation:
        """Validate the asserted + derived data now in the engine's tables (after its rules ran)."""
        try:
            self._prepare()
            run = _Run(self.con)
            records = []
            conforms = True
            for shape in self.shapes:
                severity = SEVERITY_NAMES.get(shape.severity, str(shape.severity))  # type: ignore[arg-type]
                violation = shape.severity == SH.Violation
                source = _node_text(shape.node)
                plain = tuple(sorted(str(m) for m in dict.fromkeys(shape.messages)))
                for constraint in shape.constraints:
                    for hit in constraint.run(run):
                        if violation:
                            conforms = False
                        path = hit.path if hit.path is not None else (None if shape.path is None else str(shape.path))
                        messages = plain if hit.render is None else hit.render(hit.bound or {})
                        records.append(ResultRecord(_term_text(hit.focus), severity, source, str(constraint.component),
                                                    path, None if hit.value is None else _term_text(hit.value),
                                                    messages))
        except duckdb.Error as exc:
            raise RuleError(f"columnar validation failed: {str(exc).splitlines()[0]}") from exc
        return Validation(conforms, sort_records(records))


class _Messages:
    """The messages of a SPARQL constraint's results: the constraint's own, then the shape's, each
    templated (``{?var}``/``{$var}``) as the fast validator (and pySHACL) do, deduplicated and sorted
    as a record holds them.

    Why not ``FastValidator._substitute`` for every result: it runs one ``re.sub`` per bound variable
    and message, most of a result's cost. One pass gives the same text whenever no value has a brace
    or a backslash and the template has no brace outside its ``{?var}`` patterns (so no replacement
    can make or unmake another pattern, and ``re.sub`` escapes play no part); otherwise the fast
    validator's own function is called.
    """

    _PATTERN = re.compile(r"\{[?$](\w+)\}")

    def __init__(self, extra: list[Node], messages: list[Node]) -> None:
        self.messages = [m for m in extra if m not in messages] + list(messages)
        self.plain = all(isinstance(m, Literal) for m in self.messages) and not any(
            "{" in self._PATTERN.sub("", str(m.value)) or "}" in self._PATTERN.sub("", str(m.value))
            for m in self.messages)
        self.texts = [str(m.value) if isinstance(m, Literal) else "" for m in self.messages]
        # the variables the templates name: on the one-pass path the messages depend on these only
        self.variables = sorted({v for text in self.texts for v in self._PATTERN.findall(text)})
        self._done: dict[tuple[str | None, ...], tuple[str, ...]] = {}

    def __call__(self, bound: dict[str, str]) -> tuple[str, ...]:
        if self.plain and not any("{" in v or "}" in v or "\\" in v for v in bound.values()):
            key = tuple(bound.get(v) for v in self.variables)
            got = self._done.get(key)
            if got is None:
                def fill(m: re.Match[str]) -> str:
                    return bound.get(m.group(1), m.group(0))
                got = tuple(sorted({self._PATTERN.sub(fill, text) for text in self.texts}))
                if len(self._done) < 65536:
                    self._done[key] = got
            return got
        out: list[Node] = [Literal(FastValidator._substitute(text, bound)) if isinstance(m, Literal) else m
                           for m, text in zip(self.messages, self.texts)]
        return tuple(sorted(str(m) for m in dict.fromkeys(out)))


def _node_text(node: Node) -> str:
    return "_:" + str(node) if isinstance(node, BNode) else str(node)


def _ident(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'


def shape_predicates(shapes: Graph) -> set[str]:
    """The predicate IRIs the columnar validator reads for these shapes (the engine must keep a table
    for each): paths, compared properties, targetSubjectsOf, rdf:type, rdfs:subClassOf, and what the
    SQL twins of the SPARQL constraints read."""
    out = {str(RDF.type), str(RDFS.subClassOf)}
    for p in (SH.path, SH.lessThan, SH.lessThanOrEquals, SH.targetSubjectsOf):
        out.update(str(o) for o in shapes.objects(None, p) if isinstance(o, URIRef))
    for node in set(shapes.subjects(SH.sparql, None)):
        twin = twin_of_shape(node)
        if twin.is_file():
            out.update(_iri_of_table(s) for s in _VIEW_NAME.findall(_sql_text(twin)))
    return out


def twin_of_shape(shape: Node) -> Path:
    """The SQL twin of a shape's SPARQL constraint: ``queries/cohort/shapes/<the shape's local name>.sql``."""
    return SHAPES_SQL_DIR / f"{str(shape).rsplit('#', 1)[-1].rsplit('/', 1)[-1]}.sql"


__all__ = ["ColumnarValidator", "UnsupportedShapeError", "SHAPES_SQL_DIR", "oxigraph_forms", "select_fingerprint",
           "shape_predicates", "twin_of_shape"]
