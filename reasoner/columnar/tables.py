"""RDF as typed columns: one DuckDB table per predicate, for set-at-a-time rules over a whole shard.

Why one table per predicate (vertical partitioning) rather than one wide table per record type:
the SQL twins of the rules (``queries/cohort/*.sql``) must give what the SPARQL rules give on any
data, malformed data included (a trial with two drugs, two end dates): a triple pattern is a join
with the predicate's table, so multiplicity and absence behave exactly as in SPARQL, while each
table is narrow and typed, so DuckDB joins and aggregates a shard of thousands of patients at
once instead of one patient at a time.

Every predicate table has the columns::

    s   VARCHAR   the subject (an IRI, or ``_:label`` for a blank node)
    o   VARCHAR   the object: an IRI, ``_:label``, or a literal's lexical form
    k   VARCHAR   the object's kind: 'I' IRI, 'B' blank node, 'L' literal
    d   VARCHAR   a literal's datatype IRI (NULL for IRIs and blank nodes)
    n   DOUBLE    the number, when the literal is a well-formed number (NULL otherwise: an
                  ill-typed ``"high"^^xsd:decimal`` is no number, as in SPARQL)
    dt  DATE      the date, when the literal is a valid ``xsd:date``
    b   BOOLEAN   the truth value of an ``xsd:boolean``

Three sources, each with its own table per predicate, and one view over their union (SPARQL's
union default graph): ``k_<pred>`` the knowledge (ontology + effective policy + evaluation
context + rules metadata, loaded once per engine), ``a_<pred>`` the asserted patient data of the
current shard, ``d_<pred>`` the facts the rules derive; ``p_<pred>`` = all three.

Asserted data is loaded as the SPARQL engine's workspace loads it: a value of a numeric property
that is no usable number (``"NaN"^^xsd:decimal``, ``"INF"^^xsd:double``, an ill-typed or 400-digit
value; :mod:`reasoner.io.numbers` judges, on the properties of
:func:`reasoner.knowledge.loader.numeric_properties`) becomes a plain string of the same lexical
form as Oxigraph stores it (:func:`quarantine_numbers`), so it is no number to any twin either.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyoxigraph as ox

from reasoner.errors import InputError
from reasoner.io.numbers import NUMERIC_DATATYPES, usable_number
from reasoner.knowledge.loader import numeric_properties

_XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC = tuple(_XSD + t for t in (
    "integer", "decimal", "double", "float", "int", "long", "short", "byte", "nonNegativeInteger",
    "positiveInteger", "nonPositiveInteger", "negativeInteger", "unsignedLong", "unsignedInt",
    "unsignedShort", "unsignedByte"))

#: namespace -> the prefix of table names (``trd:drug`` -> ``trd_drug``)
NAMESPACES: dict[str, str] = {
    "https://w3id.org/trd-reasoner/ontology#": "trd",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#": "rdf",
    "http://www.w3.org/2000/01/rdf-schema#": "rdfs",
    "http://www.w3.org/2002/07/owl#": "owl",
    "http://www.w3.org/2004/02/skos/core#": "skos",
    "http://www.w3.org/ns/prov#": "prov",
    "http://purl.org/dc/terms/": "dcterms",
    "http://www.geneontology.org/formats/oboInOwl#": "oboInOwl",
}
_SAFE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
PROV_GENERATED = "http://www.w3.org/ns/prov#wasGeneratedBy"

SCHEMA = pa.schema([("s", pa.string()), ("p", pa.string()), ("o", pa.string()), ("k", pa.string()),
                    ("d", pa.string())])


def table_name(predicate: str) -> str | None:
    """The table-name stem of a predicate IRI (``trd_drug``), or None for a namespace we do not map."""
    for ns, prefix in NAMESPACES.items():
        if predicate.startswith(ns):
            local = predicate[len(ns):]
            return f"{prefix}_{local}" if _SAFE.match(local) else None
    return None


def _term(term: Any) -> tuple[str, str, str | None]:
    """(text, kind, datatype) of a pyoxigraph object term."""
    if isinstance(term, ox.Literal):
        return term.value, "L", term.datatype.value
    if isinstance(term, ox.NamedNode):
        return term.value, "I", None
    return "_:" + term.value, "B", None


def triples_table(triples: Iterable[ox.Triple | ox.Quad]) -> pa.Table:
    """Triples as an Arrow table (s, p, o, k, d); blank nodes keep their labels as ``_:label``."""
    s, p, o, k, d = [], [], [], [], []
    for t in triples:
        subject = t.subject
        s.append(subject.value if isinstance(subject, ox.NamedNode) else "_:" + subject.value)
        p.append(t.predicate.value)
        text, kind, dtype = _term(t.object)
        o.append(text)
        k.append(kind)
        d.append(dtype)
    return pa.table({"s": s, "p": p, "o": o, "k": k, "d": d}, schema=SCHEMA)


def parse_ntriples(data: bytes) -> pa.Table:
    """N-Triples bytes (what every reader of the project can give) as an Arrow triples table."""
    try:
        return triples_table(ox.parse(data, format=ox.RdfFormat.N_TRIPLES))
    except (SyntaxError, ValueError) as exc:
        raise InputError(f"not valid N-Triples ({str(exc).splitlines()[0]})") from exc


def quarantine_numbers(triples: pa.Table, properties: Iterable[str] | None = None) -> pa.Table:
    """The triples with each unusable number of a numeric property made a plain string, as the
    SPARQL pipeline's workspace does to its asserted graph (:mod:`reasoner.io.numbers`).

    The workspace judges the literal Oxigraph stored (``"1.000000000000000000001"^^xsd:decimal``
    is stored as ``1``, usable; ``"1e400"^^xsd:double`` as ``INF``, not) and keeps its stored
    text as the string, so each distinct candidate is put through an Oxigraph store here too;
    a usable number is left as written. ``properties``: the numeric properties (default: the
    ontology's and shapes', :func:`reasoner.knowledge.loader.numeric_properties`).
    """
    properties = numeric_properties() if properties is None else properties
    mask = pc.and_(pc.and_(pc.is_in(triples["p"], value_set=pa.array(sorted(set(properties)), pa.string())),
                           pc.equal(triples["k"], "L")),
                   pc.is_in(triples["d"], value_set=pa.array(sorted(NUMERIC_DATATYPES), pa.string())))
    mask = pc.fill_null(mask, False)
    if not pc.any(mask).as_py():
        return triples
    chosen = triples.filter(mask)
    pairs = sorted(set(zip(chosen["o"].to_pylist(), chosen["d"].to_pylist())))
    store = ox.Store()
    predicate = ox.NamedNode("urn:trd:quarantine")
    store.extend(ox.Quad(ox.NamedNode(f"urn:trd:q{i}"), predicate, ox.Literal(o, datatype=ox.NamedNode(d)))
                 for i, (o, d) in enumerate(pairs))
    plain = {}
    for quad in store.quads_for_pattern(None, predicate, None):
        stored = quad.object
        if stored.datatype.value in NUMERIC_DATATYPES and not usable_number(stored.value, stored.datatype.value):
            plain[pairs[int(quad.subject.value[len("urn:trd:q"):])]] = stored.value
    if not plain:
        return triples
    o, d = triples["o"].to_pylist(), triples["d"].to_pylist()
    for i in pc.indices_nonzero(mask).to_pylist():
        text = plain.get((o[i], d[i]))
        if text is not None:
            o[i], d[i] = text, _XSD + "string"
    return triples.set_column(triples.schema.get_field_index("o"), "o", pa.array(o, pa.string())) \
        .set_column(triples.schema.get_field_index("d"), "d", pa.array(d, pa.string()))


_COLUMNS = (f"s, o, k, d, CASE WHEN d IN ({', '.join(repr(x) for x in NUMERIC)}) THEN TRY_CAST(o AS DOUBLE) END AS n, "
            f"CASE WHEN d = '{_XSD}date' THEN TRY_CAST(o AS DATE) END AS dt, "
            f"CASE WHEN d = '{_XSD}boolean' THEN (CASE o WHEN 'true' THEN TRUE WHEN '1' THEN TRUE "
            "WHEN 'false' THEN FALSE WHEN '0' THEN FALSE END) END AS b")
_EMPTY = "SELECT '' AS s, '' AS o, '' AS k, '' AS d, 0.0::DOUBLE AS n, DATE '2000-01-01' AS dt, FALSE AS b LIMIT 0"


class PredicateTables:
    """The predicate tables of one DuckDB connection (see module docstring)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, predicates: Iterable[str]) -> None:
        """``predicates``: the IRIs every rule and read-back query may use (tables exist for
        each, empty when no data has the predicate)."""
        self.con = con
        self.names = sorted({n for n in (table_name(p) for p in predicates) if n is not None})
        self._iri = {table_name(p): p for p in predicates if table_name(p) is not None}

    def _fill(self, prefix: str, source: pa.Table) -> set[str]:
        """``<prefix>_<pred>`` rows from an Arrow triples table, for the predicates it holds (the
        tables exist already); returns the names filled."""
        present = [p for p in set(source.column("p").unique().to_pylist()) if table_name(p) in self._iri]
        self.con.register("_triples", source)
        try:
            for iri in present:
                name = table_name(iri)
                self.con.execute(f"INSERT INTO {prefix}_{name} SELECT {_COLUMNS} FROM "
                                 f"(SELECT DISTINCT s, o, k, d FROM _triples WHERE p = ?)", [iri])
        finally:
            self.con.unregister("_triples")
        return {table_name(iri) for iri in present}  # type: ignore[misc]

    def load_knowledge(self, triples: pa.Table) -> None:
        """The knowledge tables (once per engine) and the union views over all three sources."""
        for prefix in ("k", "a", "d"):
            for name in self.names:
                self.con.execute(f"CREATE OR REPLACE TABLE {prefix}_{name} AS {_EMPTY}")
        self._fill("k", triples)
        for name in self.names:
            self.con.execute(f"CREATE OR REPLACE VIEW p_{name} AS SELECT * FROM k_{name} "
                             f"UNION ALL SELECT * FROM a_{name} UNION ALL SELECT * FROM d_{name}")
        self._asserted: set[str] = set()
        self._derived: set[str] = set()
        self._unmarked = False  # derived subjects without a wasGeneratedBy row (see _seen_subjects)

    def load_asserted(self, triples: pa.Table) -> None:
        """A shard's asserted data, replacing the previous shard's; the derived tables are emptied
        (only the tables the previous shard filled are touched)."""
        for name in self._asserted:
            self.con.execute(f"DELETE FROM a_{name}")
        for name in self._derived:
            self.con.execute(f"DELETE FROM d_{name}")
        self._derived = set()
        self._unmarked = False
        self._asserted = self._fill("a", quarantine_numbers(triples))

    def load_derived(self, triples: pa.Table) -> None:
        """Derived facts made by another engine (the SPARQL rules' derived graph), replacing the
        derived tables' rows: the columnar validator then checks exactly the data another
        validator checked (tests/columnar/test_validation.py)."""
        for name in self._derived:
            self.con.execute(f"DELETE FROM d_{name}")
        self._derived = self._fill("d", triples)
        self._unmarked = True

    def derive(self, sql: str, generated_by: str | None = None) -> int:
        """Add the triples a rule's SQL selects (columns s, p, o, k, d) to the derived tables.

        As a SPARQL CONSTRUCT: a row with an unbound (NULL) term makes no triple, the result is a
        set (no duplicates), and ``generated_by`` (the rule's IRI) is recorded for every subject
        (``prov:wasGeneratedBy``, as the SPARQL engine adds it to each template). Returns how
        many triples were new.
        """
        # the typed columns (n, dt, b) once per rule, not once per predicate: each INSERT below then
        # binds a plain column list (planning the typing expressions cost more than most inserts)
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE _new AS SELECT p, {_COLUMNS} FROM "
                         f"(SELECT DISTINCT s, p, o, k, d FROM ({sql}) "
                         "WHERE s IS NOT NULL AND p IS NOT NULL AND o IS NOT NULL)")
        if generated_by is not None:
            self.con.execute(f"INSERT INTO _new SELECT DISTINCT '{PROV_GENERATED}', s, ?, 'I', NULL, NULL, NULL, NULL "
                             "FROM _new", [generated_by])
        added = 0
        predicates = [p for (p,) in self.con.execute("SELECT DISTINCT p FROM _new").fetchall()]
        seen = self._seen_subjects(predicates)
        if generated_by is None:
            self._unmarked = True  # subjects without a wasGeneratedBy row: later checks compare all
        for p in predicates:
            name = table_name(p)
            if name is None or name not in self._iri:
                raise InputError(f"a rule derives {p}, which no predicate table holds")
            if name in self._derived and p != PROV_GENERATED and seen is not None:
                # a predicate another rule wrote already: keep the set a set (compared only with the
                # rows of the subjects derived before that this rule writes too). wasGeneratedBy needs
                # no check: each rule writes (subject, its own IRI) pairs, distinct already.
                sql_rows = (f"SELECT s, o, k, d, n, dt, b FROM _new x WHERE p = $1 AND NOT EXISTS ("
                            f"SELECT 1 FROM d_{name} y WHERE y.s IN (SELECT s FROM {seen}) AND y.s = x.s "
                            "AND y.o = x.o AND y.k IS NOT DISTINCT FROM x.k AND y.d IS NOT DISTINCT FROM x.d)")
            else:
                sql_rows = f"SELECT s, o, k, d, n, dt, b FROM _new WHERE p = $1"
            added += self.con.execute(f"INSERT INTO d_{name} {sql_rows}", [p]).fetchone()[0]
            self._derived.add(name)
        return added

    def _seen_subjects(self, predicates: list[str]) -> str | None:
        """The table of this rule's subjects that earlier rules derived facts about (``_seen``), or
        None when there are none, so no predicate table needs the set check.

        Why: comparing each new row with the whole derived table of a predicate that other rules
        write too (rdf:type, prov:wasDerivedFrom, …) scanned those large tables once per rule and
        predicate. Every subject a rule derives a fact about gets its ``prov:wasGeneratedBy`` row in
        the same call (``derive`` adds it before inserting), so the subjects derived before are
        those with a ``d_prov_wasGeneratedBy`` row: one probe per rule, and the set check only
        where it can find something. After ``load_derived`` (another engine's facts, whose
        subjects need not all carry that row) every subject is compared, as before.
        """
        if not any((table_name(p) in self._derived) for p in predicates if p != PROV_GENERATED):
            return None
        if self._unmarked:
            return "_new"
        generated = table_name(PROV_GENERATED)
        if generated not in self._derived:
            return None
        self.con.execute("CREATE OR REPLACE TEMP TABLE _seen AS SELECT DISTINCT s FROM _new "
                         f"WHERE s IN (SELECT s FROM d_{generated})")
        if self.con.execute("SELECT count(*) FROM _seen").fetchone()[0] == 0:
            return None
        return "_seen"

    def derived_triples(self) -> pa.Table:
        """Every derived triple (s, p, o, k, d), for the results store."""
        parts = [f"SELECT s, '{self._iri[name]}' AS p, o, k, d FROM d_{name}" for name in self.names]
        return self.con.sql(" UNION ALL ".join(parts)).to_arrow_table()


__all__ = ["PredicateTables", "quarantine_numbers", "table_name", "triples_table", "parse_ntriples", "NUMERIC", "NAMESPACES"]
