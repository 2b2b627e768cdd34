"""The one pipeline: patient data in, findings out — for every command and the cohort run.

    data ─▶ workspace ─▶ rules ─▶ validation ─▶ findings ─▶ (a renderer, chosen by the caller)

Why one class: the ontology, the effective policy, the parsed rules and the compiled validator
are loaded ONCE per process (``Pipeline(...)``), then ``assess`` runs per patient (warm, as a
service) or per batch of patients (the cohort runner). Every rule is patient-local (each joins
through ``trd:patient`` or the trial), so one batch in one store costs time linear in its size.
``trd validate`` is the same pipeline stopped after validation (:meth:`Pipeline.validate`), so it
sees the same rules, policy and ``--as-of`` as ``trd assess``.

    pipe = Pipeline(policy="default", as_of="2026-01-15", backend="oxigraph", validator="fast")
    result = pipe.assess(graph_or_ntriples_bytes)          # AssessmentResult
    result.patients      # list of dicts, the patients of docs/output-contract.md
    result.document()    # the whole JSON document {"asOf", "policy", "patients"[, "dataIssues"]}
    result.validation    # Validation: conforms, records, report graph (when asked for)

The stages are methods of their own (:meth:`workspace`, :meth:`derive`, :meth:`check`,
:meth:`read`), so a benchmark can time each by calling them itself; the product carries no clock.

Two seams: the SPARQL backend (``backend``, :data:`reasoner.rules.workspace.BACKENDS`) and the
validator (``validator``, :data:`reasoner.validate.VALIDATORS`). A different rule engine (the
columnar cohort engine) is another implementation of :class:`AssessmentEngine`: it turns patient
data into the same :class:`AssessmentResult`, and readers and renderers stay as they are.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from rdflib import Graph, Literal

from reasoner.findings.read import attach_input_issues, read_findings, rule_evidence
from reasoner.knowledge.loader import ontology_graph, ontology_ntriples
from reasoner.knowledge.namespaces import GRAPH_ASSERTED, GRAPH_DERIVED, GRAPH_ONTOLOGY, GRAPH_POLICY, SH
from reasoner.knowledge.paths import INFER_DIR
from reasoner.knowledge.policy import as_of_date, policy_graph, policy_name
from reasoner.rules.engine import RuleEngine, RunStats
from reasoner.rules.rule import load_rules
from reasoner.rules.workspace import BACKENDS, Workspace, new_workspace, quarantine_graph
from reasoner.validate import Validator, make_validator
from reasoner.validate.report import Validation


@dataclass
class AssessmentResult:
    """What one pipeline call found (every command and output reads this one type)."""

    patients: list[dict[str, Any]]
    validation: Validation | None
    as_of: str
    policy: str
    stats: RunStats
    #: the derived graph: an rdflib Graph ("graph"), N-Quads bytes ("nquads") or b"" ("none")
    derived: Graph | bytes = b""
    workspace: Workspace | None = None
    #: validation issues whose focus node belongs to no patient (a record without trd:patient)
    unattributed: list[dict[str, Any]] = field(default_factory=list)
    #: where the policy was read from (its name, or the policy file given): what a renderer
    #: passes to read the same effective policy again (``policy`` is only its short name)
    policy_source: str = ""

    def document(self) -> dict[str, Any]:
        """The JSON document of docs/output-contract.md.

        Issues that belong to no patient go to a top-level ``dataIssues`` list (the contract
        welcomes more keys), present only when there are such issues.
        """
        doc: dict[str, Any] = {"asOf": self.as_of, "policy": self.policy, "patients": self.patients}
        if self.unattributed:
            doc["dataIssues"] = self.unattributed
        return doc

    def model(self) -> Any:
        """The document as the typed result model (:class:`reasoner.findings.model.Document`)."""
        from reasoner.findings.model import Document

        return Document.model_validate(self.document())

    @property
    def conforms(self) -> bool:
        """False when the data violates a shape (``trd assess`` and ``trd validate`` exit 1)."""
        return self.validation is None or self.validation.conforms


class AssessmentEngine(Protocol):
    """What every engine behind the commands does: patient data in, one result out."""

    def assess(self, asserted: Graph | bytes | str, format: str = "nt", derived: str = "graph",
               keep_workspace: bool = False, issues: Iterable[Any] = ()) -> AssessmentResult:
        ...


#: Calls served by one warm workspace before a fresh one replaces it. Why: Oxigraph's in-memory
#: store gets slower after many clear-and-reload cycles although it holds the same number of
#: quads, while a fresh workspace is cheap (its quads are copied, ``Pipeline.workspace``), so
#: renewing it every few calls keeps the warm call fast (benchmarks/results/cohort-analysis.md).
WARM_WORKSPACE_CALLS = 16


class Pipeline:
    """Ontology + policy + rules (+ validator) loaded once; ``assess``/``validate`` per call."""

    def __init__(self, policy: str | Path = "default", as_of: str | dt.date | None = None,
                 backend: str = "oxigraph", validator: str | Validator | None = "fast",
                 rules_dir: Path = INFER_DIR, checked: bool = False) -> None:
        """``backend``: the SPARQL store the rules run in (``oxigraph`` fast, ``rdflib`` the
        reference). ``validator``: ``fast`` (compiled shapes), ``reference`` (pySHACL), an object
        with the :class:`~reasoner.validate.Validator` interface, or None (no validation).
        ``checked``: run the rules with the fixpoint safety net and per-rule counts (slower on
        Oxigraph; see ``RuleEngine``); the rdflib backend is always checked.
        """
        self.backend = backend
        checked_date = as_of_date(as_of)
        self.as_of = (checked_date or dt.date.today()).isoformat()
        self.policy_graph = policy_graph(policy, self.as_of)
        self.policy = policy_name(self.policy_graph)
        self.policy_source = str(policy)
        self.ontology = ontology_graph()
        self._policy_nt = self.policy_graph.serialize(format="nt", encoding="utf-8")
        self.rules = RuleEngine(load_rules(rules_dir), backend=backend, checked=checked, ontology=self.ontology)
        self.validator: Validator | None = (make_validator(validator, self.ontology, self.policy_graph)
                                            if isinstance(validator, str) else validator)
        # rule IRI -> evidence item, read from the first workspace's rules graph (all the same)
        self._rule_evidence: dict[str, dict[str, Any]] | None = None
        # required rule inputs that the ontology and policy graphs hold (the same in every
        # workspace of this pipeline), looked up once
        self._static_inputs: frozenset | None = None
        # the quads of a fresh fast-path workspace (ontology, policy, rules graph), made once
        self._static_quads: list[Any] | None = None
        self._warm: Workspace | None = None
        self._warm_uses = 0
        self._warm_lock = threading.Lock()

    # --- the stages ----------------------------------------------------------------------------
    def workspace(self) -> Workspace:
        """A fresh workspace with the ontology, the effective policy and the rules graph loaded.

        On a fast-path backend the three graphs are parsed once per pipeline and every workspace
        gets the same quads (``Store.extend``), which is what lets the warm path renew its
        workspace often (see ``WARM_WORKSPACE_CALLS``).
        """
        ws = new_workspace(self.backend)
        if BACKENDS[self.backend].in_store_derivation:
            if self._static_quads is None:
                ws.add_graph(GRAPH_ONTOLOGY, ontology_ntriples(), "nt")
                ws.add_graph(GRAPH_POLICY, self._policy_nt, "nt")
                self.rules.add_metadata(ws)
                self._static_quads = list(ws.store)
            else:
                ws.store.extend(self._static_quads)
            return ws
        ws.add_graph(GRAPH_ONTOLOGY, ontology_ntriples(), "nt")
        ws.add_graph(GRAPH_POLICY, self._policy_nt, "nt")
        return ws

    def derive(self, ws: Workspace) -> RunStats:
        """Run the rules over a loaded workspace (derived facts go to the derived graph)."""
        if self._static_inputs is None:
            self._static_inputs = self.rules.static_inputs(ws, (GRAPH_ONTOLOGY, GRAPH_POLICY))
        return self.rules.run(ws, self._static_inputs)

    def check(self, ws: Workspace, report: bool = False, source: Graph | None = None) -> Validation | None:
        """Validate the asserted + derived data (None without a validator); ``source``: the graph
        the asserted data was read from, so a report shows literals as written."""
        return None if self.validator is None else self.validator.check(ws, report=report, source=source)

    def read(self, ws: Workspace, validation: Validation | None) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """The patients' findings and the validation issues that belong to no patient."""
        if self._rule_evidence is None:
            self._rule_evidence = rule_evidence(ws)
        return read_findings(ws, validation.issues if validation else [], self._rule_evidence)

    @contextlib.contextmanager
    def _workspace_for(self, keep: bool) -> Iterator[Workspace]:
        """The warm workspace when the caller does not keep it and no other thread uses it (a
        call then only clears the asserted and derived graphs); a fresh one otherwise."""
        reuse = not keep and self._warm_lock.acquire(blocking=False)
        try:
            if reuse:
                if self._warm is None or self._warm_uses >= WARM_WORKSPACE_CALLS:
                    self._warm, self._warm_uses = self.workspace(), 0
                self._warm_uses += 1
                self._warm.clear(GRAPH_ASSERTED)
                self._warm.clear(GRAPH_DERIVED)
                yield self._warm
            else:
                yield self.workspace()
        finally:
            if reuse:
                self._warm_lock.release()

    # --- the calls -----------------------------------------------------------------------------
    def assess(self, asserted: Graph | bytes | str, format: str = "nt", derived: str = "graph",
               keep_workspace: bool = False, issues: Iterable[Any] = ()) -> AssessmentResult:
        """Run the rules over one patient graph or batch, validate, and read the findings back.

        ``derived``: "graph" (an rdflib Graph), "nquads" (bytes), or "none" when the caller reads
        what it needs from the kept workspace (the cohort writer) or wants the findings only.
        ``issues``: the data issues of the input (``reasoner.inputs.InputData.issues``, the FHIR
        import's records that could not be used as given): each joins the patient it names, or
        the issues of no patient, in every output.
        """
        with self._workspace_for(keep_workspace) as ws:
            ws.add_asserted(asserted, format)
            stats = self.derive(ws)
            validation = self.check(ws)
            patients, unattributed = self.read(ws, validation)
            attach_input_issues(patients, unattributed, issues)
            out: Graph | bytes = (ws.derived_nquads() if derived == "nquads" else ws.derived_graph()
                                  if derived == "graph" else b"")
        return AssessmentResult(patients, validation, self.as_of, self.policy, stats, out,
                                ws if keep_workspace else None, unattributed, self.policy_source)

    def validate(self, asserted: Graph | bytes | str, format: str = "nt", report: bool = True) -> AssessmentResult:
        """The pipeline stopped after validation: the rules run (the adequacy shapes report what
        they decided), the data is validated, no findings are read. ``report``: keep the SHACL
        report graph (``result.validation.report``)."""
        with self._workspace_for(False) as ws:
            ws.add_asserted(asserted, format)
            stats = self.derive(ws)
            source, written = _as_engines_read(asserted)
            validation = self.check(ws, report=report, source=source)
        if validation is not None and validation.report is not None and written:
            _restore_written(validation.report, written)
        return AssessmentResult([], validation, self.as_of, self.policy, stats, policy_source=self.policy_source)


