"""``--format fhir``: every example and vignette fixture gives a Bundle that validates against the
FHIR R4 structure definitions (``fhir.resources`` R4B models), with the codes and references the
issue asks for; a round trip through ``trd import`` resolves every reference to an input resource.

Expectations are hand-worked from the examples (docs/clinical-reference.md): pat-001 has TRD
confirmed, Thase–Rush 2, Maudsley 6 (mild), MGH-S 2.0, two failed trials (MedicationStatement ms-1,
ms-2) on HAM-D17 scores; pat-002 has pseudo-resistance inadequate-trial and nonadherence.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reasoner.knowledge.fhir_terms import TRD_SYSTEM, codesystem_resource

from .conftest import AS_OF, EXAMPLES, REPO, run_cli
from .fhir_models import validation_errors

VIGNETTES = sorted((REPO / "tests" / "infer" / "core" / "fixtures").glob("*.ttl"))
INPUTS = sorted(EXAMPLES.glob("*.ttl")) + [EXAMPLES / "trd-confirmed.fhir.json"] + VIGNETTES


def fhir_bundle(path: Path) -> dict:
    code, out, err = run_cli("assess", str(path), "--as-of", AS_OF, "--format", "fhir")
    assert code in (0, 1), err
    return json.loads(out)


@pytest.fixture(scope="module")
def confirmed() -> dict:
    return fhir_bundle(EXAMPLES / "trd-confirmed.fhir.json")


def resources(bundle: dict, rtype: str) -> list[dict]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == rtype]


def by_code(bundle: dict, code: str) -> dict:
    found = [r for r in resources(bundle, "Observation") if r["code"]["coding"][0]["code"] == code]
    assert len(found) == 1, code
    return found[0]


@pytest.mark.parametrize("path", INPUTS, ids=lambda p: p.name)
def test_every_example_and_vignette_validates_as_fhir_r4(path: Path) -> None:
    bundle = fhir_bundle(path)
    # any structural error (unknown element, wrong type, cardinality) of the Bundle and its resources
    assert validation_errors([bundle]) == []
    assert bundle["type"] == "collection"
    codes = {c["code"] for c in codesystem_resource()["concept"]}
    for entry in bundle["entry"]:
        assert entry["fullUrl"] == f"urn:uuid:{entry['resource']['id']}"
        for coding in _codings(entry["resource"]):
            if coding["system"] == TRD_SYSTEM:
                assert coding["code"] in codes, coding


def _codings(node: object) -> list[dict]:
    """Every Coding inside a resource (objects with a system and a code)."""
    found = []
    if isinstance(node, dict):
        if "system" in node and "code" in node:
            found.append(node)
        for value in node.values():
            found += _codings(value)
    elif isinstance(node, list):
        for value in node:
            found += _codings(value)
    return found


def test_trd_status_and_stages_are_observations_derived_from_the_trials_and_scores(confirmed: dict) -> None:
    status = by_code(confirmed, "trd-status")
    assert status["valueCodeableConcept"]["coding"][0]["code"] == "confirmed"
    assert status["status"] == "preliminary"
    assert status["subject"]["reference"] == "Patient/pat-001"
    derived = {r["reference"] for r in status["derivedFrom"]}
    # both failed trials and their baseline and endpoint HAM-D17 scores
    assert {"MedicationStatement/ms-1", "MedicationStatement/ms-2", "Observation/pat-001-hamd-1",
            "Observation/pat-001-hamd-3", "Observation/pat-001-hamd-4"} <= derived
    assert by_code(confirmed, "thase-rush-stage")["valueInteger"] == 2
    maudsley = by_code(confirmed, "maudsley-score")
    assert maudsley["valueInteger"] == 6 and maudsley["component"][0]["valueString"] == "mild"
    assert by_code(confirmed, "mghs-score")["valueQuantity"]["value"] == 2.0


def test_options_are_one_request_group_with_status_and_standard_codes(confirmed: dict) -> None:
    (group,) = resources(confirmed, "RequestGroup")
    assert group["intent"] == "proposal"
    status = {a["code"][0]["coding"][0]["code"]: a["extension"][0]["valueCoding"]["code"] for a in group["action"]}
    assert status["esketamine"] == "recommended" and status["vns"] == "not-yet-eligible"
    assert status["anti-inflammatory-augmentation"] == "investigational"
    # recommended options come first
    assert group["action"][0]["extension"][0]["valueCoding"]["code"] == "recommended"
    esketamine = next(a for a in group["action"] if a["code"][0]["coding"][0]["code"] == "esketamine")
    rxnorm = [c["code"] for c in esketamine["code"][0]["coding"] if c["system"] == "http://www.nlm.nih.gov/research/umls/rxnorm"]
    assert rxnorm == ["2119365"]  # clinical-reference §2.1: esketamine 2119365
    vns = next(a for a in group["action"] if a["code"][0]["coding"][0]["code"] == "vns")
    assert "needs ≥ 4 failed adequate trials; has 2" in vns["description"]


def test_pseudo_resistance_is_a_detected_issue_with_implicated_trial_and_mitigation() -> None:
    bundle = fhir_bundle(EXAMPLES / "inadequate-trial.ttl")
    issues = {r["code"]["coding"][0]["code"]: r for r in resources(bundle, "DetectedIssue")}
    assert set(issues) == {"inadequate-trial", "nonadherence"}
    assert [m["action"]["coding"][0]["code"] for m in issues["inadequate-trial"]["mitigation"]] == ["optimize-trial"]
    assert [m["action"]["coding"][0]["code"] for m in issues["nonadherence"]["mitigation"]] == ["adherence-support"]
    implicated = [r.get("identifier", {}).get("value") for r in issues["nonadherence"]["implicated"]]
    assert "pat-002-ms-1" in implicated  # the trial with adherence 0.6 (Turtle input: a logical reference)


def test_every_finding_has_a_provenance_naming_rules_sources_and_policy(confirmed: dict) -> None:
    findings = {f"urn:uuid:{r['id']}" for r in (e["resource"] for e in confirmed["entry"])
                if r["resourceType"] in ("Observation", "DetectedIssue", "RequestGroup")}
    provenance = resources(confirmed, "Provenance")
    targets = {p["target"][0]["reference"] for p in provenance}
    assert findings == targets
    status_ref = "urn:uuid:" + by_code(confirmed, "trd-status")["id"]
    prov = next(p for p in provenance if p["target"][0]["reference"] == status_ref)
    assert prov["policy"] == ["https://w3id.org/trd-reasoner/policy/default"]
    rules = {e["what"]["identifier"]["value"]: e["what"]["display"] for e in prov["entity"] if e["role"] == "derivation"}
    assert "queries/infer/trd-status.rq" in rules and "clinical-reference §4" in rules["queries/infer/trd-status.rq"]


def test_data_issues_are_an_operation_outcome_never_dropped() -> None:
    bundle = fhir_bundle(EXAMPLES / "malformed.ttl")
    outcomes = resources(bundle, "OperationOutcome")
    # pat-003's 19 issues (as `trd assess` lists them) and the orphan record's one, in its own outcome
    assert sorted(len(o["issue"]) for o in outcomes) == [1, 19]
    orphan = next(o for o in outcomes if len(o["issue"]) == 1)
    assert "extension" not in orphan and orphan["issue"][0]["location"] == ["https://example.org/trd/orphan-hamd"]


def test_round_trip_every_reference_resolves_to_an_input_resource(tmp_path: Path) -> None:
    source = EXAMPLES / "trd-confirmed.fhir.json"
    inputs = {f"{e['resource']['resourceType']}/{e['resource']['id']}" for e in json.loads(source.read_text())["entry"]}
    graph = tmp_path / "imported.ttl"
    code, _, err = run_cli("import", str(source), "--output", str(graph), "--as-of", AS_OF)
    assert code == 0, err
    bundle = fhir_bundle(graph)
    refs = [ref for r in (e["resource"] for e in bundle["entry"])
            for ref in r.get("derivedFrom", []) + r.get("implicated", [])
            + [e["what"] for e in r.get("entity", []) if e["role"] == "source"]]
    assert refs, "the findings cite input resources"
    assert {ref["reference"] for ref in refs} <= inputs
    subjects = {r["subject"]["reference"] for r in (e["resource"] for e in bundle["entry"]) if "subject" in r}
    assert subjects == {"Patient/pat-001"} <= inputs


def test_the_published_code_system_is_the_generated_one_and_validates() -> None:
    committed = json.loads((REPO / "ontology" / "build" / "CodeSystem-trd.json").read_text(encoding="utf-8"))
    assert validation_errors([committed]) == []
    assert committed["url"] == TRD_SYSTEM
    assert [c["code"] for c in committed["concept"]] == [c["code"] for c in codesystem_resource()["concept"]]
    codes = {c["code"] for c in committed["concept"]}
    # the stable codes of clinical-reference §1 and the findings' own codes
    assert {"confirmed", "possible", "not-met", "excluded", "recommended", "not-yet-eligible", "hypothyroidism",
            "trd-status", "thase-rush-stage", "maudsley-score", "mghs-score", "hamd17-total"} <= codes


def test_cohort_fhir_is_ndjson_per_resource_type(cohort_results: Path) -> None:
    folder = cohort_results / "fhir"
    files = sorted(p.name for p in folder.glob("*.ndjson"))
    assert files == ["DetectedIssue.ndjson", "Observation.ndjson", "OperationOutcome.ndjson", "Provenance.ndjson",
                     "RequestGroup.ndjson"]
    statuses, every = [], []
    for path in folder.glob("*.ndjson"):
        for line in path.read_text(encoding="utf-8").splitlines():
            data = json.loads(line)
            assert data["resourceType"] == path.stem
            every.append(data)
            if path.stem == "Observation" and data["code"]["coding"][0]["code"] == "trd-status":
                statuses.append((data["subject"]["reference"], data["valueCodeableConcept"]["coding"][0]["code"]))
    assert validation_errors(every) == []
    assert sorted(statuses) == [("Patient/pat-001", "confirmed"), ("Patient/pat-002", "not-met"),
                                ("Patient/pat-003", "not-met")]
    # NDJSON resources point at each other as Type/id (each type is a file of its own)
    provenance = [json.loads(x) for x in (folder / "Provenance.ndjson").read_text().splitlines()]
    assert all(p["target"][0]["reference"].split("/")[0] in ("Observation", "DetectedIssue", "RequestGroup")
               for p in provenance)
