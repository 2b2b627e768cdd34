"""Discovery and the three hooks over HTTP, on the project's example patients and on Bundles shaped
as EHRs send them. Expectations are worked out by hand from docs/clinical-reference.md (the
examples' trials, scores and codes are written out in each test)."""

from __future__ import annotations

import copy
import json
from typing import Any

from benchmarks.support.cds import FHIR_BASE, bundle_resources, hook_request, searchset
from reasoner.serve.models import CdsResponse, Discovery
from tests.fhir.builders import ICD10, LOINC, RXNORM, concept
from tests.serve.conftest import EXAMPLES, Env

PV = "/cds-services/trd-patient-view"
SIGN = "/cds-services/trd-order-sign"
SELECT = "/cds-services/trd-order-select"


def cards_of(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    doc = response.json()
    CdsResponse.model_validate(doc)  # every answer is a valid CDS Hooks response
    return doc["cards"]


def by_type(cards: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {c["source"]["topic"]["code"]: c for c in cards}


def test_discovery_lists_three_services_with_the_reasoners_prefetch(env: Env) -> None:
    response = env.get("/cds-services")
    assert response.status_code == 200
    doc = response.json()
    Discovery.model_validate(doc)
    services = {s["id"]: s for s in doc["services"]}
    assert {s["hook"] for s in services.values()} == {"patient-view", "order-select", "order-sign"}
    prefetch = services["trd-patient-view"]["prefetch"]
    assert prefetch["conditions"] == "Condition?patient={{context.patientId}}"
    assert prefetch["patient"] == "Patient/{{context.patientId}}"
    for key in ("medicationStatements", "medicationRequests", "medicationDispenses", "procedures"):
        assert key in prefetch
    # Observation by the codes of the FHIR profile: PHQ-9 total, TSH, CRP, the CYP phenotypes, HAM-D
    observations = prefetch["observations"]
    for code in ("http://loinc.org|44261-6", "http://loinc.org|3016-3", "http://loinc.org|1988-5",
                 "http://loinc.org|79714-2", "http://loinc.org|84413-4",
                 "https://w3id.org/trd-reasoner/fhir/CodeSystem/trd|hamd17-total"):
        assert code in observations


def test_patient_view_trd_confirmed_example(env: Env) -> None:
    # examples/trd-confirmed.fhir.json: sertraline 100 mg/day 9 weeks adherence 0.9 (HAM-D 24 -> 22)
    # and venlafaxine 225 mg/day 10 weeks adherence 0.85 (22 -> 20): two failed adequate trials of two
    # classes (SSRI, SNRI) -> TRD confirmed, Thase-Rush II.
    request = hook_request("patient-view", "pat-001", bundle_resources(EXAMPLES / "trd-confirmed.fhir.json"))
    cards = by_type(cards_of(env.post(PV, request)))
    trd = cards["trd-status"]
    assert trd["indicator"] == "info"
    assert trd["summary"].startswith("TRD confirmed: 2 failed adequate trial(s), 2 class(es)")
    assert "Thase–Rush 2" in trd["summary"]
    assert len(trd["summary"]) < 140
    assert "| sertraline | SSRI | 100 | 9 | 0.9 |" in trd["detail"]
    assert "| venlafaxine | SNRI | 225 | 10 | 0.85 |" in trd["detail"]
    assert "queries/infer/trd-status.rq" in trd["detail"]          # data -> rule -> source
    assert "policy **default**" in trd["detail"]
    assert trd["source"]["label"] == "trd-reasoner · policy default"
    assert "clinical-reference §4" in trd["source"]["topic"]["display"]
    options = cards["options"]
    # esketamine is recommended once TRD is confirmed (§7), with its mechanism (§6)
    assert "**esketamine** — mechanism: neuroplasticity deficit (flagged)" in options["detail"]
    assert options["detail"].index("**Recommended**") < options["detail"].index("**Consider**")
    assert "**Not yet eligible**" in options["detail"] and "vns" in options["detail"]
    assert all(c["uuid"] for c in cards.values())


def test_patient_view_pseudo_resistant_example(env: Env) -> None:
    # examples/pseudo-resistant.fhir.json: bipolar II (F31.81) history -> bipolar-spectrum (critical),
    # TRD excluded; sertraline with adherence 0.5 (< 0.80) -> nonadherence (warning).
    request = hook_request("patient-view", "pat-pr", bundle_resources(EXAMPLES / "pseudo-resistant.fhir.json"))
    listed = cards_of(env.post(PV, request))
    # most urgent first: the critical bipolar card, the nonadherence warning, then information
    assert [c["indicator"] for c in listed] == ["critical", "warning", "info", "info"]
    cards = by_type(listed)
    bipolar = cards["pseudo-resistance/bipolar-spectrum"]
    assert bipolar["indicator"] == "critical"
    assert "stop antidepressant monotherapy" in bipolar["summary"] and "mood stabilizer" in bipolar["summary"]
    assert "Condition/pr-dx2" in bipolar["detail"]
    nonadherence = cards["pseudo-resistance/nonadherence"]
    assert nonadherence["indicator"] == "warning"
    assert "adherence support" in nonadherence["summary"]
    assert cards["trd-status"]["summary"] == ("TRD excluded: A bipolar-spectrum diagnosis or a positive MDQ: unipolar "
                                              "TRD is not diagnosed.")


def test_patient_view_not_trd_example(env: Env) -> None:
    # examples/not-trd.fhir.json: one failed adequate trial (sertraline 100 mg, 13 weeks, adherence 0.9,
    # HAM-D 24 -> 20, a 17% reduction: non-response) -> TRD not met, Thase-Rush I.
    request = hook_request("patient-view", "pat-nt", bundle_resources(EXAMPLES / "not-trd.fhir.json"))
    cards = by_type(cards_of(env.post(PV, request)))
    assert set(cards) == {"trd-status", "options"}
    assert cards["trd-status"]["summary"].startswith("TRD not met: 1 failed adequate trial(s), 1 class(es)")
    assert "Thase–Rush 1" in cards["trd-status"]["summary"]
    assert cards["trd-status"]["indicator"] == "info"


def test_patient_view_empty_patient_gives_no_card(env: Env) -> None:
    request = hook_request("patient-view", "pat-empty", bundle_resources(EXAMPLES / "empty-patient.fhir.json"))
    assert cards_of(env.post(PV, request)) == []
    # a patient the EHR has nothing for: every key null
    request = hook_request("patient-view", "nobody", [])
    request["prefetch"] = {k: None for k in request["prefetch"]}
    assert cards_of(env.post(PV, request)) == []


def test_patient_view_possible_names_the_missing_data(env: Env) -> None:
    # venlafaxine's adherence Observation removed: that trial is indeterminate (adherence unknown),
    # so with one failed SSRI trial TRD is possible (§4), and the card says adherence is missing.
    resources = [r for r in bundle_resources(EXAMPLES / "trd-confirmed.fhir.json") if r["id"] != "pat-001-adherence-2"]
    cards = by_type(cards_of(env.post(PV, hook_request("patient-view", "pat-001", resources))))
    trd = cards["trd-status"]
    assert trd["indicator"] == "warning"
    assert trd["summary"].startswith("TRD possible")
    assert "venlafaxine" in trd["detail"] and "adherence unknown" in trd["detail"]


def test_ehr_shaped_searchset_with_includes_urn_uuid_and_ignored_types(env: Env) -> None:
    """A searchset prefetch as EHRs send it: urn:uuid full URLs and references, a Medication as an
    ``include`` entry referenced by the orders, and resource types the reasoner ignores."""
    resources = bundle_resources(EXAMPLES / "trd-confirmed.fhir.json")
    request = hook_request("patient-view", "pat-001", resources)
    prefetch = request["prefetch"]
    uuids = {}
    for key, value in prefetch.items():
        if isinstance(value, dict) and value.get("resourceType") == "Bundle":
            for entry in value["entry"]:
                ref = f"urn:uuid:{len(uuids):08d}-0000-4000-8000-000000000000"
                uuids[f"{entry['resource']['resourceType']}/{entry['resource']['id']}"] = ref
                entry["fullUrl"] = ref
    patient_ref = "urn:uuid:0000aaaa-0000-4000-8000-000000000000"
    for value in prefetch.values():
        if isinstance(value, dict) and value.get("resourceType") == "Bundle":
            for entry in value["entry"]:
                if "subject" in entry["resource"]:
                    entry["resource"]["subject"] = {"reference": patient_ref}
    # the Patient as an entry of a search result with its urn:uuid
    prefetch["patient"] = None
    prefetch["conditions"]["entry"].append({"fullUrl": patient_ref, "resource": resources[0],
                                            "search": {"mode": "include"}})
    # a third antidepressant as MedicationRequests referencing an included Medication (RxNorm SCD name)
    medication = {"resourceType": "Medication", "id": "med-bup", "code": concept(RXNORM, "9990003", "bupropion 150 MG Oral Tablet")}
    order = {"resourceType": "MedicationRequest", "id": "mr-bup", "status": "active", "intent": "order",
             "subject": {"reference": patient_ref}, "medicationReference": {"reference": "urn:uuid:med-bup-0001"},
             "authoredOn": "2025-12-01", "dosageInstruction": [{"timing": {"repeat": {"frequency": 2, "period": 1, "periodUnit": "d"}},
                                                                "doseAndRate": [{"doseQuantity": {"value": 1}}]}]}
    prefetch["medicationRequests"] = searchset([order])
    prefetch["medicationRequests"]["entry"].append({"fullUrl": "urn:uuid:med-bup-0001", "resource": medication,
                                                    "search": {"mode": "include"}})
    # types the reasoner does not read (an EHR's search for conditions may carry them as includes)
    for extra in ({"resourceType": "Encounter", "id": "enc-1", "status": "finished", "class": {"code": "AMB"}},
                  {"resourceType": "AllergyIntolerance", "id": "al-1", "patient": {"reference": patient_ref}},
                  {"resourceType": "Immunization", "id": "im-1", "patient": {"reference": patient_ref}, "status": "completed"}):
        prefetch["conditions"]["entry"].append({"fullUrl": f"{FHIR_BASE}/{extra['resourceType']}/{extra['id']}",
                                                "resource": extra, "search": {"mode": "include"}})
    cards = by_type(cards_of(env.post(PV, request)))
    trd = cards["trd-status"]
    assert trd["summary"].startswith("TRD confirmed")
    # 11 example records + Medication + MedicationRequest + 3 ignored types = 16 read; the 3 ignored
    # are "not relevant", none is lost
    assert "Records read: 16 — used 13, not relevant to the reasoner 3, could not be used 0." in trd["detail"]


def _with_genetics(resources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """pat-001 plus an ABCB1 rs2032583 T/T genotype, a CYP2C19 ultrarapid phenotype and an
    aortic aneurysm (ICD-10-CM I71.2, an esketamine contraindication)."""
    subject = {"reference": "Patient/pat-001"}
    return resources + [
        {"resourceType": "Observation", "id": "abcb1", "status": "final", "code": concept(LOINC, "84413-4"),
         "subject": subject, "effectiveDateTime": "2025-01-01",
         "component": [{"code": concept(LOINC, "48018-6"),
                        "valueCodeableConcept": {"coding": [{"system": "http://www.genenames.org/geneId", "code": "HGNC:40",
                                                             "display": "ABCB1"}]}}],
         "valueCodeableConcept": {"text": "rs2032583 T/T"}},
        {"resourceType": "Observation", "id": "cyp2c19", "status": "final", "code": concept(LOINC, "79714-2"),
         "subject": subject, "effectiveDateTime": "2025-01-01",
         "valueCodeableConcept": concept(LOINC, "LA10315-2", "Ultrarapid metabolizer")},
        {"resourceType": "Condition", "id": "aneurysm", "code": concept(ICD10, "I71.2", "Thoracic aortic aneurysm"),
         "subject": subject, "onsetDateTime": "2020-01-01",
         "clinicalStatus": concept("http://terminology.hl7.org/CodeSystem/condition-clinical", "active")},
    ]


def draft(rid: str, display: str, tablets: float | None = 1, per_day: int = 1) -> dict[str, Any]:
    res: dict[str, Any] = {"resourceType": "MedicationRequest", "id": rid, "status": "draft", "intent": "order",
                           "subject": {"reference": "Patient/pat-001"},
                           "medicationCodeableConcept": concept(RXNORM, "9990009", display)}
    if tablets is not None:
        res["dosageInstruction"] = [{"timing": {"repeat": {"frequency": per_day, "period": 1, "periodUnit": "d"}},
                                     "doseAndRate": [{"doseQuantity": {"value": tablets, "unit": "TAB"}}]}]
    return res


def test_order_sign_judges_each_draft_against_the_patient(env: Env) -> None:
    resources = _with_genetics(bundle_resources(EXAMPLES / "trd-confirmed.fhir.json"))
    orders = [draft("d-esc", "escitalopram 5 MG Oral Tablet"),      # SSRI failed; 5 < 10 mg; P-gp; CYP2C19
              draft("d-esk", "esketamine 28 MG Nasal Spray", tablets=None),
              draft("d-mir", "mirtazapine 15 MG Oral Tablet"),      # NaSSA, 15 mg = minimum, not a P-gp substrate
              {"resourceType": "NutritionOrder", "id": "diet", "status": "draft", "intent": "order",
               "patient": {"reference": "Patient/pat-001"}}]
    cards = cards_of(env.post(SIGN, hook_request("order-sign", "pat-001", resources, orders)))
    kinds = sorted(c["source"]["topic"]["code"] for c in cards)
    assert kinds == ["order/class-failed", "order/contraindicated", "order/dose-below-minimum",
                     "order/metabolizer", "order/pgp-efflux"]
    got = by_type(cards)
    # sertraline (SSRI) failed adequately in this episode -> escitalopram's class already failed
    assert got["order/class-failed"]["summary"] == "escitalopram: the SSRI class already failed an adequate trial in this episode"
    assert "sertraline" in got["order/class-failed"]["detail"]
    # escitalopram minimum adequate dose 10 mg/day (table 2.1), ordered 5 mg/day
    assert "below the minimum adequate dose (10 mg/day)" in got["order/dose-below-minimum"]["summary"]
    assert "10 mg/day or more would be" in got["order/dose-below-minimum"]["detail"]
    # ABCB1 rs2032583 T/T with a P-gp substrate: the alternatives the reference names (fluoxetine
    # RxNorm 4493, mirtazapine 15996), each a delete of the draft + a create
    pgp = got["order/pgp-efflux"]
    assert pgp["selectionBehavior"] == "at-most-one"
    created = {s["actions"][1]["resource"]["medicationCodeableConcept"]["coding"][0]["code"]: s for s in pgp["suggestions"]}
    assert set(created) == {"4493", "15996"}
    assert created["4493"]["actions"][0] == {"type": "delete", "description": "Remove the draft order of escitalopram",
                                             "resourceId": "MedicationRequest/d-esc"}
    assert created["4493"]["actions"][1]["resource"]["medicationCodeableConcept"]["coding"][0]["system"] == \
        "http://www.nlm.nih.gov/research/umls/rxnorm"
    # CYP2C19 ultrarapid + escitalopram: a warning without a concrete alternative (the reference names none)
    metabolizer = got["order/metabolizer"]
    assert metabolizer["indicator"] == "warning" and "suggestions" not in metabolizer
    assert "names no concrete alternative" in metabolizer["detail"]
    # esketamine with an aortic aneurysm: critical
    contra = got["order/contraindicated"]
    assert contra["indicator"] == "critical" and contra["summary"].startswith("esketamine is contraindicated")


def test_order_select_judges_only_the_selected_order(env: Env) -> None:
    resources = bundle_resources(EXAMPLES / "pseudo-resistant.fhir.json")
    orders = [{**draft("d-flx", "fluoxetine 20 MG Oral Capsule"), "subject": {"reference": "Patient/pat-pr"}},
              {**draft("d-ser", "sertraline 25 MG Oral Tablet"), "subject": {"reference": "Patient/pat-pr"}}]
    request = hook_request("order-select", "pat-pr", resources, orders)
    request["context"]["selections"] = ["MedicationRequest/d-flx"]
    cards = cards_of(env.post(SELECT, request))
    # bipolar II history: an antidepressant is antidepressant monotherapy in the bipolar spectrum
    assert [c["source"]["topic"]["code"] for c in cards] == ["order/bipolar"]
    assert cards[0]["indicator"] == "critical"
    assert cards[0]["summary"] == "fluoxetine: antidepressant monotherapy in the bipolar spectrum"
    assert "Condition/pr-dx2" in cards[0]["detail"]


def test_order_with_adequate_dose_and_no_finding_gives_no_card(env: Env) -> None:
    # not-trd patient (one failed SSRI) ordering mirtazapine 30 mg (NaSSA, minimum 15): nothing to say
    resources = bundle_resources(EXAMPLES / "not-trd.fhir.json")
    order = {**draft("d-mir", "mirtazapine 15 MG Oral Tablet", tablets=2), "subject": {"reference": "Patient/pat-nt"}}
    assert cards_of(env.post(SIGN, hook_request("order-sign", "pat-nt", resources, [order]))) == []


def test_spec_order_select_example_context_is_read(env: Env) -> None:
    """The spec's order-select example (a NutritionOrder and an amoxicillin MedicationRequest): a
    drug the reasoner does not know is not judged, and no card is made."""
    context = json.loads((EXAMPLES.parent / "tests/serve/fixtures/spec/order-select-context.json").read_text())["context"]
    request = hook_request("order-select", context["patientId"], [])
    request["context"] = copy.deepcopy(context)
    assert cards_of(env.post(SELECT, request)) == []
