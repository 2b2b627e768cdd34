"""Regression: `trd validate` judged ongoing trials against today's date; it now takes --as-of, so
validating an old record gives the same adequacy verdict as assessing it on that date."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

ONGOING_TRIAL = """
@prefix trd: <https://w3id.org/trd-reasoner/ontology#> .
@prefix ex:  <https://example.org/trd/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:p1 a trd:Patient ; trd:identifier "p1" .
ex:t1 a trd:AntidepressantTrial ; trd:patient ex:p1 ; trd:identifier "t1" ;
    trd:drug trd:sertraline ; trd:dailyDoseMg 100.0 ; trd:adherence 0.9 ;
    trd:startDate "2025-12-01"^^xsd:date ; trd:ongoing true .
"""


def validate(path: Path, as_of: str) -> str:
    result = subprocess.run([sys.executable, "-m", "reasoner.cli.main", "validate", str(path), "--as-of", as_of],
                            capture_output=True, text=True, cwd=REPO, timeout=300)
    assert result.returncode == 0, result.stderr  # warnings do not fail validation
    return result.stdout


def test_ongoing_trial_is_judged_up_to_the_evaluation_date(tmp_path: Path) -> None:
    data = tmp_path / "ongoing.ttl"
    data.write_text(ONGOING_TRIAL)
    five_weeks = validate(data, "2026-01-05")
    assert "duration-too-short" in five_weeks
    thirteen_weeks = validate(data, "2026-03-02")
    assert "duration-too-short" not in thirteen_weeks


def test_bad_as_of_is_a_usage_error(tmp_path: Path) -> None:
    data = tmp_path / "ongoing.ttl"
    data.write_text(ONGOING_TRIAL)
    result = subprocess.run([sys.executable, "-m", "reasoner.cli.main", "validate", str(data), "--as-of", "soon"],
                            capture_output=True, text=True, cwd=REPO, timeout=300)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
