"""examples/trd-confirmed.fhir.json: the FHIR R4 Bundle of the confirmed-TRD example patient.

It tells the story of examples/trd-confirmed.ttl in FHIR (docs/fhir-profile.md). Expected values
are worked out by hand from docs/clinical-reference.md (default policy), as of 2026-01-15:

* ms-1 sertraline (SSRI, min 50 mg/day): 100 mg × 1/day = 100 mg/day, 2025-01-06 → 2025-03-10 =
  63 days = 9.0 weeks ≥ 6, adherence 0.9 ≥ 0.80: adequate. HAM-D17 baseline = latest score on or
  before the start (≤ 30 days before): 24 (2025-01-05); endpoint = latest score from the start to
  14 days after the end (≤ 2025-03-24): 22 (2025-03-20), not 20 (2025-03-08). Reduction 2/24 =
  8% < 25%: non-response; 22 > 7 is no remission, so the adequate trial failed.
* ms-2 venlafaxine (SNRI, min 150): 75 mg × 3/day = 225 mg/day, 2025-03-24 → 2025-06-02 = 70 days
  = 10.0 weeks, adherence 85 % = 0.85: adequate. Baseline 22 (2025-03-20), endpoint 18
  (2025-05-30): 4/22 = 18% < 25%: non-response, failed.
* TRD: 2 failed adequate trials of 2 classes: confirmed. Thase–Rush: failures in 2 classes, no
  TCA: stage II = 2. MGH-S: 1 + 1 (no dose raised, no augmentation, no ECT) = 2.0.
* Maudsley: episode from the F33.1 onset 2024-11-01 to 2026-01-15 = 440 days ÷ 30.44 = 14.5
  months (> 12, ≤ 24): 2; severity from the latest HAM-D17 of the episode, 18 (17–23 moderate): 3;
  2 failed antidepressants (1–2): 1; no augmentation 0; no ECT 0. Total 6: mild (3–6).
* CRP 4.2 mg/L > 3: inflammation, which implies serotonin-depletion and glutamate-excess;
  confirmed TRD implies neuroplasticity-deficit. 4.2 ≤ 5, so no infliximab.
* Options (§7): esketamine recommended and IV ketamine consider (TRD confirmed); tca-trial consider
  (Thase–Rush ≥ II); maoi-trial not yet (needs III); vns not yet (needs ≥ 4 failed, has 2);
  olanzapine-fluoxetine recommended (2 failed trials of different agents); anti-inflammatory
  augmentation investigational (inflammation flagged).
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

from reasoner.cli.main import main
from reasoner.fhir import load_patient_graph

from .builders import AS_OF

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "trd-confirmed.fhir.json"
TURTLE = REPO / "examples" / "trd-confirmed.ttl"


def assess(path: Path) -> tuple[int, dict]:
    """``trd assess PATH --format json --as-of 2026-01-15`` in-process: (exit code, document)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        try:
            main(["assess", str(path), "--format", "json", "--as-of", AS_OF.isoformat()])
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
    return code, json.loads(out.getvalue())


@pytest.fixture(scope="module")
def patient() -> dict:
    code, doc = assess(EXAMPLE)
    assert code == 0
    assert doc["asOf"] == "2026-01-15" and doc["policy"] == "default"
    assert "dataIssues" not in doc  # no record without a patient
    [p] = doc["patients"]
    return p


def _data_resources(evidence: list[dict]) -> set[str]:
    return {e["resource"] for e in evidence if e["kind"] == "data" and "resource" in e}


def test_the_bundle_is_a_collection_and_every_resource_is_mapped() -> None:
    bundle = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "collection"
    types = sorted(e["resource"]["resourceType"] for e in bundle["entry"])
    assert types == ["Condition"] + ["MedicationStatement"] * 2 + ["Observation"] * 7 + ["Patient"]
    _graph, report = load_patient_graph(EXAMPLE, as_of=AS_OF)
    assert {t: (c.read, c.mapped) for t, c in report.counts.items()} == {
        "Patient": (1, 1), "Condition": (1, 1), "MedicationStatement": (2, 2), "Observation": (7, 7)}
    assert report.unmapped == [] and report.issues == []


