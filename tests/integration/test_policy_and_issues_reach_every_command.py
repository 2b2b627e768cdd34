"""Regression: `trd report`, `trd validate` and `trd query` imported FHIR with the default policy
whatever `--policy` said (the trial gap and default supply the import reads come from the policy),
and dropped the import's data issues: a record left out of the assessment (here an Observation
with an unreadable date) was named nowhere. `trd assess` did both right; now every command does —
the report lists the issue on its patient's page, validate and query name it on stderr.

The policy file extends the default with a 30-day trial gap, so two sertraline statements 20 days
apart are one trial under it and two under the default (tests/fhir/test_trials.py holds the
importer to that; this test holds the commands to passing the policy on)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
WIDE_GAP = """@prefix trd: <https://w3id.org/trd-reasoner/ontology#> .
@prefix pol: <https://w3id.org/trd-reasoner/policy/> .
pol:wide-gap a trd:Policy ; trd:extends pol:default .
pol:wide-gap-trial-gap-days a trd:Setting ; trd:policy pol:wide-gap ;
    trd:parameter trd:param-trial-gap-days ; trd:value 30 .
"""
TRIALS = """PREFIX trd: <https://w3id.org/trd-reasoner/ontology#>
SELECT (COUNT(DISTINCT ?t) AS ?trials) WHERE { ?t a trd:AntidepressantTrial }
"""


def _statement(rid: str, start: str, end: str) -> dict:
    return {"resourceType": "MedicationStatement", "id": rid, "status": "completed",
            "subject": {"reference": "Patient/p1"},
            "medicationCodeableConcept": {"coding": [{"system": RXNORM, "code": "36437"}]},
            "effectivePeriod": {"start": start, "end": end},
            "dosage": [{"doseAndRate": [{"doseQuantity": {"value": 50, "unit": "mg",
                                                          "system": "http://unitsofmeasure.org", "code": "mg"}}],
                        "timing": {"repeat": {"frequency": 1, "period": 1, "periodUnit": "d"}}}]}


def _inputs(tmp_path: Path) -> tuple[Path, Path, Path]:
    resources = [{"resourceType": "Patient", "id": "p1", "birthDate": "1980-01-01", "gender": "female"},
                 _statement("s1", "2025-01-06", "2025-02-03"), _statement("s2", "2025-02-23", "2025-04-07"),
                 {"resourceType": "Observation", "id": "hamd-bad", "status": "final",
                  "subject": {"reference": "Patient/p1"},
                  "code": {"coding": [{"system": "https://w3id.org/trd-reasoner/fhir/CodeSystem/trd",
                                       "code": "hamd17-total"}]},
                  "effectiveDateTime": "last spring", "valueInteger": 22}]
    bundle = tmp_path / "bundle.json"
    bundle.write_text(json.dumps({"resourceType": "Bundle", "type": "collection",
                                  "entry": [{"resource": r} for r in resources]}))
    policy = tmp_path / "wide-gap.ttl"
    policy.write_text(WIDE_GAP)
    query = tmp_path / "trials.rq"
    query.write_text(TRIALS)
    return bundle, policy, query


def trd(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reasoner.cli.main", *args], capture_output=True, text=True,
                          cwd=REPO, timeout=300)


def test_query_imports_with_the_policy_and_names_the_left_out_record(tmp_path: Path) -> None:
    bundle, policy, query = _inputs(tmp_path)
    counts = {}
    for name, chosen in (("default", "default"), ("wide", str(policy))):
        result = trd("query", str(query), str(bundle), "--policy", chosen, "--as-of", "2026-01-15", "--format", "json")
        assert result.returncode == 0, result.stderr
        counts[name] = int(json.loads(result.stdout)["rows"][0]["trials"])
        assert "Observation/hamd-bad" in result.stderr and "not a date" in result.stderr
    assert counts == {"default": 2, "wide": 1}


def test_validate_imports_with_the_policy_and_names_the_left_out_record(tmp_path: Path) -> None:
    bundle, policy, _ = _inputs(tmp_path)
    outputs = {}
    for name, chosen in (("default", "default"), ("wide", str(policy))):
        result = trd("validate", str(bundle), "--policy", chosen, "--as-of", "2026-01-15", "--format", "turtle")
        assert result.returncode in (0, 1), result.stderr
        assert "Observation/hamd-bad" in result.stderr and "record left out" in result.stderr
        outputs[name] = result.stdout
    # the 4-week and 6-week statements are two short trials under the default gap, one 13-week trial
    # under the wide gap: the duration shape judges them differently
    assert outputs["default"].count("duration-too-short") > outputs["wide"].count("duration-too-short")


def test_report_lists_the_import_issue_on_the_patients_page(tmp_path: Path) -> None:
    bundle, policy, _ = _inputs(tmp_path)
    out = tmp_path / "report"
    result = trd("report", str(bundle), "--out", str(out), "--policy", str(policy), "--as-of", "2026-01-15")
    assert result.returncode in (0, 1), result.stderr
    pages = list(out.glob("*.html"))
    assert len(pages) == 1
    page = pages[0].read_text(encoding="utf-8")
    assert "Observation/hamd-bad" in page and "not a date" in page
