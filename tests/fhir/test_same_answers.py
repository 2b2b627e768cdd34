"""Issue 15: the same patients give the same answers from a Bundle, a Bulk folder and the Turtle file
``trd import`` converts them to — in single mode (``trd assess --format json``) and in cohort
mode (``trd assess --out``; a cohort run reads a Bulk folder or Turtle).

The patients are stories of the real-shapes corpus (each with its own id), so the shapes under
test go through all three forms. Findings must be equal field by field; the data issues of the
import are in the FHIR runs only (the Turtle file holds what was imported, not what was not), so
the validation results are compared, and the import issues of Bundle and Bulk runs with each other.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from reasoner.cli.main import main

CORPUS = Path(__file__).resolve().parent / "real-shapes"
AS_OF = "2026-01-15"
STORIES = ("01-relative-references", "04-contained-medication", "09-timing-code-bid", "18-as-needed",
           "25-order-repeats-three-dispenses", "34-partial-start-month", "37-impossible-start-date",
           "38-recorded-date-only", "45-phq9-panel-items", "48-phq9-questionnaire-items", "57-stopped-noncompliance",
           "59-noncompliance-observation-outside", "22-ingredient-strength-ml", "06-identifier-subject",
           "07-identifier-medication", "08-unresolvable-medication", "60-searchset-with-includes")


def _renamed(value: Any, pid: str) -> Any:
    """A resource of the story with patient p1 renamed and every resource id (and identifier
    value) prefixed, so that the stories stay apart in one input."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if k == "reference" and isinstance(v, str) and "/" in v and not v.startswith("#"):
                rtype, rid = v.rsplit("/", 1) if "://" in v else v.split("/", 1)
                out[k] = f"Patient/{pid}" if rtype.endswith("Patient") else f"{rtype}/{pid}-{rid}"
            elif k == "value" and isinstance(v, str) and "system" in value:  # an identifier
                out[k] = f"{pid}-{v}"
            else:
                out[k] = _renamed(v, pid)
        return out
    if isinstance(value, list):
        return [_renamed(v, pid) for v in value]
    return value


@pytest.fixture(scope="module")
def forms(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The same patients as a Bundle, a Bulk folder and a Turtle file converted by ``trd import``."""
    root = tmp_path_factory.mktemp("same")
    resources = []
    for n, story in enumerate(STORIES):
        pid = f"pat-{n:02d}"
        for entry in json.loads((CORPUS / f"{story}.json").read_text())["entry"]:
            res = _renamed(entry["resource"], pid)
            res["id"] = pid if res["resourceType"] == "Patient" else f"{pid}-{res['id']}"
            resources.append(res)
    bundle = root / "bundle.json"
    bundle.write_text(json.dumps({"resourceType": "Bundle", "type": "collection",
                                  "entry": [{"resource": r} for r in resources]}))
    bulk = root / "bulk"
    bulk.mkdir()
    by_type: dict[str, list[str]] = {}
    for r in resources:
        by_type.setdefault(r["resourceType"], []).append(json.dumps(r))
    for rtype, lines in by_type.items():
        (bulk / f"{rtype}.ndjson").write_text("\n".join(lines) + "\n")
    turtle_dir = root / "turtle"
    turtle_dir.mkdir()
    with pytest.raises(SystemExit) as done:
        main(["import", str(bundle), "-o", str(turtle_dir / "patients.ttl"), "--as-of", AS_OF])
    assert done.value.code == 0
    return {"bundle": bundle, "bulk": bulk, "turtle": turtle_dir / "patients.ttl", "turtle-folder": turtle_dir}


def _single(path: Path, capsys: pytest.CaptureFixture[str]) -> list[dict]:
    with pytest.raises(SystemExit) as done:
        main(["assess", str(path), "--format", "json", "--as-of", AS_OF])
    assert done.value.code in (0, 1)
    return json.loads(capsys.readouterr().out)["patients"]


def _cohort(path: Path, out: Path) -> list[dict]:
    from reasoner.cohort import run_cohort

    run_cohort(path, out, as_of=AS_OF, progress=False, workers=1)
    lines = [json.loads(x) for x in (out / "patients.jsonl").read_text().splitlines()]
    return sorted((p for p in lines if p["id"] != "(unattributed)"), key=lambda p: p["id"])


def _findings(patients: list[dict]) -> dict[str, dict]:
    """Everything but the import's data issues (validation results stay)."""
    return {p["id"]: {**p, "dataIssues": sorted((i for i in p["dataIssues"] if "effect" not in i),
                                                key=lambda i: json.dumps(i, sort_keys=True))}
            for p in patients}


def _imported(patients: list[dict]) -> dict[str, list]:
    return {p["id"]: sorted((json.dumps(i, sort_keys=True) for i in p["dataIssues"] if "effect" in i)) for p in patients}


def test_bundle_bulk_and_turtle_give_the_same_answers(forms, capsys, tmp_path):
    runs = {
        "bundle": _single(forms["bundle"], capsys),
        "bulk": _single(forms["bulk"], capsys),
        "turtle": _single(forms["turtle"], capsys),
        "bulk cohort": _cohort(forms["bulk"], tmp_path / "bulk"),
        "turtle cohort": _cohort(forms["turtle-folder"], tmp_path / "turtle"),
    }
    reference = _findings(runs["bundle"])
    assert len(reference) == len(STORIES)
    statuses = {p["trd"]["status"] for p in runs["bundle"]}
    assert statuses == {"confirmed", "possible", "not-met"}  # the stories differ, so the check can fail
    for name, patients in runs.items():
        assert _findings(patients) == reference, name
    # what the import could not use as given: the same in every FHIR run, single or cohort
    assert _imported(runs["bulk"]) == _imported(runs["bundle"]) == _imported(runs["bulk cohort"])
    assert any(_imported(runs["bundle"]).values())
