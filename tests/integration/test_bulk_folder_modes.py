"""Regression: a Bulk folder gave one patient through `trd assess FOLDER` and two through
`trd assess FOLDER --out DIR`, because two readers decided differently which files a folder holds
and whose a resource is. Now one rule (reasoner.fhir.reader.bulk_files, reasoner.fhir.references)
serves both modes: they find the same patients, and account for the same resources."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"


def _write(folder: Path, name: str, *resources: dict) -> None:
    (folder / name).write_text("".join(json.dumps(r) + "\n" for r in resources))


def _export(folder: Path) -> Path:
    """A folder the way real exports name files: <Type>.ndjson, <Type>-<n>.ndjson, a numbered prefix."""
    folder.mkdir()
    _write(folder, "Patient.ndjson", {"resourceType": "Patient", "id": "a", "birthDate": "1980-01-01"})
    _write(folder, "Patient-2.ndjson", {"resourceType": "Patient", "id": "b", "birthDate": "1970-01-01"},
           {"resourceType": "Patient", "id": "e", "birthDate": "1990-01-01"},  # a patient with no records
           {"resourceType": "Patient", "id": "c d"})                       # an id FHIR does not allow: kept (issue 16)
    _write(folder, "1.Condition.ndjson",
           {"resourceType": "Condition", "id": "c1", "subject": {"reference": "Patient/a"},
            "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "F33.1"}]},
            "clinicalStatus": {"coding": [{"code": "active"}]}, "onsetDateTime": "2024-06-01"},
           {"resourceType": "Condition", "id": "c2", "subject": {"reference": "https://ehr.example/fhir/Patient/b"},
            "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "F32.1"}]},
            "clinicalStatus": {"coding": [{"code": "active"}]}, "onsetDateTime": "2024-07-01"},
           {"resourceType": "Condition", "id": "c3",                       # no subject: a loose line
            "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "F33.1"}]}})
    _write(folder, "Medication.ndjson",
           {"resourceType": "Medication", "id": "m1", "code": {"coding": [{"system": RXNORM, "code": "36437"}]}},
           {"resourceType": "Medication", "id": "m2", "code": {"coding": [{"system": RXNORM, "code": "32937"}]}})
    _write(folder, "MedicationStatement.ndjson",
           {"resourceType": "MedicationStatement", "id": "s1", "status": "completed",
            "subject": {"reference": "Patient/b"}, "medicationReference": {"reference": "Medication/m1"},
            "effectivePeriod": {"start": "2025-01-01", "end": "2025-03-01"}})
    _write(folder, "Practitioner.ndjson", {"resourceType": "Practitioner", "id": "dr"})
    _write(folder, "log.ndjson", {"exportId": "x"})
    return folder


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reasoner.cli.main", *args], capture_output=True, text=True,
                          cwd=REPO, timeout=600)


def test_single_and_cohort_modes_find_the_same_patients_and_resources(tmp_path: Path) -> None:
    export = _export(tmp_path / "export")
    single = _cli("assess", str(export), "--as-of", "2026-01-15", "--format", "json")
    assert single.returncode in (0, 1), single.stderr
    single_ids = sorted(p["id"] for p in json.loads(single.stdout)["patients"])
    cohort = _cli("assess", str(export), "--as-of", "2026-01-15", "--out", str(tmp_path / "out"))
    assert cohort.returncode in (0, 1), cohort.stderr
    lines = [json.loads(x) for x in (tmp_path / "out" / "patients.jsonl").read_text().splitlines()]
    cohort_ids = sorted(p["id"] for p in lines if p["id"] != "(unattributed)")
    assert single_ids == cohort_ids == ["a", "b", "c d", "e"]

    imported = _cli("import", str(export), "-o", str(tmp_path / "p.ttl"), "--report", str(tmp_path / "r.json"),
                    "--as-of", "2026-01-15")
    assert imported.returncode == 0, imported.stderr
    single_counts = json.loads((tmp_path / "r.json").read_text())["counts"]
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["resources"] == single_counts
    # every line of the export (but the log) is read once in either mode
    assert sum(c["read"] for c in single_counts.values()) == 11
    # the loose record that could change an assessment is on the (unattributed) line
    loose = next(p for p in lines if p["id"] == "(unattributed)")
    assert sorted(i["resource"] for i in loose["dataIssues"]) == ["Condition/c3"]
