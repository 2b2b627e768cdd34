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

from reasoner.cohort.results import ShardResult
from reasoner.cohort.shards import ShardInput, ShardSpec, materialize

DEFAULT_PROCESSOR = "reasoner.cohort.pipeline_processor:process_shard"
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


Processor = Callable[[ShardInput, RunSettings], ShardResult]
_resolved: dict[str, Processor] = {}


def resolve(name: str) -> Processor:
    """The processor named ``module:function`` (cached per process)."""
    func = _resolved.get(name)
    if func is None:
        module, _, attr = name.partition(":")
        func = _resolved[name] = getattr(importlib.import_module(module), attr)
    return func


def run_task(task: ShardSpec | ShardInput, settings: RunSettings, processor: str) -> ShardResult:
    """Process one shard: read it (when given a spec), run the processor, time it."""
    started = time.perf_counter()
    shard = materialize(task) if isinstance(task, ShardSpec) else task
    result = resolve(processor)(shard, settings)
    result.seconds = time.perf_counter() - started
    return result


__all__ = ["RunSettings", "Processor", "run_task", "resolve", "DEFAULT_PROCESSOR", "DEFAULT_BATCH_SIZE"]
