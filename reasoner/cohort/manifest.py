"""The run manifest: which shards are committed, so a run can resume without duplicates.

Why SQLite: one file, atomic commits, readable by any tool. A shard is *committed* when its row
is here; the row records where the JSON Lines file (``patients.jsonl.partial`` while the run is
in progress, ``patients.jsonl`` once every shard is committed) ended after the shard's lines were
appended.
On resume the JSONL file is cut back to the last committed end, so lines of a shard that was
being written when the run died disappear, and the shard is done again: no patient twice, none
lost. The run's parameters are stored too; resuming with different ones is refused, because
mixing results of two configurations in one output would be silently wrong.
"""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path
from typing import Any

from reasoner.errors import TrdError
from reasoner.cohort.results import Counts, merge_counts


class ResumeError(TrdError):
    """The output folder holds a run with other parameters (or is not a cohort output)."""

    exit_code = 2


class Manifest:
    """Committed shards of one output folder (see module docstring)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._con = sqlite3.connect(self.path)
        self._con.executescript("""
            PRAGMA journal_mode=WAL;
            CREATE TABLE IF NOT EXISTS run(key TEXT PRIMARY KEY, value TEXT);
            CREATE TABLE IF NOT EXISTS shards(
                shard_id INTEGER PRIMARY KEY, patients INTEGER NOT NULL, jsonl_end INTEGER NOT NULL,
                counts TEXT NOT NULL, seconds REAL NOT NULL, committed_at REAL NOT NULL);
        """)
        self._con.commit()

    def params(self) -> dict[str, str]:
        """The stored run parameters (empty for a new output)."""
        return dict(self._con.execute("SELECT key, value FROM run").fetchall())

    def bind(self, params: dict[str, Any]) -> dict[str, str]:
        """Store the parameters of a new run, or check them against the stored ones.

        A stored parameter that the caller leaves unset (``None``, e.g. the as-of date of a
        resumed run) is taken from the manifest and returned, so the resumed run is the same run.
        """
        stored = self.params()
        wanted = {k: (None if v is None else str(v)) for k, v in params.items()}
        for key, value in wanted.items():
            if value is None:
                continue
            if key in stored and stored[key] != value:
                raise ResumeError(
                    f"{self.path.parent}: holds a run with {key}={stored[key]!r}, not {value!r}; "
                    "use another output folder, or start over without resume")
            if key not in stored:
                self._con.execute("INSERT INTO run VALUES (?, ?)", (key, value))
                stored[key] = value
        self._con.commit()
        return stored

    def done(self) -> set[int]:
        """Ids of committed shards."""
        return {row[0] for row in self._con.execute("SELECT shard_id FROM shards")}

    def jsonl_end(self) -> int:
        """Byte length of the JSON Lines file that committed shards account for."""
        row = self._con.execute("SELECT MAX(jsonl_end) FROM shards").fetchone()
        return int(row[0] or 0)

    def commit(self, shard_id: int, patients: int, jsonl_end: int, counts: Counts, seconds: float) -> None:
        """Record a shard as committed (the last step of writing it)."""
        self._con.execute("INSERT INTO shards VALUES (?, ?, ?, ?, ?, ?)",
                          (shard_id, patients, jsonl_end, json.dumps(counts, allow_nan=False), seconds, time.time()))
        self._con.commit()

    def totals(self) -> Counts:
        """Summed counts of every committed shard."""
        total: Counts = {}
        for (counts,) in self._con.execute("SELECT counts FROM shards ORDER BY shard_id"):
            merge_counts(total, json.loads(counts))
        return total

    def close(self) -> None:
        """Release the database handle."""
        self._con.close()


__all__ = ["Manifest", "ResumeError"]
