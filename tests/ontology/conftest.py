"""Fixtures that read the clinical reference and FHIR profile (the repository's copies in docs/), so
that ontology tests compare the ontology with the reference text itself instead of repeating its
numbers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from ontology_refparse import RefDrug, section


@pytest.fixture(scope="session")
def reference_text(docs_dir: Path) -> str:
    return (docs_dir / "clinical-reference.md").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def fhir_profile_text(docs_dir: Path) -> str:
    return (docs_dir / "fhir-profile.md").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def ref_drugs(reference_text: str) -> list[RefDrug]:
    """Rows of table 2.1: drug | class | min mg/day | RxNorm | ATC."""
    rows = []
    for line in section(reference_text, "### 2.1", "## 3.").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 5 and re.fullmatch(r"\d+(\.\d+)?", cells[2]):
            rxnorm = cells[3] if re.fullmatch(r"\d+", cells[3]) else None
            rows.append(RefDrug(cells[0], cells[1], float(cells[2]), rxnorm, cells[4]))
    assert len(rows) >= 20, "table 2.1 of the clinical reference could not be parsed"
    return rows


@pytest.fixture(scope="session")
def ref_codes(reference_text: str) -> dict[str, list[str]]:
    """Section 1: group name -> its stable codes (backticked)."""
    groups: dict[str, list[str]] = {}
    for line in section(reference_text, "## 1.", "## 2.").splitlines():
        match = re.match(r"\|\s*([^|]+?)\s*\|\s*(.*`.*)\|\s*$", line)
        if match:
            groups[match.group(1)] = re.findall(r"`([^`]+)`", match.group(2))
    assert len(groups) == 8, f"section 1 of the clinical reference could not be parsed: {list(groups)}"
    return groups
