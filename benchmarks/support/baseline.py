"""Reference path, naive baseline and warm latency: what the fast cohort path is measured against.

* :func:`reference_pipeline` is the project's pipeline on the *reference* engines: rdflib's SPARQL
  engine for the rules and pySHACL for validation (reasoner.validate.reference). The
  differential test proves the fast path (Oxigraph + compiled validator) gives the same findings
  and the same validation results.
* :func:`naive_assess` is the naive baseline of issue 6: the reference pipeline over *one* graph
  of the whole cohort in one process (no sharding, no Oxigraph).
* :func:`warm_latency` times one patient at a time through a warm fast pipeline, as a service
  would call it.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph

from reasoner.cohort.turtle_source import TURTLE_FORMATS, group_by_patient, turtle_files


def reference_pipeline(policy: str = "default", as_of: str | None = None) -> Any:
    """The pipeline on rdflib's SPARQL engine with pySHACL as validator (the reference path)."""
    from reasoner.pipeline import Pipeline

    return Pipeline(policy=policy, as_of=as_of, backend="rdflib", validator="reference")


def patient_units(turtle: Path, limit: int) -> list[tuple[str, bytes]]:
    """The first ``limit`` patients of a Turtle cohort, each as (patient IRI, N-Triples)."""
    units: list[tuple[str, bytes]] = []
    for path in turtle_files(turtle):
        groups, orphans, _first = group_by_patient(ox.parse(path=str(path), format=TURTLE_FORMATS[path.suffix.lower()]))
        for iri, triples in groups.items():
            units.append((iri, ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""))
            if len(units) >= limit:
                return units
    return units


def naive_assess(turtle: Path, patients: int, as_of: str, policy: str = "default") -> tuple[int, dict[str, int]]:
    """The naive stack: one rdflib graph of ``patients`` patients, reference engines, one process."""
    data = b"".join(nt for _, nt in patient_units(turtle, patients))
    graph = Graph()
    graph.parse(data=data, format="nt")
    result = reference_pipeline(policy, as_of).assess(graph)
    statuses: dict[str, int] = {}
    for p in result.patients:
        status = (p.get("trd") or {}).get("status", "unknown")
        statuses[status] = statuses.get(status, 0) + 1
    return len(result.patients), statuses


def warm_latency(turtle: Path, calls: int, as_of: str, policy: str = "default") -> dict[str, Any]:
    """Median (and p90) time of one patient through a warm fast pipeline, over ``calls`` patients."""
    from reasoner.cohort.pipeline_processor import pipeline_for
    from reasoner.cohort.worker import RunSettings

    pipe = pipeline_for(RunSettings(policy=policy, as_of=as_of))
    units = patient_units(turtle, calls)
    pipe.assess(units[0][1], format="nt", derived="nquads")  # warm-up: first-call costs are not service costs
    times = []
    for _, nt in units:
        started = time.perf_counter()
        pipe.assess(nt, format="nt", derived="nquads")
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {"calls": len(times), "median_ms": statistics.median(times),
            "p90_ms": times[int(0.9 * (len(times) - 1))]}


__all__ = ["reference_pipeline", "naive_assess", "warm_latency", "patient_units"]
