"""The assessment pipeline: asserted patient data in, findings (JSON-ready dicts) and derived graph out.

Why a class: the ontology, the effective policy, the parsed rules and the compiled validator are
loaded ONCE per process (``Pipeline(...)``), then ``assess`` runs per patient (warm, as a
service) or per shard of ~1,000 patients (the cohort runner). Every rule is patient-local (each
joins through ``trd:patient`` or the trial), so one shard in one store costs time linear in its
size.

    pipe = Pipeline(policy="default", as_of="2026-01-15", engine="oxigraph", validate=True)
    result = pipe.assess(graph_or_ntriples_bytes)          # AssessmentResult
    result.patients      # list of dicts, the "patients" entries of shared/json-output.md
    result.derived       # rdflib Graph (derived="graph"), N-Quads bytes ("nquads") or b"" ("none")
    result.report        # ValidationSummary: conforms + issues (dicts) or None when not validated
    result.unattributed  # validation issues whose focus node belongs to no patient
    result.document()    # the whole JSON document {"asOf", "policy", "patients"[, "dataIssues"]}
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import Graph

from reasoner.errors import TrdError
from reasoner.knowledge.namespaces import GRAPH_ASSERTED, GRAPH_DERIVED, GRAPH_ONTOLOGY, GRAPH_POLICY
from reasoner.knowledge.paths import INFER_DIR, ONTOLOGY_FILES
from reasoner.knowledge.policy import policy_graph, policy_name
from reasoner.rules.engine import RuleEngine, RunStats, load_rules
from reasoner.rules.workspace import Workspace


def ontology_graph(files: tuple[Path, ...] = ONTOLOGY_FILES) -> Graph:
    """The ontology graph the rules read (trusted repository files)."""
    g = Graph()
    for f in files:
        if f.exists():
            g.parse(f, format="turtle")
    if len(g) == 0:
        raise TrdError(f"ontology not found at {files[0]}")
    return g


@dataclass
class ValidationSummary:
    """What the validator said about the asserted + derived data."""

    conforms: bool
    issues: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class AssessmentResult:
    """The findings of one ``Pipeline.assess`` call."""

    patients: list[dict[str, Any]]
    derived: Graph | bytes
    report: ValidationSummary | None
    as_of: str
    policy: str
    stats: RunStats
    workspace: Workspace | None = None
    #: validation issues whose focus node belongs to no patient (a record without trd:patient)
    unattributed: list[dict[str, Any]] = field(default_factory=list)

    def document(self) -> dict[str, Any]:
        """The JSON document of shared/json-output.md.

        Issues that belong to no patient go to a top-level ``dataIssues`` list (the contract
        welcomes more keys), present only when there are such issues.
        """
        doc: dict[str, Any] = {"asOf": self.as_of, "policy": self.policy, "patients": self.patients}
        if self.unattributed:
            doc["dataIssues"] = self.unattributed
        return doc

    @property
    def conforms(self) -> bool:
        return self.report is None or self.report.conforms


#: Calls served by one warm workspace before a fresh one replaces it. Why: Oxigraph's in-memory
#: store gets slower after many clear-and-reload cycles although it holds the same number of
#: quads (~0.1 ms a call; 100 calls without renewal: 27-29 ms a call instead of 22); a fresh
#: workspace costs ~4 ms since its quads are copied (``Pipeline.workspace``), so renewing every
#: 16 calls adds ~0.25 ms a call on average and keeps the slowdown under ~1.5 ms.
WARM_WORKSPACE_CALLS = 16


class _StageClock:
    """Adds the CPU seconds since the previous lap to ``timings[stage]`` (no-op without a dict)."""

    def __init__(self, timings: dict[str, float] | None) -> None:
        self.timings = timings
        self.last = time.process_time() if timings is not None else 0.0

    def __call__(self, stage: str) -> None:
        if self.timings is not None:
            now = time.process_time()
            self.timings[stage] = self.timings.get(stage, 0.0) + now - self.last
            self.last = now


class Pipeline:
    """Ontology + policy + rules (+ validator) loaded once; ``assess`` per patient or shard."""

    def __init__(self, policy: str | Path = "default", as_of: str | dt.date | None = None,
                 engine: str = "oxigraph", validate: bool = True, rules_dir: Path = INFER_DIR,
                 checked: bool = False,
                 make_validator: Callable[[Graph, Graph], Any] | None = None) -> None:
        """``checked``: run the rules with the fixpoint safety net and per-rule counts (slower on
        Oxigraph; see ``RuleEngine``). The rdflib engine is always checked.

        ``make_validator(ontology, policy graph)`` builds the validator used when ``validate`` is
        true, any object with ``validate(data, report=...) -> (conforms, report, records)``; the
        default is the compiled fast validator. The reference pipeline passes pySHACL this way.
        """
        self.engine = engine
        self.policy_graph = policy_graph(policy, as_of)
        self.policy = policy_name(self.policy_graph)
        self.as_of = str(as_of if as_of is not None else dt.date.today().isoformat())
        if isinstance(as_of, dt.date):
            self.as_of = as_of.isoformat()
        self.ontology = ontology_graph()
        self._ontology_nt = self.ontology.serialize(format="nt", encoding="utf-8")
        self._policy_nt = self.policy_graph.serialize(format="nt", encoding="utf-8")
        self.rules = RuleEngine(load_rules(rules_dir), engine=engine, checked=checked, ontology=self.ontology)
        if not validate:
            self._validator = None
        elif make_validator is not None:
            self._validator = make_validator(self.ontology, self.policy_graph)
        else:
            self._validator = self._load_validator()
        # rule IRI -> evidence item, read from the first workspace's rules graph (all the same)
        self._rule_evidence: dict[str, dict[str, Any]] | None = None
        # required rule inputs that the ontology and policy graphs hold (the same in every
        # workspace of this pipeline), looked up once
        self._static_inputs: frozenset | None = None
        # the quads of a fresh Oxigraph workspace (ontology, policy, rules graph), made once
        self._static_quads: list[Any] | None = None
        self._warm: Workspace | None = None
        self._warm_uses = 0
        self._warm_lock = threading.Lock()

    def _load_validator(self) -> Any:
        """B's compiled validator when installed (shapes compiled once); None when absent."""
        try:
            from reasoner.validate.fast import FastValidator
            from reasoner.validate.reference import load_shapes
        except ImportError:
            return None
        try:
            return FastValidator(load_shapes(), self.ontology, self.policy_graph)
        except TrdError:
            return None  # no shapes installed: nothing to validate against

    def workspace(self) -> Workspace:
        """A fresh workspace with the ontology, the effective policy and the rules graph loaded.

        On Oxigraph the three graphs are parsed once per pipeline and every workspace gets the
        same quads (``Store.extend``: 3.9 ms instead of 7.9 ms to parse them again), which is
        what lets the warm path renew its workspace often (see ``WARM_WORKSPACE_CALLS``).
        """
        ws = Workspace(self.engine)
        if self.engine == "oxigraph":
            if self._static_quads is None:
                ws.add_graph(GRAPH_ONTOLOGY, self._ontology_nt, "nt")
                ws.add_graph(GRAPH_POLICY, self._policy_nt, "nt")
                self.rules.add_metadata(ws)
                self._static_quads = list(ws.store)
            else:
                ws.store.extend(self._static_quads)
            return ws
        ws.add_graph(GRAPH_ONTOLOGY, self._ontology_nt, "nt")
        ws.add_graph(GRAPH_POLICY, self._policy_nt, "nt")
        return ws

    def _validate(self, ws: Workspace) -> ValidationSummary | None:
        if self._validator is None:
            return None
        if self.engine == "oxigraph":
            # records only: the pipeline reports data issues, not a SHACL report graph
            conforms, _report, records = self._validator.validate(ws.store, report=False)
        else:
            data = ws.graph(GRAPH_ASSERTED)
            data += ws.graph(GRAPH_DERIVED)
            conforms, _report, records = self._validator.validate(data, report=False)
        issues = [{"severity": r.severity.lower(), "focusNode": r.focus_node,
                   "message": " ".join(r.messages) or r.constraint_component,
                   "path": r.path, "value": r.value} for r in records]
        return ValidationSummary(bool(conforms), issues)

    def assess(self, asserted: Graph | bytes | str, format: str = "nt", derived: str = "graph",
               keep_workspace: bool = False, timings: dict[str, float] | None = None) -> AssessmentResult:
        """Run the rules over one patient graph or shard and read the findings back.

        ``derived``: "graph" (an rdflib Graph), "nquads" (bytes), or "none" when the caller reads
        what it needs from the kept workspace (the cohort writer) or wants the findings only.
        ``timings``: when given, CPU seconds of each stage (load, rules, validate, json) are
        added to it, so benchmarks time the stages of this very call instead of a copy of it.
        """
        from reasoner.findings.read import read_findings, rule_evidence

        lap = _StageClock(timings)

        # A warm workspace (ontology, policy and rules graphs already loaded) is reused when the
        # caller does not keep it and no other thread is using it: a call then only clears the
        # asserted and derived graphs (saves ~20% of a single-patient call).
        reuse = not keep_workspace and self._warm_lock.acquire(blocking=False)
        try:
            if reuse:
                if self._warm is None or self._warm_uses >= WARM_WORKSPACE_CALLS:
                    self._warm, self._warm_uses = self.workspace(), 0
                self._warm_uses += 1
                ws = self._warm
                ws.clear(GRAPH_ASSERTED)
                ws.clear(GRAPH_DERIVED)
            else:
                ws = self.workspace()
            ws.add_asserted(asserted, format)
            lap("load")
            if self._static_inputs is None:
                self._static_inputs = self.rules.static_inputs(ws, (GRAPH_ONTOLOGY, GRAPH_POLICY))
            stats = self.rules.run(ws, self._static_inputs)
            lap("rules")
            report = self._validate(ws)
            lap("validate")
            if self._rule_evidence is None:
                self._rule_evidence = rule_evidence(ws)
            patients, unattributed = read_findings(ws, report.issues if report else [], self._rule_evidence)
            lap("json")
            out: Graph | bytes = (ws.derived_nquads() if derived == "nquads" else ws.derived_graph()
                                  if derived == "graph" else b"")
        finally:
            if reuse:
                self._warm_lock.release()
        return AssessmentResult(patients, out, report, self.as_of, self.policy, stats,
                                ws if keep_workspace else None, unattributed)


__all__ = ["Pipeline", "AssessmentResult", "ValidationSummary", "ontology_graph", "ONTOLOGY_FILES"]
