"""The columnar shard processor: a whole shard through the SQL twins of the rules in one DuckDB.

Per shard: the one FHIR reader (the same records, data issues and fallbacks as the pipeline
processor: :class:`~reasoner.cohort.pipeline_processor.ShardImport`) → an Arrow triples table
(written from the records directly, :mod:`reasoner.columnar.fhir_table`; Turtle input through
N-Triples) → the predicate tables of :mod:`reasoner.columnar.tables` → every rule's SQL twin,
set-at-a-time over the shard → the columnar SHACL validator on the same tables → the shared
findings reader → the same patient objects, JSON Lines and counts as the pipeline processor
(tests/cohort/test_columnar_processor.py compares the two line by line).

Why the whole shard at once (no batches): a twin costs about the same to plan for ten patients
as for ten thousand, so the larger the shard, the less each patient pays for it; the processor
therefore asks for large shards (``PROCESSORS`` in :mod:`reasoner.cohort.worker`).

The engine and the validator are made once per worker process and policy/as-of date (loading
the knowledge tables and compiling the shapes), like the pipeline processor's warm pipeline.
"""

from __future__ import annotations

import functools
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyoxigraph as ox

from reasoner.cohort.pipeline_processor import (
    ShardImport,
    _run_batch,
    _tune_gc,
    _with_unattributed,
    finish_shard,
    turtle_batches,
)
from reasoner.cohort.results import ShardResult, StageClock
from reasoner.cohort.shards import FHIR, ShardInput
from reasoner.cohort.worker import RunSettings
from reasoner.columnar.fhir_table import join_tables
from reasoner.errors import InputError, RuleError
from reasoner.io.numbers import XSD
from reasoner.knowledge.namespaces import GRAPH_ASSERTED, GRAPH_DERIVED
from reasoner.knowledge.vocabulary import vocabulary

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


class ColumnarAssessor:
    """The columnar engine and validator of one process (one policy and as-of date)."""

    def __init__(self, policy: str, as_of: str) -> None:
        from reasoner.columnar.engine import ColumnarEngine
        from reasoner.columnar.validate import ColumnarValidator
        from reasoner.findings.read import rule_evidence
        from reasoner.knowledge.loader import numeric_properties, ontology_graph, shapes_graph
        from reasoner.knowledge.policy import policy_graph

        from reasoner.validate.fast import UnsupportedShapeError

        self.engine = ColumnarEngine(policy=policy, as_of=as_of)
        self.store_validation: StoreValidation | None = None
        try:
            self.validator: Any = ColumnarValidator(self.engine.con, self.engine.tables, shapes_graph(),
                                                    ontology_graph(), policy_graph(policy, self.engine.as_of))
        except UnsupportedShapeError as exc:
            # A shape the columnar validator cannot run yet (a SPARQL constraint without its SQL
            # twin): validate with the pipeline's fast validator on an Oxigraph copy of the
            # shard's data instead: slower, the same records. Said once per process on stderr.
            import sys

            print(f"trd: warning: columnar validation unavailable ({exc}); the shards are validated by the "
                  "fast validator on an Oxigraph copy of their data (same results, slower)", file=sys.stderr)
            self.validator = None
            self.store_validation = StoreValidation(policy, self.engine.as_of)
        self.evidence = rule_evidence(self.engine)
        self.numeric = numeric_properties()
        vocab = vocabulary()
        self.working_classes = pa.array(sorted(str(c) for c in vocab.working_classes), pa.string())
        self.working_predicates = pa.array(sorted(str(p) for p in vocab.working_predicates), pa.string())

    def triples(self, data: bytes | pa.Table) -> pa.Table:
        """N-Triples (or a triples table made without them: ``ShardImport.units(form="table")``)
        as a triples table, unusable numbers made plain strings (as a workspace does;
        :func:`reasoner.columnar.tables.quarantine_numbers`, which ``load_asserted`` applies again
        to no effect): the table the results store is written from."""
        from reasoner.columnar.tables import parse_ntriples, quarantine_numbers

        table = data if isinstance(data, pa.Table) else parse_ntriples(data)
        return quarantine_numbers(table, self.numeric)

    def assess(self, table: pa.Table, clock: StageClock, want_store: bool) -> tuple[list[dict], bytes]:
        """Patients (and the "(unattributed)" entry) of one triples table, and its N-Quads."""
        from reasoner.findings.read import read_findings

        try:
            with clock("load"):
                self.engine.tables.load_asserted(table)
            with clock("rules"):
                for rule, sql in self.engine._twins:
                    self.engine.tables.derive(sql, str(rule.iri))
            with clock("validate"):
                validation = (self.validator.check_tables() if self.validator is not None else
                              self.store_validation.check(table, self.engine.tables.derived_triples()))
            with clock("read"):
                patients, unattributed = read_findings(self.engine, validation.issues, self.evidence)
        except (RuleError, InputError):
            raise
        except Exception as exc:  # a DuckDB error the engine did not name: this batch only
            raise RuleError(f"columnar engine: {str(exc).splitlines()[0]}") from exc
        nquads = b""
        if want_store:
            with clock("quads"):
                nquads = self.nquads(table)
        return _with_unattributed(patients, unattributed), nquads

    def nquads(self, asserted: pa.Table) -> bytes:
        """The asserted data and the derived facts minus working facts, as N-Quads (what the
        pipeline processor's ``store_nquads`` gives for a workspace)."""
        derived = self.engine.tables.derived_triples()
        working = derived.filter(pc.and_(pc.equal(derived["p"], _RDF_TYPE),
                                          pc.is_in(derived["o"], value_set=self.working_classes)))["s"]
        keep = pc.invert(pc.or_(pc.is_in(derived["p"], value_set=self.working_predicates),
                                pc.is_in(derived["s"], value_set=working.unique())))
        derived = derived.filter(keep)
        asserted_graph, derived_graph = ox.NamedNode(str(GRAPH_ASSERTED)), ox.NamedNode(str(GRAPH_DERIVED))
        quads = [q for table, graph in ((asserted, asserted_graph), (derived, derived_graph))
                 for q in _quads(table, graph)]
        return ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""


