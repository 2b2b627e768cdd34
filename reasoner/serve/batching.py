"""Group commit: the calls waiting for the pipeline are assessed together, as one batch.

Why: most of a one-patient assessment is a fixed cost per SPARQL query — Oxigraph parses and
plans each of the some seventy queries of a call whatever the size of the data — so a batch of
patients costs little more than one patient (benchmarks/results/cds-hooks.md). While one call is
being assessed, the calls that arrive meanwhile queue for the pipeline anyway: the first of them
to get its turn (the *leader*) takes the queued calls with it and runs them in one go, so under
concurrency each patient pays a share of the fixed cost. A leader waits, at most ``linger``, for
two kinds of calls: calls already received and on their way to the queue
(:meth:`GroupCommit.arrival`: being authenticated and read, a millisecond or so from it), and
calls *expected*: until its batch is as large as the most calls in flight together (queued or
being assessed) at some moment of the last second. A call alone, or calls one after the other,
never had company, so they are never delayed.

Why wait for expected calls: clients that keep calling are a moment away whenever a batch ends
(they have just been answered and are sending their next call), so without this wait the calls of
a few clients alternate as batches of one (two clients on one worker: one call runs while the
other waits, then the other way round), each paying the whole fixed cost
(benchmarks/results/cds-hooks.md).

This module knows nothing about patients; :class:`reasoner.serve.assessor.Assessor` gives it the
function that assesses a batch (and keeps patients apart within one).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

R = TypeVar("R")

#: How far back the calls in flight together are remembered (the expected size of a batch).
RECENT_SECONDS = 1.0


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

    def __init__(self, run: Callable[[list[Job[R]]], None], max_batch: int = 8, linger: float = 0.005) -> None:
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        self._run = run
        self.max_batch = max_batch
        self.linger = linger
        self._cond = threading.Condition()
        self._queue: list[Job[R]] = []
        self._leading = False
        self._arriving = 0
        self._running = 0   # calls of the batch being assessed
        # (time, calls in flight) at each change within the last RECENT_SECONDS
        self._in_flight: deque[tuple[float, int]] = deque()

    def arrival(self) -> "Arrival":
        """Say that a call was received and will :meth:`submit` soon (its request is being read):
        a leader waits for it (up to ``linger`` seconds) rather than leave without it. Close the
        arrival (or pass it to :meth:`submit`, which closes it) on every path."""
        with self._cond:
            self._arriving += 1
        return Arrival(self)

    def _note(self) -> None:
        """(Under the lock.) Remember how many calls are in flight now: queued or being assessed
        (a call only received may still fail, as when its token is refused: it is not counted)."""
        self._in_flight.append((time.monotonic(), len(self._queue) + self._running))

    def expected(self) -> int:
        """How many calls a batch may expect: the most in flight together in the last second."""
        with self._cond:
            return self._expected()

    def _expected(self) -> int:
        """(Under the lock.) :meth:`expected`, forgetting what is older than ``RECENT_SECONDS``."""
        oldest = time.monotonic() - RECENT_SECONDS
        while self._in_flight and self._in_flight[0][0] < oldest:
            self._in_flight.popleft()
        return max((n for _, n in self._in_flight), default=1)

    def _leave(self, arrival: "Arrival") -> None:
        """(Under the lock.) The arrival no longer counts: it was submitted, or it failed first."""
        if arrival.pending:
            arrival.pending = False
            self._arriving -= 1
            self._cond.notify_all()

    def submit(self, payload: Any, arrival: "Arrival | None" = None) -> R:
        """Run ``payload`` (possibly with other waiting calls' payloads) and return its result;
        ``arrival``: this call's :meth:`arrival`, closed as the job is queued (in one step, so a
        leader never sees the call neither arriving nor queued)."""
        job: Job[R] = Job(payload)
        with self._cond:
            self._queue.append(job)
            if arrival is not None:
                self._leave(arrival)
            self._note()
            self._cond.notify_all()  # a leader may be waiting for arriving calls
            while self._leading and not job.done:
                self._cond.wait()
            if not job.done:
                # This call leads. Calls already received but not yet queued, and calls expected
                # (see the module docstring), are a moment away: wait for them (bounded), unless
                # the batch is full already.
                self._leading = True
                deadline = time.monotonic() + self.linger
                expected = min(self.max_batch, self._expected())
                while len(self._queue) < self.max_batch and (self._arriving or len(self._queue) < expected):
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
                    self._cond.wait(left)
                # its own job first, then the oldest waiting ones
                others = [j for j in self._queue if j is not job][: self.max_batch - 1]
                batch = [job, *others]
                taken = set(map(id, batch))
                self._queue = [j for j in self._queue if id(j) not in taken]
                self._running = len(batch)
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
                    self._running = 0
                    self._note()
                    self._leading = False
                    self._cond.notify_all()
        if job.error is not None:
            raise job.error
        return job.result  # type: ignore[return-value]


class Arrival:
    """A call received and on its way to :meth:`GroupCommit.submit` (a context manager: closed
    on leaving, whether or not it was submitted)."""

    def __init__(self, commit: GroupCommit[Any]) -> None:
        self._commit = commit
        self.pending = True

    def close(self) -> None:
        with self._commit._cond:
            self._commit._leave(self)

    def __enter__(self) -> "Arrival":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


__all__ = ["GroupCommit", "Job", "Arrival", "RECENT_SECONDS"]
