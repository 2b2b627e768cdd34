"""Shared fixtures: small generated cohorts (both formats) made once per test session."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from reasoner.cohort.synthetic import generate_cohort

HERE = Path(__file__).parent
if str(HERE) not in sys.path:  # the test processors must be importable in worker processes
    sys.path.insert(0, str(HERE))

ECHO = "cohort_test_processors:echo"
CRASH = "cohort_test_processors:crash_at"


@pytest.fixture(scope="session")
def cohort_250(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """250 generated patients as Turtle (files of 100) and Bulk FHIR."""
    out = tmp_path_factory.mktemp("cohort250")
    generate_cohort(out, 250, seed=20, patients_per_turtle_file=100)  # seed 20: 6 malformed, 3 broken lines
    return out


def read_jsonl(path: Path) -> list[dict]:
    """The patient objects of a JSONL file, sorted by id."""
    with open(path) as handle:
        return sorted((json.loads(line) for line in handle), key=lambda p: p["id"])


def truth_ids(cohort: Path) -> dict[str, dict]:
    """Patients the generator marked malformed or broken in FHIR only."""
    with open(cohort / "truth.jsonl") as handle:
        return {row["id"]: row for row in map(json.loads, handle)}


@pytest.fixture(scope="session")
def cohort_60(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """60 generated patients (the first 60 of cohort_250: same seed), Turtle files of 25."""
    out = tmp_path_factory.mktemp("cohort60")
    generate_cohort(out, 60, seed=20, patients_per_turtle_file=25)
    return out
