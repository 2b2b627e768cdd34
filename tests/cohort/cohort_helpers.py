"""Helpers shared by the cohort tests (a module of its own: every test folder has a conftest)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).parent
if str(HERE) not in sys.path:  # the test processors must be importable in worker processes
    sys.path.insert(0, str(HERE))

ECHO = "cohort_test_processors:echo"
CRASH = "cohort_test_processors:crash_at"
SLOW = "cohort_test_processors:slow"


def read_jsonl(path: Path) -> list[dict]:
    """The patient objects of a JSONL file, sorted by id."""
    with open(path) as handle:
        return sorted((json.loads(line) for line in handle), key=lambda p: p["id"])


def truth_ids(cohort: Path) -> dict[str, dict]:
    """Patients the generator marked malformed or broken in FHIR only."""
    with open(cohort / "truth.jsonl") as handle:
        return {row["id"]: row for row in map(json.loads, handle)}
