"""Where shards run: in this process, in local processes, or on a Dask distributed cluster.

All three take the same lazy iterator of shard specs and yield :class:`ShardResult` as shards
finish (any order). Each keeps a bounded number of shards in flight (a few per worker), so the
parent never holds more than that many shards' data however large the cohort: this is what keeps
memory flat. No scheduling of our own: ``concurrent.futures`` and ``dask.distributed`` do it.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any

from reasoner.cohort.results import ShardResult
from reasoner.cohort.shards import ShardSpec, materialize
from reasoner.cohort.worker import RunSettings, run_task

#: Shards in flight per worker: one running, one queued so a worker never waits for the parent.
IN_FLIGHT_PER_WORKER = 2


def run_serial(specs: Iterable[ShardSpec], settings: RunSettings, processor: str) -> Iterator[ShardResult]:
    """One shard after another in this process (workers=1; the warm pipeline is reused)."""
    for spec in specs:
        yield run_task(spec, settings, processor)


def run_processes(specs: Iterable[ShardSpec], settings: RunSettings, processor: str,
                  workers: int) -> Iterator[ShardResult]:
    """Shards on ``workers`` local processes; each worker reads its own shard from disk."""
    # "spawn": the parent holds an open RocksDB store and SQLite handles, which must not be
    # inherited by a fork; each worker warms its own pipeline once and reuses it.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        yield from _bounded(lambda spec: pool.submit(run_task, spec, settings, processor),
                            specs, workers * IN_FLIGHT_PER_WORKER)


def run_dask(specs: Iterable[ShardSpec], settings: RunSettings, processor: str,
             scheduler: Any) -> Iterator[ShardResult]:
    """Shards on a Dask distributed cluster (``scheduler``: an address or a ``Client``).

    The parent reads each shard and ships its data, so the cluster's machines need neither the
    input files nor the index; results come back to the parent, the only writer.
    """
    from distributed import Client, as_completed

    own_client = not isinstance(scheduler, Client)
    client = Client(scheduler) if own_client else scheduler
    try:
        n_workers = max(1, sum(w.get("nthreads", 1) for w in client.scheduler_info()["workers"].values()))
        limit = n_workers * IN_FLIGHT_PER_WORKER
        pending = as_completed()
        in_flight = 0
        for spec in specs:
            future = client.submit(run_task, materialize(spec), settings, processor, pure=False,
                                   key=f"trd-shard-{spec.shard_id}-{id(pending)}")
            pending.add(future)
            in_flight += 1
            while in_flight >= limit:
                done = next(pending)
                in_flight -= 1
                yield done.result()
                done.release()
        for done in pending:
            yield done.result()
            done.release()
    finally:
        if own_client:
            client.close()


def _bounded(submit: Any, specs: Iterable[ShardSpec], limit: int) -> Iterator[ShardResult]:
    """Keep at most ``limit`` futures running; yield results as they complete."""
    running: set[Future] = set()
    for spec in specs:
        running.add(submit(spec))
        if len(running) >= limit:
            done, running = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()
    while running:
        done, running = wait(running, return_when=FIRST_COMPLETED)
        for future in done:
            yield future.result()


__all__ = ["run_serial", "run_processes", "run_dask", "IN_FLIGHT_PER_WORKER"]
