"""What a clinician's report shows besides the findings: the raw data behind the timeline.

The findings themselves come from the one pipeline (``AssessmentResult.patients``, the objects of
docs/output-contract.md). A timeline also needs the records they rest on (every score, the dose
periods, augmenting agents, ECT courses, the labs and genotypes a finding used) and the scales'
bands and cut-offs. Both are read through query files (``queries/report-data/*.rq``), never
re-derived in Python:

* :class:`ReportKnowledge`: instruments with their severity bands (ontology) and the effective
  policy's remission cut-offs and response reductions, plus the ontology's version, read once
  per run from the ontology and policy graphs;
* :func:`patient_data`: one patient's records, from any *source* with a ``select_values(text)``
  method (a kept pipeline workspace, or a cohort's results store).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, Protocol

from rdflib import Graph

from reasoner.findings.read import node_id, py
from reasoner.knowledge.loader import ontology_graph
from reasoner.knowledge.policy import policy_graph
from reasoner.knowledge.queries import query_text

#: The per-patient queries of queries/report-data/ and the key each one's rows go under.
PATIENT_QUERIES = ("scores", "dose-periods", "augmentation", "ect", "episode", "finding-measurements",
                   "trial-scores")


class RowSource(Protocol):
    """Anything that answers a SELECT with plain values (a Workspace, a results store)."""

    def select_values(self, query: str) -> list[dict[str, Any]]:
        ...


@dataclass(frozen=True)
class Band:
    """A severity band of an instrument (inclusive score bounds)."""

    low: float
    high: float
    severity: str


@dataclass
class Instrument:
    """A rating instrument: range, severity bands (ontology) and remission cut-off (policy)."""

    iri: str
    label: str
    low: float | None = None
    high: float | None = None
    bands: list[Band] = field(default_factory=list)
    remission: float | None = None


@dataclass
class ReportKnowledge:
    """Ontology and policy facts a report draws (bands, cut-offs, reductions, versions)."""

    instruments: dict[str, Instrument]
    reductions: dict[str, float]
    #: numeric policy setting IRI -> (parameter label, value): the thresholds findings cite
    settings: dict[str, tuple[str, float]] = field(default_factory=dict)
    ontology_iri: str = ""
    ontology_version_iri: str = ""
    ontology_version: str = ""

    @property
    def response_reduction(self) -> float | None:
        """The policy's response reduction (0.5: a 50% fall from baseline)."""
        return self.reductions.get("response reduction")

    @classmethod
    def load(cls, policy: Any = "default", as_of: Any = None) -> "ReportKnowledge":
        """Read the instruments, reductions and version from the ontology + effective policy."""
        return _knowledge(str(policy), None if as_of is None else str(as_of))


@functools.lru_cache(maxsize=8)
def _knowledge(policy: str, as_of: str | None) -> ReportKnowledge:
    graph = Graph()
    for triple in ontology_graph():
        graph.add(triple)
    for triple in policy_graph(policy, as_of):
        graph.add(triple)
    instruments: dict[str, Instrument] = {}
    for row in graph.query(query_text("report-data/instruments")):
        iri = str(row.instrument)
        inst = instruments.setdefault(iri, Instrument(iri, str(row.label), py(row.min), py(row.max)))
        if row.band is not None:
            band = Band(float(py(row.bandMin)), float(py(row.bandMax)), str(row.severity))
            if band not in inst.bands:
                inst.bands.append(band)
        if row.remission is not None:
            inst.remission = float(py(row.remission))
    for inst in instruments.values():
        inst.bands.sort(key=lambda b: b.low)
    reductions = {str(row.label): float(py(row.value)) for row in graph.query(query_text("report-data/outcome-settings"))}
    settings = {str(row.setting): (str(row.label), float(py(row.value)))
                for row in graph.query(query_text("report-data/settings"))}
    version = next(iter(graph.query(query_text("report-data/ontology-version"))), None)
    return ReportKnowledge(
        instruments, reductions, settings,
        ontology_iri=str(version.ontology) if version is not None else "",
        ontology_version_iri=str(version.versionIRI or "") if version is not None else "",
        ontology_version=str(version.versionInfo or "") if version is not None else "")


@dataclass
class PatientData:
    """One patient's records for the timeline: rows of the report-data queries, keyed by query."""

    rows: dict[str, list[dict[str, Any]]]

    def __getitem__(self, name: str) -> list[dict[str, Any]]:
        return self.rows.get(name, [])

    @property
    def episode_onset(self) -> str | None:
        """The current episode's onset date (None when unknown)."""
        dates = [str(r["onset"]) for r in self["episode"] if r.get("onset") is not None]
        return max(dates) if dates else None


def _for_patient(role: str, patient_iri: str) -> str:
    """A report-data query restricted to one patient (a trailing VALUES clause, SPARQL 1.1 §10)."""
    return f"{query_text(role)}\nVALUES ?patient {{ <{patient_iri}> }}"


def patient_data(source: RowSource, patient_iri: str) -> PatientData:
    """Every report-data row of one patient, from a workspace or a results store."""
    rows: dict[str, list[dict[str, Any]]] = {}
    for name in PATIENT_QUERIES:
        found = source.select_values(_for_patient(f"report-data/{name}", patient_iri))
        for row in found:  # the trial ids of the JSON output, to join rows with result trials
            if "trial" in row:
                row["trialId"] = node_id(row["trial"], row.get("trialIdentifier"))
        rows[name] = found
    return PatientData(rows)


__all__ = ["ReportKnowledge", "Instrument", "Band", "PatientData", "patient_data", "RowSource", "PATIENT_QUERIES"]
