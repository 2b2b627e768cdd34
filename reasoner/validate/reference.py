"""Validating patient graphs against the project's SHACL shapes (the reference validator).

Why this module exists: users must be able to check a patient graph before they trust any
inference, and the cohort runner needs the same verdict at scale. This module is the *reference*:
it runs pySHACL exactly as the SHACL specification prescribes, and the fast compiled validator
(:mod:`reasoner.validate.fast`) is proved equal to it by a differential test.

Two pySHACL pitfalls shape the design (shared/library-notes.md §1):

* ``sh:class`` and ``sh:targetClass`` only see ``rdfs:subClassOf`` and ``rdf:type`` triples that
  are in the *data* graph, and ``ont_graph`` inoculation copies class axioms but not individuals
  (drugs, instruments, units). So the data graph is patient + derived facts + ontology + policy,
  merged (a superset of what inoculation would add, which is therefore skipped).
* The adequacy shapes *report* the adequacy findings that the rules materialise; they never decide
  adequacy themselves. So the rules run first (C1's engine), and their derived graph is validated
  together with the asserted data.

Public API::

    load_input(path) -> rdflib.Graph                    # Turtle/N-Triples/JSON-LD/RDF-XML or FHIR
    load_shapes(paths=None) -> rdflib.Graph             # shapes/*.ttl
    derive(patient, policy) -> rdflib.Graph             # the rules' derived facts
    reference_validate(data, shapes, ontology, policy) -> Outcome
    validate(patient, policy="default", engine="reference"|"fast") -> Outcome
    results_from_report(report_graph) -> list[ResultRecord]
"""

from __future__ import annotations

import datetime as dt

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from reasoner.errors import InputError, TrdError
from reasoner.knowledge.namespaces import SH
from reasoner.knowledge.paths import SHAPES_DIR
from reasoner.io.rdf import read_graph

#: Severity IRI -> the short name used in text and JSON output.
SEVERITY_NAMES: dict[URIRef, str] = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}
ENGINES = ("reference", "fast")

#: Input suffixes that are FHIR (JSON Bundle or Bulk Data NDJSON), not RDF.
_FHIR_SUFFIXES = {".json", ".ndjson"}


@dataclass(frozen=True)
class ResultRecord:
    """One SHACL validation result, flattened for printing and for comparing engines."""

    focus_node: str
    severity: str
    source_shape: str
    constraint_component: str
    path: str | None = None
    value: str | None = None
    messages: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form (same keys as the text report)."""
        return {
            "focusNode": self.focus_node, "path": self.path, "value": self.value,
            "severity": self.severity, "message": " ".join(self.messages),
            "sourceShape": self.source_shape, "constraintComponent": self.constraint_component,
        }


@dataclass
class Outcome:
    """What a validation run returns: the verdict, the SHACL report graph, and flat records."""

    conforms: bool
    report: Graph
    results: list[ResultRecord] = field(default_factory=list)

    @property
    def violations(self) -> list[ResultRecord]:
        return [r for r in self.results if r.severity == "Violation"]


# --- inputs ------------------------------------------------------------------------------------
def load_input(path: Path | str, as_of: dt.date | str | None = None) -> Graph:
    """Turn one input path into a patient graph: the single seam every command reads through.

    RDF files go through the safe reader (no network, no entity expansion); FHIR JSON, NDJSON and
    Bulk Data folders go to the FHIR importer, imported lazily because not every install has it.
    ``as_of`` is the evaluation date: FHIR orders and statements without an end are ongoing up to
    it (fhir-profile), so the import must use the same date as the assessment.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file or directory")
    if path.is_dir() or path.suffix.lower() in _FHIR_SUFFIXES:
        try:
            from reasoner.fhir import load_patient_graph  # type: ignore[attr-defined]
        except ImportError as exc:
            raise InputError(f"{path}: FHIR input needs the FHIR importer (reasoner.fhir), not available") from exc
        from reasoner.knowledge.policy import as_of_date

        graph, _report = load_patient_graph(path, as_of=as_of_date(as_of))
        return graph
    return read_graph(path)


