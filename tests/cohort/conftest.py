"""Shared fixtures: small generated cohorts (both formats) made once per test session."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from benchmarks.support.synthetic import generate_cohort

sys.path.insert(0, str(Path(__file__).parent))  # cohort_helpers, cohort_test_processors


@pytest.fixture(scope="session")
def cohort_250(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """250 generated patients as Turtle (files of 100) and Bulk FHIR."""
    out = tmp_path_factory.mktemp("cohort250")
    generate_cohort(out, 250, seed=20, patients_per_turtle_file=100)  # seed 20: 6 malformed, 3 broken lines
    return out


@pytest.fixture(scope="session")
def cohort_60(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """60 generated patients (the first 60 of cohort_250: same seed), Turtle files of 25."""
    out = tmp_path_factory.mktemp("cohort60")
    generate_cohort(out, 60, seed=20, patients_per_turtle_file=25)
    return out
