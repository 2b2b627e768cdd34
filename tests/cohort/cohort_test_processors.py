"""Simple shard processors for testing the cohort machinery apart from the pipeline.

They are real functions of the data (they count each patient's resources or triples), so a
shard that is lost, duplicated or mixed up changes their output; the pipeline itself is tested
end to end in test_pipeline_cohort.py.
"""

from __future__ import annotations

import hashlib
import os

import pyoxigraph as ox

from reasoner.cohort.results import ShardResult, count_patients, to_jsonl
from reasoner.cohort.shards import FHIR, ShardInput, parse_group
from reasoner.cohort.turtle_source import file_patients
from reasoner.cohort.worker import RunSettings
from reasoner.knowledge.namespaces import GRAPH_ASSERTED, TRD

_STATUSES = ("confirmed", "possible", "not-met", "not-met", "excluded")


def _status(pid: str) -> str:
    return _STATUSES[hashlib.sha1(pid.encode()).digest()[0] % len(_STATUSES)]


def echo(shard: ShardInput, settings: RunSettings) -> ShardResult:
    """One object per patient: id, number of resources (FHIR) or triples (Turtle), a status."""
    patients = []
    if shard.kind == FHIR:
        for pid, lines in shard.groups:
            resources, problems = parse_group(lines)
            patients.append({"id": pid, "size": len(resources), "trd": {"status": _status(pid)},
                             "dataIssues": [{"severity": "violation", "message": m} for m in problems]})
    else:
        for part in shard.parts:
            units, _orphans = file_patients(part.data, part.rdf_format, None if part.whole else part.patients)
            for iri, data in units:
                pid = iri.rsplit("/", 1)[-1]
                size = len(list(ox.parse(data, format=ox.RdfFormat.N_TRIPLES)))
                patients.append({"id": pid, "size": size, "trd": {"status": _status(pid)}, "dataIssues": []})
    graph = ox.NamedNode(str(GRAPH_ASSERTED))
    quads = [ox.Quad(ox.NamedNode(f"https://example.org/trd/{p['id']}"), ox.NamedNode(str(TRD) + "testSize"),
                     ox.Literal(str(p["size"]), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
                     graph) for p in patients]
    return ShardResult(shard.shard_id, len(patients), to_jsonl(patients),
                       ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b"", count_patients(patients))


def crash_at(shard: ShardInput, settings: RunSettings) -> ShardResult:
    """Like :func:`echo`, but fails on shard ``TRD_TEST_CRASH_SHARD`` (a worker that dies)."""
    if shard.shard_id == int(os.environ.get("TRD_TEST_CRASH_SHARD", "-1")):
        if os.environ.get("TRD_TEST_HARD_EXIT") == "1":
            os._exit(3)  # no cleanup at all: like a killed process
        raise RuntimeError(f"simulated crash in shard {shard.shard_id}")
    return echo(shard, settings)


def slow(shard: ShardInput, settings: RunSettings) -> ShardResult:
    """Like :func:`echo`, but each shard takes ``TRD_TEST_SHARD_SECONDS`` (so a test can kill the
    run, or start a second one, while it is in progress)."""
    import time

    time.sleep(float(os.environ.get("TRD_TEST_SHARD_SECONDS", "0.2")))
    return echo(shard, settings)