def test_trd_confirmed_and_stages(patient: dict) -> None:
    assert patient["id"] == "pat-001"
    trd = patient["trd"]
    assert (trd["status"], trd["failedAdequateTrials"], trd["distinctFailedClasses"]) == ("confirmed", 2, 2)
    stages = patient["stages"]
    assert stages["thaseRush"] == 2
    assert stages["maudsley"] == {"score": 6, "band": "mild"}
    assert stages["mghS"] == pytest.approx(2.0)
    assert patient["pseudoResistance"] == []
    assert patient["dataIssues"] == []  # the episode has an onset; every resource is valid


@pytest.mark.parametrize("tid, drug, rxnorm, cls, start, end, dose, weeks, adherence, baseline, endpoint", [
    ("ms-1", "sertraline", "36437", "SSRI", "2025-01-06", "2025-03-10", 100, 9.0, 0.9,
     "Observation/pat-001-hamd-1", "Observation/pat-001-hamd-3"),
    ("ms-2", "venlafaxine", "39786", "SNRI", "2025-03-24", "2025-06-02", 225, 10.0, 0.85,
     "Observation/pat-001-hamd-3", "Observation/pat-001-hamd-4"),
])
def test_trials_are_adequate_and_failed(patient: dict, tid, drug, rxnorm, cls, start, end, dose, weeks, adherence,
                                        baseline, endpoint) -> None:
    trials = {t["id"]: t for t in patient["trials"]}
    assert list(trials) == ["ms-1", "ms-2"]  # in start order
    t = trials[tid]
    assert (t["drug"], t["rxnorm"], t["class"], t["start"], t["end"]) == (drug, rxnorm, cls, start, end)
    assert t["dailyDoseMg"] == pytest.approx(dose)
    assert t["weeksAtAdequateDose"] == pytest.approx(weeks)
    assert t["adherence"] == pytest.approx(adherence)
    assert (t["adequacy"], t["reasons"], t["outcome"], t["failed"]) == ("adequate", [], "non-response", True)
    cited = _data_resources(t["evidence"])
    assert {baseline, endpoint, f"MedicationStatement/{tid}"} <= cited
    # the 2025-03-08 score is neither trial's baseline nor endpoint (2025-03-20 is later)
    assert "Observation/pat-001-hamd-2" not in cited


def test_mechanisms(patient: dict) -> None:
    mechanisms = {m["code"]: m for m in patient["mechanisms"]}
    assert set(mechanisms) == {"inflammation", "serotonin-depletion", "glutamate-excess", "neuroplasticity-deficit"}
    crp = [e for e in mechanisms["inflammation"]["evidence"] if e.get("resource") == "Observation/pat-001-crp-1"]
    assert [e["value"] for e in crp] == [pytest.approx(4.2)]
    assert mechanisms["inflammation"]["via"] == []  # flagged directly by the CRP
    assert mechanisms["serotonin-depletion"]["via"] and mechanisms["glutamate-excess"]["via"]  # along the chain


def test_options(patient: dict) -> None:
    status = {o["code"]: o["status"] for o in patient["options"]}
    assert status["esketamine"] == "recommended"
    assert status["iv-ketamine"] == "consider"
    assert status["olanzapine-fluoxetine"] == "recommended"
    assert status["tca-trial"] == "consider"
    assert status["maoi-trial"] == "not-yet-eligible"
    assert status["vns"] == "not-yet-eligible"
    assert status["anti-inflammatory-augmentation"] == "investigational"
    assert "infliximab" not in status  # CRP 4.2 mg/L is not > 5
    vns = next(o for o in patient["options"] if o["code"] == "vns")
    assert "has 2" in vns["missingCriterion"]


def test_same_findings_as_the_turtle_example(patient: dict) -> None:
    """Both examples describe one patient: the findings agree (evidence ids differ by design)."""
    code, doc = assess(TURTLE)
    assert code == 0
    [ttl] = doc["patients"]

    def findings(p: dict) -> dict:
        drop = lambda d: {k: v for k, v in d.items() if k != "evidence"}  # noqa: E731
        return {"id": p["id"], "trd": drop(p["trd"]), "stages": drop(p["stages"]),
                "trials": [drop(t) for t in p["trials"]],
                "pseudoResistance": [drop(x) for x in p["pseudoResistance"]],
                "mechanisms": [drop(x) for x in p["mechanisms"]],
                "options": [drop(x) for x in p["options"]], "dataIssues": p["dataIssues"]}

    assert findings(patient) == findings(ttl)
