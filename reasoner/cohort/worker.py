"""What runs in a worker (local process, Dask worker, or the parent itself when workers=1).

A *processor* is a picklable top-level callable ``(ShardInput, RunSettings) -> ShardResult``;
the default one (:func:`reasoner.cohort.pipeline_processor.process_shard`) runs the project's
pipeline. Tests inject simpler processors to exercise sharding, resume and writing in isolation.
The processor is named by ``"module:function"`` so it travels to any worker as a string.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from dataclasses import dataclass

from reasoner.cohort.results import ShardResult, add_stage
from reasoner.cohort.shards import ShardInput, ShardSpec, materialize

#: The shard processors a run can be asked for by name (``trd assess COHORT --processor NAME``):
#: name -> (the ``module:function`` that runs a shard, the shard size it works best with, shards
#: per worker when a small cohort is cut to keep every worker busy). ``columnar`` evaluates the
#: SQL twins of the rules set-at-a-time over a whole shard (its cost per shard is mostly fixed,
#: so it wants few, large shards, but a worker's memory grows with its shard: at 100,000 patients
#: two workers on shards of 2,500 peaked at 2.5 GiB, on shards of 1,000 at 1.7 GiB but with 41%
#: more CPU per patient, benchmarks/results/cohort-columnar-shard-size.md); ``pipeline`` runs the
#: SPARQL rules on Oxigraph in batches.
PROCESSORS: dict[str, tuple[str, int, int]] = {
    "columnar": ("reasoner.cohort.columnar_processor:process_shard", 2500, 1),
    "pipeline": ("reasoner.cohort.pipeline_processor:process_shard", 1000, 2),
}
#: The default: the SPARQL pipeline. Why not the columnar processor, which gives the same bytes:
#: measured side by side it is not faster on this scale and holds about 2.7x the memory
#: (benchmarks/results/cohort-columnar.md); it stays a choice (``--processor columnar``).
DEFAULT_PROCESSOR = "pipeline"
#: Patients per pipeline call inside a shard: the measured optimum (benchmarks/profile_batch.py,
#: benchmarks/results/cohort-analysis.md). The one default that run_cohort and the benchmarks use.
DEFAULT_BATCH_SIZE = 200


@dataclass(frozen=True)
class RunSettings:
    """Everything a processor needs besides the data; identical for every shard of a run."""

    policy: str
    as_of: str
    store: bool = True      # whether to produce N-Quads for the results store
    batch_size: int = DEFAULT_BATCH_SIZE   # patients per pipeline call inside a shard
    tables: bool = True     # whether to make the Parquet findings tables of each shard


Processor = Callable[[ShardInput, RunSettings], ShardResult]
_resolved: dict[str, Processor] = {}


def processor_path(name: str) -> str:
    """The ``module:function`` of a processor given by registry name or as ``module:function``."""
    if name in PROCESSORS:
        return PROCESSORS[name][0]
    if ":" not in name:
        from reasoner.errors import InputError

        raise InputError(f"unknown processor {name!r} (one of: {', '.join(PROCESSORS)}, or module:function)")
    return name


def resolve(name: str) -> Processor:
    """The processor of a registry name or ``module:function`` (cached per process)."""
    func = _resolved.get(name)
    if func is None:
        module, _, attr = processor_path(name).partition(":")
        func = _resolved[name] = getattr(importlib.import_module(module), attr)
    return func


def run_task(task: ShardSpec | ShardInput, settings: RunSettings, processor: str) -> ShardResult:
    """Process one shard: read it (when given a spec), run the processor, time it."""
    started, cpu = time.perf_counter(), time.process_time()
    shard = materialize(task) if isinstance(task, ShardSpec) else task
    read = (time.process_time() - cpu, time.perf_counter() - started)
    result = resolve(processor)(shard, settings)
    add_stage(result.stages, "input", *read)
    result.seconds = time.perf_counter() - started
    return result


__all__ = ["RunSettings", "Processor", "run_task", "resolve", "processor_path", "PROCESSORS", "DEFAULT_PROCESSOR",
           "DEFAULT_BATCH_SIZE"]
