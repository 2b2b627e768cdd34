"""Fixtures of the findings tests: a small generated Bulk FHIR cohort, made once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.support.synthetic import generate_cohort


@pytest.fixture(scope="session")
def cohort_fhir_small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """60 generated patients as Bulk FHIR (seed 20: a malformed record and a broken line among them)."""
    out = tmp_path_factory.mktemp("cohort-findings")
    generate_cohort(out, 60, seed=20, turtle=False)
    return out / "fhir"