def _as_engines_read(asserted: Graph | bytes | str) -> tuple[Graph | None, dict[tuple[Any, Any, Any], Any]]:
    """The graph as read, for a report with literals as written, with the one change the
    workspace makes too: an unusable number is a plain string (reasoner/io/numbers.py), so a
    validator (pySHACL compares Decimal('NaN') and fails) judges what the rules judged. Also
    (subject, property, string) -> the literal as written, to put back into the report."""
    if not isinstance(asserted, Graph):
        return None, {}
    copy = Graph()
    copy += asserted
    before = set(copy)
    quarantine_graph(copy)
    removed = before - set(copy)
    return copy, {(s, p, Literal(str(o))): o for s, p, o in removed}


def _restore_written(report: Graph, written: dict[tuple[Any, Any, Any], Any]) -> None:
    """In a SHACL report, show each quarantined value as it was written (``"NaN"^^xsd:decimal``)."""
    for result in list(report.subjects(SH.value, None)):
        focus, path, value = (report.value(result, SH.focusNode), report.value(result, SH.resultPath),
                              report.value(result, SH.value))
        original = written.get((focus, path, value))
        if original is not None:
            report.set((result, SH.value, original))


__all__ = ["Pipeline", "AssessmentResult", "AssessmentEngine", "WARM_WORKSPACE_CALLS"]
