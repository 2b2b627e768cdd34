"""Shards: what one unit of work is, and how its input is read.

A :class:`ShardSpec` is small and picklable (paths and numbers only), so it can be sent to a
local process cheaply. :func:`materialize` turns it into a :class:`ShardInput` holding the
shard's data. Local workers materialise their own shard (the parent only writes results);
for a Dask cluster the parent materialises it and ships the data, so the cluster's machines
need no access to the input files.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .fhir_index import FhirIndex
from .turtle_source import TurtleIndex, extract_patients, file_as_ntriples

FHIR = "fhir"
TURTLE = "turtle"


@dataclass(frozen=True)
class ShardSpec:
    """Patients ``[first, stop)`` of an indexed input."""

    shard_id: int
    kind: str               # FHIR or TURTLE
    index_db: str           # the SQLite index (out_dir/index.sqlite)
    source: str             # the export folder, or "" for Turtle (file list is in the plan)
    first: int
    stop: int
    plan: tuple[tuple[str, tuple[str, ...], bool], ...] = ()  # Turtle: (file, IRIs, whole file?)


@dataclass
class ShardInput:
    """The data of one shard, ready for a processor.

    FHIR: ``groups`` = [(patient id, [resource JSON text, …])]. Turtle: ``rdf`` bytes in
    ``rdf_format`` ("turtle" or "nt") and the number of patients it holds.
    """

    shard_id: int
    kind: str
    groups: list[tuple[str, list[str]]] = field(default_factory=list)
    rdf: bytes = b""
    rdf_format: str = "nt"
    patients: int = 0


def materialize(spec: ShardSpec) -> ShardInput:
    """Read one shard's data from the input files (bounded by the shard size)."""
    if spec.kind == FHIR:
        index = FhirIndex(Path(spec.index_db), Path(spec.source))
        try:
            raw = index.read_group(spec.first, spec.stop)
        finally:
            index.close()
        groups = [(pid, [line.decode("utf-8", "replace") for line in lines]) for pid, lines in raw]
        return ShardInput(spec.shard_id, FHIR, groups=groups, patients=len(groups))
    parts: list[bytes] = []
    count = 0
    for path, iris, whole in spec.plan:
        count += len(iris)
        if whole and len(spec.plan) == 1:
            # The common case (one generated file = one shard): hand the file over as it is.
            return ShardInput(spec.shard_id, TURTLE, rdf=Path(path).read_bytes(),
                              rdf_format="turtle" if path.endswith((".ttl", ".turtle")) else "nt",
                              patients=count)
        parts.append(file_as_ntriples(Path(path)) if whole else extract_patients(Path(path), list(iris)))
    return ShardInput(spec.shard_id, TURTLE, rdf=b"".join(parts), rdf_format="nt", patients=count)


def plan_shards(kind: str, index: FhirIndex | TurtleIndex, index_db: Path, source: Path,
                shard_size: int, skip: set[int] | frozenset[int] = frozenset()) -> Iterator[ShardSpec]:
    """Every shard of an indexed input not in ``skip``, lazily (a million IRIs never sit in memory)."""
    total = index.patient_count()
    for shard_id, first in enumerate(range(0, total, shard_size)):
        if shard_id in skip:
            continue
        stop = min(first + shard_size, total)
        plan: tuple = ()
        if kind == TURTLE:
            assert isinstance(index, TurtleIndex)
            plan = tuple((f, tuple(iris), whole) for f, iris, whole in index.shard_plan(first, stop))
        yield ShardSpec(shard_id, kind, str(index_db), str(source), first, stop, plan)


def parse_group(lines: list[str]) -> tuple[list[dict], list[str]]:
    """JSON resources of one patient group, and a message per line that is not a JSON object."""
    resources, problems = [], []
    for line in lines:
        try:
            doc = json.loads(line)
        except ValueError as exc:
            problems.append(f"not valid JSON ({exc.msg})")
            continue
        if isinstance(doc, dict):
            resources.append(doc)
        else:
            problems.append("not a JSON object")
    return resources, problems


__all__ = ["ShardSpec", "ShardInput", "materialize", "plan_shards", "parse_group", "FHIR", "TURTLE"]
