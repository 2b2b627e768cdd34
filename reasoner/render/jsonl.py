"""``--format jsonl`` and the cohort's ``patients.jsonl``: one patient object per line.

Keys are sorted and separators compact, so the same findings give the same bytes whatever the
worker or the row order of a backend (byte-comparable runs). Issues of records that belong to
no patient go on a line of their own, ``"(unattributed)"``, which is not a patient.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, TextIO

#: The id of the entry that carries data issues of records belonging to no patient.
UNATTRIBUTED_ID = "(unattributed)"


def line(entry: dict[str, Any]) -> bytes:
    """One entry as a JSON Lines line (non-finite numbers refused)."""
    return json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode() + b"\n"


def to_jsonl(entries: Iterable[dict[str, Any]]) -> bytes:
    """Entries as JSON Lines bytes."""
    return b"".join(line(e) for e in entries)


def unattributed_entry(issues: list[dict[str, Any]]) -> dict[str, Any]:
    """The ``"(unattributed)"`` entry for issues of records that belong to no patient."""
    return {"id": UNATTRIBUTED_ID, "trd": {"status": "error"}, "trials": [], "pseudoResistance": [],
            "mechanisms": [], "options": [], "dataIssues": list(issues)}


def render(result: Any, out: TextIO) -> None:
    """Write an assessment's patients, then the unattributed entry when there are such issues."""
    entries = list(result.patients) + ([unattributed_entry(result.unattributed)] if result.unattributed else [])
    out.write(to_jsonl(entries).decode())


__all__ = ["render", "line", "to_jsonl", "unattributed_entry", "UNATTRIBUTED_ID"]
