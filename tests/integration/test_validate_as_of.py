"""Regression: `trd validate` judged ongoing trials against today's date; it now takes --as-of, so
validating an old record gives the same adequacy verdict as assessing it on that date."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

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


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reasoner.cli.main", *args], capture_output=True, text=True,
                          cwd=REPO, timeout=300)


@pytest.mark.parametrize("validator", ["reference", "fast"])
@pytest.mark.parametrize("as_of", ["2026-01-05", "2026-01-12", "2026-03-02"])
def test_validate_judges_as_assess_does_on_every_date_with_either_validator(tmp_path: Path, validator: str,
                                                                           as_of: str) -> None:
    """Regression: the fast validator was cached by policy name, with the evaluation context of the
    first call; now `trd validate` is the assessment pipeline stopped after validation."""
    data = tmp_path / "ongoing.ttl"
    data.write_text(ONGOING_TRIAL)
    validated = _cli("validate", str(data), "--as-of", as_of, "--validator", validator, "--format", "json")
    assert validated.returncode == 0, validated.stderr
    assessed = _cli("assess", str(data), "--as-of", as_of, "--format", "json")
    assert assessed.returncode == 0, assessed.stderr
    reasons = set(json.loads(assessed.stdout)["patients"][0]["trials"][0]["reasons"])
    report = validated.stdout
    # the adequacy shapes report every reason the rules gave on that date, and only those
    for reason in ("duration-too-short", "dose-below-minimum", "adherence-below-threshold"):
        assert (reason in report) == (reason in reasons), (as_of, validator, reason)
    assert ("duration-too-short" in reasons) == (as_of < "2026-01-12")  # 6 weeks from 2025-12-01


def test_the_pipelines_validator_carries_the_evaluation_date() -> None:
    from reasoner.pipeline import Pipeline

    for as_of in ("2026-01-05", "2026-03-02"):
        validator = Pipeline(as_of=as_of, validator="fast").validator
        assert f'"{as_of}"^^<http://www.w3.org/2001/XMLSchema#date>'.encode() in validator._policy_nt
