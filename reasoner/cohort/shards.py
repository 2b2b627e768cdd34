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

from reasoner.fhir.bulk_index import FhirIndex
from reasoner.cohort.turtle_source import TurtleIndex, format_of, read_file

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


@dataclass(frozen=True)
class TurtlePart:
    """One file's share of a Turtle shard: its bytes, their syntax, and the patients taken.

    ``whole``: the shard takes every patient of the file (and a file without any patient). The
    worker groups each part on its own (``turtle_source.file_patients``), so a record meets only
    the patients of its own file, whichever files share the shard.
    """

    source: str                # the file's path, for messages
    data: bytes
    rdf_format: str            # "turtle" or "nt"
    patients: tuple[str, ...]  # the patient IRIs the index found for this shard in the file
    whole: bool


@dataclass
class ShardInput:
    """The data of one shard, ready for a processor.

    FHIR: ``groups`` = [(patient id, [resource JSON text, …])], ``shared`` = {patient id: [JSON
    text of the resources it points at that belong to no patient (a Medication)]} and ``broken`` =
    {patient id: [placeholders of its Bulk lines that cannot be read]}. Turtle:
    ``parts``, one per file touched. ``patients``: the number of patients the shard holds.
    """

    shard_id: int
    kind: str
    groups: list[tuple[str, list[str]]] = field(default_factory=list)
    shared: dict[str, list[str]] = field(default_factory=dict)
    broken: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    parts: list[TurtlePart] = field(default_factory=list)
    patients: int = 0


def materialize(spec: ShardSpec) -> ShardInput:
    """Read one shard's data from the input files (bounded by the shard size).

    Only I/O: parsing Turtle is the worker's job (for a Dask cluster this runs in the client).
    """
    if spec.kind == FHIR:
        index = FhirIndex(Path(spec.index_db), Path(spec.source))
        try:
            raw = index.read_group(spec.first, spec.stop)
        finally:
            index.close()
        groups = [(pid, [line.decode("utf-8", "replace") for line in lines]) for pid, lines, _, _ in raw]
        shared = {pid: [line.decode("utf-8", "replace") for line in lines] for pid, _, lines, _ in raw if lines}
        broken = {pid: holders for pid, _, _, holders in raw if holders}
        return ShardInput(spec.shard_id, FHIR, groups=groups, shared=shared, broken=broken, patients=len(groups))
    parts = [TurtlePart(path, read_file(Path(path)), format_of(path), tuple(iris), whole)
             for path, iris, whole in spec.plan]
    return ShardInput(spec.shard_id, TURTLE, parts=parts, patients=sum(len(iris) for _, iris, _ in spec.plan))


def plan_shards(kind: str, index: FhirIndex | TurtleIndex, index_db: Path, source: Path,
                shard_size: int, skip: set[int] | frozenset[int] = frozenset()) -> Iterator[ShardSpec]:
    """Every shard of an indexed input not in ``skip``, lazily (a million IRIs never sit in memory)."""
    total = index.unit_count()
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


__all__ = ["ShardSpec", "ShardInput", "TurtlePart", "materialize", "plan_shards", "parse_group", "FHIR", "TURTLE"]