def load_inputs(paths: Iterable[Path | str], as_of: dt.date | str | None = None) -> Graph:
    """Merge several inputs into one patient graph (one report lists every patient's problems)."""
    merged = Graph()
    for p in paths:
        merged += load_input(p, as_of)
    return merged


def load_shapes(paths: Iterable[Path | str] | None = None) -> Graph:
    """The project's shapes (every ``shapes/*.ttl``), or the given files. Trusted files."""
    files = sorted(SHAPES_DIR.glob("*.ttl")) if paths is None else [Path(p) for p in paths]
    if not files:
        raise TrdError(f"no shapes found in {SHAPES_DIR}")
    g = Graph()
    for f in files:
        g.parse(f, format="turtle")
    return g


def load_ontology(path: Path | str | None = None) -> Graph:
    """The ontology graph the rules read: the pipeline's file list (``paths.ONTOLOGY_FILES``).

    One definition of "the ontology" for rules and shapes alike (reasoner.pipeline), so the
    validator never sees a different class tree from the one the rules ran on. A fresh copy.
    """
    from reasoner.knowledge.build import read_ontology

    if path is not None:
        g = Graph()
        g += read_ontology(path)
        return g
    try:
        from reasoner.pipeline import ontology_graph
    except ImportError:  # an install without the pipeline: the same files
        from reasoner.knowledge.paths import ONTOLOGY_FILES

        g = Graph()
        for f in ONTOLOGY_FILES:
            g += read_ontology(f)
        return g
    return ontology_graph()


def load_policy(policy: str | Path = "default", as_of: str | None = None) -> Graph:
    """The effective policy graph + evaluation context, via C1's policy loader."""
    from reasoner.knowledge.policy import policy_graph

    return policy_graph(policy, as_of)


# --- the rules ---------------------------------------------------------------------------------
def derive(patient: Graph, ontology: Graph, policy: Graph, engine: str = "oxigraph") -> Graph:
    """Run the inference rules (queries/infer) and return only their derived facts.

    The adequacy shapes report what the rules decided, so this must run before validation.
    """
    from reasoner.rules.workspace import GRAPH_ONTOLOGY, Workspace

    ws = Workspace(engine=engine)
    ws.add_graph(GRAPH_ONTOLOGY, ontology)
    ws.load_policy(policy)
    ws.add_asserted(patient)
    _rule_engine(engine).run(ws)
    return ws.derived_graph()


@functools.lru_cache(maxsize=2)
def _rule_engine(engine: str) -> Any:
    """Parsing and ordering the rules costs more than running them: do it once per process."""
    from reasoner.rules.engine import RuleEngine, load_rules

    return RuleEngine(load_rules(), engine=engine)


# Process-wide caches of the trusted project files; never handed out for mutation.
@functools.lru_cache(maxsize=1)
def _project_shapes() -> Graph:
    return load_shapes()


@functools.lru_cache(maxsize=1)
def _project_ontology() -> Graph:
    return load_ontology()


@functools.lru_cache(maxsize=8)
def _policy_graph(policy: str) -> Graph:
    return load_policy(policy)


@functools.lru_cache(maxsize=8)
def _fast_validator(policy: str) -> Any:
    from reasoner.validate.fast import FastValidator

    return FastValidator(_project_shapes(), _project_ontology(), _policy_graph(policy))


# --- the reference validator -------------------------------------------------------------------
def _term_text(node: Node | None) -> str | None:
    if node is None:
        return None
    if isinstance(node, BNode):
        return "_:" + str(node)
    return str(node)


def result_record(focus: Node | None, severity: Node | None, shape: Node | None, component: Node | None,
                  path: Node | None, value: Node | None, messages: Iterable[Node]) -> ResultRecord:
    """One flat record from the terms of a SHACL result (messages: distinct terms, any order)."""
    return ResultRecord(
        focus_node=_term_text(focus) or "",
        severity=SEVERITY_NAMES.get(severity, str(severity)),
        source_shape=_term_text(shape) or "",
        constraint_component=_term_text(component) or "",
        path=_term_text(path),
        value=_term_text(value),
        messages=tuple(sorted(str(m) for m in messages)),
    )


