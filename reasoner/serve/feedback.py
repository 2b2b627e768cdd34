"""Cards issued and the feedback clinicians give on them, in SQLite (durable across restarts).

Why: rule authors learn which cards clinicians reject, and why, only if every card is remembered by
its ``uuid`` with its type and the policy that produced it, and every feedback item (CDS Hooks 2.0
"Feedback": accepted, or overridden with an ``overrideReason`` and comment) is kept. No patient
identifier is stored: a card is known by its uuid, service, type, policy and hookInstance.

``trd feedback summary`` reads :func:`summary`: per card type, how often cards were issued,
accepted or overridden, and the override reasons and comments.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reasoner.errors import InputError

_SCHEMA = """
CREATE TABLE IF NOT EXISTS cards (
  uuid TEXT PRIMARY KEY, service TEXT NOT NULL, card_type TEXT NOT NULL, indicator TEXT NOT NULL,
  policy TEXT NOT NULL, hook_instance TEXT NOT NULL, issued_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS feedback (
  id INTEGER PRIMARY KEY AUTOINCREMENT, card_uuid TEXT NOT NULL, service TEXT NOT NULL,
  outcome TEXT NOT NULL, reason_system TEXT, reason_code TEXT, reason_display TEXT, comment TEXT,
  accepted_suggestions TEXT, outcome_timestamp TEXT NOT NULL, received_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS feedback_card ON feedback (card_uuid);
"""


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


class FeedbackStore:
    """The SQLite file of issued cards and feedback (WAL: readers never block the service)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(self.path), check_same_thread=False, timeout=10, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        # WAL + NORMAL: a commit survives a crash or restart of the service (the WAL is on disk);
        # only a power loss can undo the last commits. FULL would fsync on every hook call.
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def record_cards(self, service: str, policy: str, hook_instance: str,
                     cards: Iterable[tuple[str, str, str]]) -> None:
        """Remember issued cards: (uuid, card type, indicator) each."""
        rows = [(u, service, t, ind, policy, hook_instance, _now()) for u, t, ind in cards]
        if not rows:
            return
        with self._lock:
            self._db.execute("BEGIN")
            self._db.executemany("INSERT OR IGNORE INTO cards VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
            self._db.execute("COMMIT")

    def record_feedback(self, service: str, items: Iterable[dict[str, Any]]) -> int:
        """Store feedback items (already validated against the model); returns how many."""
        rows = []
        for item in items:
            reason = (item.get("overrideReason") or {}).get("reason") or {}
            comment = (item.get("overrideReason") or {}).get("userComment")
            accepted = [s.get("id") for s in item.get("acceptedSuggestions") or []]
            rows.append((item["card"], service, item["outcome"], _text(reason.get("system")), _text(reason.get("code")),
                         _text(reason.get("display")), comment, json.dumps(accepted) if accepted else None,
                         item["outcomeTimestamp"], _now()))
        with self._lock:
            self._db.execute("BEGIN")
            self._db.executemany("INSERT INTO feedback (card_uuid, service, outcome, reason_system, reason_code, "
                                 "reason_display, comment, accepted_suggestions, outcome_timestamp, received_at) "
                                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
            self._db.execute("COMMIT")
        return len(rows)

    def known_cards(self, uuids: Iterable[str]) -> set[str]:
        """Which of these card uuids this service issued."""
        wanted = list(dict.fromkeys(uuids))
        found: set[str] = set()
        with self._lock:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start:start + 500]
                marks = ",".join("?" * len(chunk))
                found.update(r[0] for r in self._db.execute(f"SELECT uuid FROM cards WHERE uuid IN ({marks})", chunk))
        return found


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


@dataclass
class TypeSummary:
    """Feedback on one card type."""

    card_type: str
    issued: int = 0
    accepted: int = 0
    overridden: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    comments: list[str] = field(default_factory=list)


def summary(path: Path | str) -> list[TypeSummary]:
    """Per card type: cards issued, feedback accepted / overridden, override reasons and comments
    (read-only; an InputError when the file is not a feedback store)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no feedback store here (trd serve writes it in its --data-dir)")
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            issued = dict(db.execute("SELECT card_type, COUNT(*) FROM cards GROUP BY card_type"))
            rows = db.execute("SELECT COALESCE(c.card_type, '(unknown card)'), f.outcome, f.reason_code, "
                              "f.reason_display, f.comment FROM feedback f LEFT JOIN cards c ON c.uuid = f.card_uuid "
                              "ORDER BY f.id").fetchall()
        finally:
            db.close()
    except sqlite3.DatabaseError as exc:
        raise InputError(f"{path}: not a feedback store ({exc})") from exc
    out: dict[str, TypeSummary] = {t: TypeSummary(t, n) for t, n in issued.items()}
    for card_type, outcome, code, display, comment in rows:
        s = out.setdefault(card_type, TypeSummary(card_type))
        if outcome == "accepted":
            s.accepted += 1
        else:
            s.overridden += 1
            reason = display or code or "(no reason given)"
            s.reasons[reason] = s.reasons.get(reason, 0) + 1
        if comment:
            s.comments.append(comment)
    return sorted(out.values(), key=lambda s: (-(s.accepted + s.overridden), s.card_type))


__all__ = ["FeedbackStore", "TypeSummary", "summary"]
