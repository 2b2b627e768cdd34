"""What a shard gives back, and the counts that make the cohort summary.

Counts are made in the worker from the patient objects it already holds, so the parent never
re-parses JSON; they are plain nested dicts of integers, summed shard by shard and stored in the
manifest with the shard, so a resumed run reports the same totals as an uninterrupted one.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from reasoner.render.jsonl import UNATTRIBUTED_ID, to_jsonl

Counts = dict[str, Any]


@dataclass
class ShardResult:
    """One processed shard: JSON Lines (one patient a line), N-Quads for the store, counts.

    ``nquads`` must be what Oxigraph's serialiser wrote from terms it parsed (as
    ``pipeline_processor.store_nquads`` does): the writer loads them without re-checking IRIs.
    """

    shard_id: int
    patients: int
    jsonl: bytes
    nquads: bytes
    counts: Counts = field(default_factory=dict)
    seconds: float = 0.0
    #: Parquet bytes of the findings tables of the shard's patients (:mod:`reasoner.cohort.tables`)
    tables: dict[str, bytes] = field(default_factory=dict)
    #: CPU and wall seconds per stage of the processor (``{"rules": {"cpu": …, "wall": …}}``)
    stages: dict[str, dict[str, float]] = field(default_factory=dict)


class StageClock:
    """CPU (this process) and wall seconds per named stage: ``with clock("rules"): …``.

    Timing lives in the cohort machinery, never in the engines: a stage is whatever the processor
    wraps; the times travel back with the shard and are summed into the run's summary.
    """

    def __init__(self) -> None:
        self.times: dict[str, dict[str, float]] = {}

    @contextlib.contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        cpu, wall = time.process_time(), time.perf_counter()
        try:
            yield
        finally:
            add_stage(self.times, name, time.process_time() - cpu, time.perf_counter() - wall)


def add_stage(times: dict[str, dict[str, float]], name: str, cpu: float, wall: float) -> None:
    """Add ``cpu`` and ``wall`` seconds to stage ``name`` of ``times`` (in place)."""
    entry = times.setdefault(name, {"cpu": 0.0, "wall": 0.0})
    entry["cpu"] += cpu
    entry["wall"] += wall


def count_patients(patients: Iterable[dict[str, Any]]) -> Counts:
    """Summary counts of patient objects (json-output.md): TRD status, impostors, data issues."""
    counts: Counts = {"patients": 0, "trd": {}, "pseudoResistance": {}, "dataIssues": {},
                      "dataIssueKinds": {}, "patientsWithDataIssues": 0}
    for patient in patients:
        issues = patient.get("dataIssues") or []
        for issue in issues:
            severity = issue.get("severity", "unknown")
            counts["dataIssues"][severity] = counts["dataIssues"].get(severity, 0) + 1
            # the kind the import names (bad date, unreadable line, …); validation results have none
            kind = issue.get("kind") or "validation"
            counts["dataIssueKinds"][kind] = counts["dataIssueKinds"].get(kind, 0) + 1
        if patient.get("id") == UNATTRIBUTED_ID:
            continue  # records of no patient: their issues count, the entry is not a patient
        counts["patients"] += 1
        trd = patient.get("trd") or {}
        status = trd.get("status", "unknown") if isinstance(trd, dict) else "unknown"
        counts["trd"][status] = counts["trd"].get(status, 0) + 1
        for item in patient.get("pseudoResistance") or []:
            code = item.get("code", "unknown")
            counts["pseudoResistance"][code] = counts["pseudoResistance"].get(code, 0) + 1
        if issues:
            counts["patientsWithDataIssues"] += 1
    return counts


def merge_counts(total: Counts, part: Counts) -> Counts:
    """Add ``part`` into ``total`` (nested dicts of ints), in place; returns ``total``."""
    for key, value in part.items():
        if isinstance(value, dict):
            merge_counts(total.setdefault(key, {}), value)
        else:
            total[key] = total.get(key, 0) + value
    return total


def import_counts(report: Any) -> Counts:
    """Per resource type, how many were read, mapped, not relevant and left out with a data issue
    (``notMapped`` = the last two; an import report's counts)."""
    return {"resources": report.counts_dict()}


__all__ = ["ShardResult", "StageClock", "add_stage", "Counts", "UNATTRIBUTED_ID", "count_patients", "merge_counts", "to_jsonl",
           "import_counts"]
