"""The columnar engine: the rules evaluated set-at-a-time in DuckDB over a whole shard of patients.

Why a second engine: the SPARQL engine (:mod:`reasoner.rules`) is the specification and runs one
patient (or a batch) per Oxigraph store; compiling some sixty SPARQL texts per batch and loading
hundreds of derived triples a patient costs milliseconds a patient, which caps a cohort run far
below a million patients an hour on two cores. Here every rule has a SQL *twin*
(``queries/cohort/<rule>.sql``, beside ``queries/infer/<rule>.rq``) over the predicate tables of
:mod:`reasoner.columnar.tables`: a triple pattern is a join, a CONSTRUCT template the SELECT of
(s, p, o, k, d) rows, so each twin reads as its SPARQL rule does and derives the same facts, for
thousands of patients in one statement. Thresholds come from the policy graph, loaded into the
same tables as the ontology (never literals in SQL).

The rules run in the SPARQL rule set's dependency order; a rule without its twin is refused. The
findings are read back by twins of the read-back queries (``queries/cohort/findings/*.sql``) and
assembled by the same code as the SPARQL engine's (:func:`reasoner.findings.read.read_findings`),
so both engines give the same patient objects; tests/columnar/test_twins.py compares them
field by field.
"""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute  # noqa: F401  (pa.compute)
import pyoxigraph as ox

from reasoner.errors import RuleError
from reasoner.findings.read import read_findings, rule_evidence
from reasoner.knowledge.loader import ontology_ntriples
from reasoner.knowledge.paths import INFER_DIR, QUERIES_DIR
from reasoner.knowledge.policy import as_of_date, policy_graph, policy_name
from reasoner.knowledge.queries import compact_query, parse_header
from reasoner.pipeline import AssessmentResult
from reasoner.rules.engine import RunStats, rules_metadata
from reasoner.rules.ordering import order_rules
from reasoner.rules.rule import Rule, load_rules
from reasoner.rules.terms import lexical_value
from reasoner.columnar.tables import PredicateTables, parse_ntriples, triples_table

TWINS_DIR: Path = QUERIES_DIR / "cohort"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
PROPERTY_TYPES = frozenset("http://www.w3.org/2002/07/owl#" + t for t in (
    "ObjectProperty", "DatatypeProperty", "AnnotationProperty", "FunctionalProperty"))
READ_DIR: Path = TWINS_DIR / "findings"

#: SQL macros every twin may use: IRIs of the project's namespaces and the XSD datatypes.
_MACROS = """
CREATE OR REPLACE MACRO trd(local) AS 'https://w3id.org/trd-reasoner/ontology#' || local;
CREATE OR REPLACE MACRO xsd(local) AS 'http://www.w3.org/2001/XMLSchema#' || local;
CREATE OR REPLACE MACRO rdf(local) AS 'http://www.w3.org/1999/02/22-rdf-syntax-ns#' || local;
CREATE OR REPLACE MACRO rdfs(local) AS 'http://www.w3.org/2000/01/rdf-schema#' || local;
CREATE OR REPLACE MACRO prov(local) AS 'http://www.w3.org/ns/prov#' || local;
CREATE OR REPLACE MACRO skos(local) AS 'http://www.w3.org/2004/02/skos/core#' || local;
CREATE OR REPLACE MACRO jdn(day) AS CAST(julian(day) AS BIGINT);
CREATE OR REPLACE MACRO is_iri(x) AS NOT starts_with(x, '_:');
"""


