"""Progress display: a rich bar with patients/s and ETA on a terminal, nothing otherwise.

Why only on a TTY: a nightly job's log must not fill with redraw sequences.
"""

from __future__ import annotations

import sys
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskProgressColumn, TextColumn, \
    TimeElapsedColumn, TimeRemainingColumn


class _Rate(TextColumn):
    """Patients per second since the bar started."""

    def __init__(self) -> None:
        super().__init__("")

    def render(self, task: Any) -> Any:
        from rich.text import Text
        # Patients done by this call only: shards resumed from an earlier run are not speed.
        done_now = task.completed - task.fields.get("resumed", 0)
        rate = done_now / task.elapsed if task.elapsed else 0.0
        return Text(f"{rate:,.0f} patients/s")


class CohortProgress:
    """A context manager: ``advance(n)`` after each shard; silent unless enabled and on a TTY."""

    def __init__(self, total: int, done: int = 0, enabled: bool = True) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self._progress: Progress | None = None
        self._task: Any = None
        self.total, self.done = total, done

    def __enter__(self) -> CohortProgress:
        if self.enabled:
            self._progress = Progress(
                TextColumn("assessing"), BarColumn(), MofNCompleteColumn(), TaskProgressColumn(),
                _Rate(), TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                console=Console(stderr=True), transient=False)
            self._progress.__enter__()
            self._task = self._progress.add_task("patients", total=self.total, completed=self.done,
                                                 resumed=self.done)
        return self

    def advance(self, patients: int) -> None:
        """Count ``patients`` more as done."""
        if self._progress is not None:
            self._progress.advance(self._task, patients)

    def __exit__(self, *exc: Any) -> None:
        if self._progress is not None:
            self._progress.__exit__(*exc)


__all__ = ["CohortProgress"]