class StoreValidation:
    """The pipeline's fast validator on an Oxigraph workspace holding a shard's asserted and derived
    triples: the columnar processor's fallback while the columnar validator refuses a shape."""

    def __init__(self, policy: str, as_of: str) -> None:
        from reasoner.pipeline import Pipeline

        self.pipe = Pipeline(policy=policy, as_of=as_of, validator="fast")

    def check(self, asserted: pa.Table, derived: pa.Table) -> Any:
        ws = self.pipe.workspace()
        ws.store.extend(_quads(asserted, ox.NamedNode(str(GRAPH_ASSERTED)))
                        + _quads(derived, ox.NamedNode(str(GRAPH_DERIVED))))
        return self.pipe.check(ws)


def _quads(table: pa.Table, graph: ox.NamedNode) -> list[ox.Quad]:
    """The rows of a triples table as Oxigraph quads in ``graph`` (terms made once per distinct text)."""
    nodes: dict[str, Any] = {}
    literals: dict[tuple[str, str | None], ox.Literal] = {}

    def node(text: str) -> Any:
        term = nodes.get(text)
        if term is None:
            term = nodes[text] = ox.BlankNode(text[2:]) if text.startswith("_:") else ox.NamedNode(text)
        return term

    out = []
    for s, p, o, k, d in zip(*(table[c].to_pylist() for c in ("s", "p", "o", "k", "d"))):
        if k == "L":
            key = (o, d)
            obj = literals.get(key)
            if obj is None:
                obj = literals[key] = (ox.Literal(o) if d in (None, XSD + "string", _LANG_STRING)
                                       else ox.Literal(o, datatype=ox.NamedNode(d)))
        else:
            obj = node(o)
        out.append(ox.Quad(node(s), node(p), obj, graph))
    return out


@functools.lru_cache(maxsize=4)
def assessor_for(policy: str, as_of: str) -> ColumnarAssessor:
    """The warm engine of this process for a run's policy and as-of date."""
    assessor = ColumnarAssessor(policy, as_of)
    _tune_gc()
    return assessor


def process_shard(shard: ShardInput, settings: RunSettings) -> ShardResult:
    """Assess one shard set-at-a-time (the whole shard in one engine call; see module docstring)."""
    clock = StageClock()
    with clock("warm"):  # the engine and validator of this process: made by its first shard only
        assessor = assessor_for(settings.policy, settings.as_of)

    def assess(data: bytes | pa.Table, want_store: bool) -> tuple[list[dict], bytes]:
        with clock("parse"):
            table = assessor.triples(data)
        return assessor.assess(table, clock, want_store)

    imported = ShardImport(shard, settings) if shard.kind == FHIR else None
    if imported is not None:
        # the importer's triples straight into Arrow (no N-Triples text parsed back: the same rows)
        with clock("parse"):
            units = imported.units(shard.groups, form="table")
        batches = [units]
    else:
        with clock("parse"):
            batches = turtle_batches(shard, max(1, shard.patients))
    patients: list[dict] = []
    quads: list[bytes] = []
    for units in batches:
        got, nq = _run_batch(assess, units, settings.store, halve=True, join=join_tables)
        patients.extend(got)
        quads.append(nq)
    with clock("write"):
        result = finish_shard(shard, patients, imported, quads, settings.tables)
    result.stages = clock.times
    return result


__all__ = ["process_shard", "assessor_for", "ColumnarAssessor", "StoreValidation"]
