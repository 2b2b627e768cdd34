"""Group commit: the calls waiting for the pipeline are assessed together, as one batch.

Why: most of a one-patient assessment is a fixed cost per SPARQL query — Oxigraph parses and
plans each of the some seventy queries of a call whatever the size of the data — so a batch of
patients costs little more than one patient (benchmarks/results/cds-hooks.md). While one call is
being assessed, the calls that arrive meanwhile queue for the pipeline anyway: the first of them
to get its turn (the *leader*) takes the queued calls with it and runs them in one go, so under
concurrency each patient pays a share of the fixed cost. A call that finds nobody waiting is a
batch of one and waits for nobody: batching never delays a call for others to arrive.

This module knows nothing about patients; :class:`reasoner.serve.assessor.Assessor` gives it the
function that assesses a batch (and keeps patients apart within one).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

R = TypeVar("R")


@dataclass(eq=False)
class Job(Generic[R]):
    """One call's work: its input, and (once done) its result or the error it raised."""

    payload: Any
    result: R | None = None
    error: BaseException | None = None
    done: bool = field(default=False, repr=False)


class GroupCommit(Generic[R]):
    """Run queued jobs in batches of at most ``max_batch``, one batch at a time.

    ``run(jobs)`` must set each job's ``result`` or ``error``; it runs outside this object's lock,
    in the thread of the job that leads the batch. A job the batch function left without either
    (a defect, or an exception that escaped it) gets an error, never a silent ``None``.
    """

    def __init__(self, run: Callable[[list[Job[R]]], None], max_batch: int = 8) -> None:
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        self._run = run
        self.max_batch = max_batch
        self._cond = threading.Condition()
        self._queue: list[Job[R]] = []
        self._leading = False

    def submit(self, payload: Any) -> R:
        """Run ``payload`` (possibly with other waiting calls' payloads) and return its result."""
        job: Job[R] = Job(payload)
        with self._cond:
            self._queue.append(job)
            while self._leading and not job.done:
                self._cond.wait()
            if not job.done:
                # This call leads: its own job first, then the oldest waiting ones.
                self._leading = True
                others = [j for j in self._queue if j is not job][: self.max_batch - 1]
                batch = [job, *others]
                taken = set(map(id, batch))
                self._queue = [j for j in self._queue if id(j) not in taken]
        if not job.done:
            try:
                self._run(batch)
            except BaseException as exc:  # noqa: BLE001 - handed to every job of the batch, re-raised below
                for j in batch:
                    if j.result is None and j.error is None:
                        j.error = exc
            finally:
                with self._cond:
                    for j in batch:
                        if j.result is None and j.error is None:
                            j.error = RuntimeError("the batch gave this call no result")
                        j.done = True
                    self._leading = False
                    self._cond.notify_all()
        if job.error is not None:
            raise job.error
        return job.result  # type: ignore[return-value]


__all__ = ["GroupCommit", "Job"]
