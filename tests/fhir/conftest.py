"""Shared paths for the FHIR importer tests."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
#: The real Synthea Bulk FHIR sample, bundled with the repository (tests/data/README.md).
SMART_BULK = REPO / "tests" / "data" / "smart-bulk-fhir-10"


@pytest.fixture(scope="session")
def smart_bulk() -> Path:
    assert SMART_BULK.is_dir(), f"{SMART_BULK} is part of the repository (see tests/data/README.md)"
    return SMART_BULK