def sort_records(records: Iterable[ResultRecord]) -> list[ResultRecord]:
    """The records in one fixed order (the same for both engines and both ways of reading)."""
    # None sorts before text, so records with and without a path or value never compare None to str.
    return sorted(records, key=lambda r: tuple((v is not None, v) for v in (
        r.focus_node, r.severity, r.source_shape, r.constraint_component, r.path, r.value, r.messages)))


def results_from_report(report: Graph) -> list[ResultRecord]:
    """Flatten a SHACL report graph into sorted records (the same for both engines)."""
    return sort_records(
        result_record(report.value(r, SH.focusNode), report.value(r, SH.resultSeverity),
                      report.value(r, SH.sourceShape), report.value(r, SH.sourceConstraintComponent),
                      report.value(r, SH.resultPath), report.value(r, SH.value),
                      report.objects(r, SH.resultMessage))
        for r in report.subjects(RDF.type, SH.ValidationResult))


def data_graph(patient: Graph, derived: Graph | None, ontology: Graph, policy: Graph) -> Graph:
    """The graph pySHACL validates: patient + derived + ontology + policy (see module docstring)."""
    g = Graph()
    for part in (patient, derived, ontology, policy):
        if part is not None:
            g += part
    return g


def reference_validate(data: Graph, shapes: Graph, ontology: Graph | None = None, policy: Graph | None = None) -> Outcome:
    """Validate with pySHACL; Warnings and Infos are reported but do not break conformance.

    ``data`` must already contain the ontology and policy (see :func:`data_graph`). They are not
    passed again as ``ont_graph``: inoculation would only copy class axioms that are already in
    the data graph, and pySHACL's list cloning makes it cost ~9 s for this ontology. ``inplace``
    skips a second copy of the graph; nothing is written to it (no inference, no SHACL rules).
    """
    from pyshacl import validate as pyshacl_validate

    conforms, report, _text = pyshacl_validate(
        data, shacl_graph=shapes, inference="none", advanced=True,
        allow_warnings=True, allow_infos=True, inplace=True,
    )
    if not isinstance(report, Graph):  # a spec "Validation Failure" object
        raise TrdError(f"SHACL validation failed: {getattr(report, 'message', report)}")
    return Outcome(bool(conforms), report, results_from_report(report))


def validate(
    patient: Graph,
    policy: str | Path = "default",
    engine: str = "reference",
    shapes: Graph | None = None,
    ontology: Graph | None = None,
    run_rules: bool = True,
    as_of: str | None = None,
) -> Outcome:
    """Run the rules, then validate patient + derived facts with the chosen engine.

    ``as_of`` is the evaluation date the rules use (an ongoing trial runs up to it); None is today.
    """
    if engine not in ENGINES:
        raise InputError(f"unknown validation engine {engine!r} (expected one of {', '.join(ENGINES)})")
    project_files = shapes is None and ontology is None
    shapes = shapes if shapes is not None else _project_shapes()
    ontology = ontology if ontology is not None else _project_ontology()
    policy_g = load_policy(str(policy), as_of)
    derived = derive(patient, ontology, policy_g) if run_rules else Graph()
    if engine == "reference":
        return reference_validate(data_graph(patient, derived, ontology, policy_g), shapes, ontology, policy_g)
    from reasoner.validate.fast import FastValidator

    data = Graph()
    data += patient
    data += derived
    validator = _fast_validator(str(policy)) if project_files else FastValidator(shapes, ontology, policy_g)
    conforms, report, results = validator.validate(data)
    return Outcome(conforms, report, results)


__all__ = [
    "ResultRecord", "Outcome", "SEVERITY_NAMES", "ENGINES", "load_input", "load_inputs", "load_shapes",
    "load_ontology", "load_policy", "derive", "results_from_report", "data_graph", "reference_validate",
    "validate",
]
