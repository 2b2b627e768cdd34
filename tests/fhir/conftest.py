"""Shared paths for the FHIR importer tests."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SMART_BULK = REPO.parent / "shared" / "data" / "smart-bulk-fhir-10"


@pytest.fixture(scope="session")
def smart_bulk() -> Path:
    if not SMART_BULK.is_dir():
        pytest.skip(f"real Bulk FHIR sample not found at {SMART_BULK}")
    return SMART_BULK