def _sql_file(path: Path) -> str:
    """A twin's SQL text, header checked (the same ``# intent/inputs/source`` header as every
    query file, written as ``-- intent:`` … lines)."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    leading = next((i for i, line in enumerate(lines) if not line.startswith("--")), len(lines))
    parse_header("\n".join("#" + line[2:] for line in lines[:leading]), path)
    return "\n".join(line for line in lines if not line.lstrip().startswith("--"))


def twin_of(rule: Rule, directory: Path = TWINS_DIR) -> Path:
    """The SQL twin of a SPARQL rule (``queries/cohort/<rule>.sql``)."""
    return directory / f"{rule.name}.sql"


@functools.lru_cache(maxsize=4)
def _knowledge_triples(policy: str, as_of: str, rules_dir: str) -> tuple[pa.Table, str]:
    """Ontology + effective policy + evaluation context + rules metadata, as one triples table."""
    graph = policy_graph(policy, as_of)
    parts = [ontology_ntriples(), graph.serialize(format="nt", encoding="utf-8"),
             rules_metadata(order_rules(load_rules(rules_dir))).serialize(format="nt", encoding="utf-8")]
    triples = triples_table(t for part in parts for t in ox.parse(part, format=ox.RdfFormat.N_TRIPLES))
    return triples, policy_name(graph)


class ColumnarEngine:
    """The rules and the findings read-back, in SQL, for many patients at a time."""

    def __init__(self, policy: str | Path = "default", as_of: str | dt.date | None = None,
                 rules_dir: Path = INFER_DIR, twins_dir: Path = TWINS_DIR) -> None:
        self.as_of = (as_of_date(as_of) or dt.date.today()).isoformat()
        knowledge, self.policy = _knowledge_triples(str(policy), self.as_of, str(rules_dir))
        self.rules = order_rules(load_rules(rules_dir))
        missing = [r.name for r in self.rules if not twin_of(r, twins_dir).is_file()]
        if missing:
            raise RuleError(f"rules without a SQL twin in {twins_dir}: {', '.join(missing)}")
        self._twins = [(r, _sql_file(twin_of(r, twins_dir))) for r in self.rules]
        self._reads = {p.stem: compact_query(_sql_file(p)) for p in sorted(READ_DIR.glob("*.sql"))}
        # one thread: a cohort run parallelises over worker processes, one engine each
        self.con = duckdb.connect(config={"threads": 1})
        self.con.execute(_MACROS)
        predicates = set(knowledge.column("p").unique().to_pylist())
        # every property the ontology declares (what rules, read-backs and data may use)
        declared = knowledge.filter(pa.compute.equal(knowledge["p"], RDF_TYPE))
        predicates |= {row["s"] for row in declared.to_pylist() if row["o"] in PROPERTY_TYPES}
        predicates |= {str(p) for r in self.rules for key in (r.reads | r.writes)
                       for p in ([key] if not isinstance(key, tuple) else []) if str(p).startswith("http")}
        predicates |= {"http://www.w3.org/ns/prov#wasDerivedFrom", "http://www.w3.org/ns/prov#wasGeneratedBy"}
        predicates |= _predicates_of_data_model()
        self.tables = PredicateTables(self.con, predicates)
        self.tables.load_knowledge(knowledge)
        for support in sorted((twins_dir / "support").glob("*.sql")):
            self.con.execute(_sql_file(support))
        self._rule_evidence: dict[str, dict[str, Any]] | None = None
        self._values: dict[tuple[str, str], Any] = {}

    # --- the engine ----------------------------------------------------------------------------
    def derive(self, asserted: pa.Table) -> RunStats:
        """Load a shard's asserted triples and run every twin, in the rule order.

        An unusable number of patient data becomes a plain string first, as in the SPARQL
        pipeline's workspace (``quarantine_numbers``): no rule and no shape takes it for a number.
        """
        self.tables.load_asserted(asserted)  # quarantines unusable numbers (tables.quarantine_numbers)
        stats = RunStats(triples={}, passes=1)
        for rule, sql in self._twins:
            try:
                stats.triples[rule.name] = self.tables.derive(sql, str(rule.iri))
            except duckdb.Error as exc:
                raise RuleError(f"SQL twin of rule {rule.name} failed: {str(exc).splitlines()[0]}") from exc
        return stats

    def rows(self, role: str) -> list[dict[str, Any]]:
        """The rows of a read-back query by its role (``findings/<name>``), from its SQL twin.

        A column ``x__d`` carries the datatype of a literal column ``x``; the value is the same
        JSON-ready value the SPARQL engine's ``select_values`` gives.
        """
        name = role.split("/", 1)[1]
        sql = self._reads.get(name)
        if sql is None:
            raise RuleError(f"no SQL twin for the read-back query {role} in {READ_DIR}")
        cursor = self.con.execute(sql)
        columns = [c[0] for c in cursor.description]
        datatypes = {c[:-3]: i for i, c in enumerate(columns) if c.endswith("__d")}
        plan = [(column, i, datatypes.get(column)) for i, column in enumerate(columns) if not column.endswith("__d")]
        values = self._values  # (lexical, datatype) -> JSON value: dates, codes and scores repeat
        out = []
        for record in cursor.fetchall():
            row: dict[str, Any] = {}
            for column, i, j in plan:
                value = record[i]
                if value is None:
                    continue
                if j is not None and record[j] is not None:
                    key = (value, record[j])
                    converted = values.get(key)
                    if converted is None:
                        converted = values[key] = lexical_value(value, record[j])
                    value = converted
                row[column] = value
            out.append(row)
        return out

    def assess(self, asserted: bytes | pa.Table, format: str = "nt", derived: str = "none",
               keep_workspace: bool = False) -> AssessmentResult:
        """Patients of a batch of asserted data (N-Triples bytes or a triples table) and their findings."""
        table = parse_ntriples(asserted) if isinstance(asserted, (bytes, bytearray)) else asserted
        stats = self.derive(table)
        if self._rule_evidence is None:
            self._rule_evidence = rule_evidence(self)
        patients, unattributed = read_findings(self, [], self._rule_evidence)
        return AssessmentResult(patients, None, self.as_of, self.policy, stats, b"", None, unattributed)


def _predicates_of_data_model() -> set[str]:
    """The asserted-data predicates of docs/data-model.md §6 that rules and read-backs read."""
    trd = "https://w3id.org/trd-reasoner/ontology#"
    names = ("patient identifier birthDate gender drug startDate endDate ongoing dailyDoseMg adherence stopReason "
             "weeksAtAdequateDose augmentedWith doseOptimised trial instrument score date onsetDate abatementDate "
             "isActive analyte value unit gene variant alleles phenotype laterality absentResponse sourceResource "
             "sourceCode").split()
    return {trd + n for n in names} | {"http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
                                       "http://www.w3.org/2000/01/rdf-schema#label"}


__all__ = ["ColumnarEngine", "TWINS_DIR", "READ_DIR", "twin_of"]
