"""The real-shapes corpus: one FHIR input per shape a real EHR export sends (issue 15).

Every bundle holds the same patient story, written so that the TRD status shows at once whether
the shape under test was read (docs/fhir-profile.md, docs/clinical-reference.md; default policy,
as-of 2026-01-15):

* MDD, recurrent (ICD-10-CM F33.1), onset 2024-11-01, active;
* trial A, sertraline (SSRI) 100 mg/day 2025-01-06 → 2025-03-17 (10 weeks), adherence 0.9,
  HAM-D 24 (01-05) → 22 (03-15): adequate, non-response, failed;
* trial B, venlafaxine (SNRI) 150 mg/day 2025-04-07 → 2025-07-07 (13 weeks), adherence 0.9,
  HAM-D 22 (04-05) → 21 (07-05): adequate, non-response, failed — **written in the shape
  under test**.

Read right, B makes TRD ``confirmed`` (two failed adequate trials of two classes); B unknown in
one fact (dose, duration, adherence) makes it ``possible``; B ruled out (inadequate) or lost makes
it ``not-met``. The expected outcome of every input is written by hand in
``tests/fhir/test_real_shapes.py``. RxNorm codes 999xxxx are placeholders (not RxNorm codes, not
in the ontology): only the product name they carry can identify the drug, as with an SCD/SBD code
the ontology does not list.

``python -m tests.fhir.real_shapes_corpus`` (from the repository root) writes the corpus to
``tests/fhir/real-shapes/``; the files are committed, the tests read them.
"""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path
from typing import Any, Callable

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
NDC = "http://hl7.org/fhir/sid/ndc"
SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
ICD10 = "http://hl7.org/fhir/sid/icd-10-cm"
UCUM = "http://unitsofmeasure.org"
TRDCS = "https://w3id.org/trd-reasoner/fhir/CodeSystem/trd"
GTS = "http://terminology.hl7.org/CodeSystem/v3-GTSAbbreviation"
CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
BASE_URL = "https://ehr.example.org/fhir"
OUT = Path(__file__).resolve().parent / "real-shapes"

PHQ9_ITEMS = ("44250-9", "44255-8", "44259-0", "44254-1", "44251-7", "44258-2", "44252-5", "44253-3", "44260-8")


def cc(system: str, code: str, display: str | None = None, text: str | None = None) -> dict[str, Any]:
    coding: dict[str, Any] = {"system": system, "code": code}
    if display:
        coding["display"] = display
    out: dict[str, Any] = {"coding": [coding]}
    if text:
        out["text"] = text
    return out


SERTRALINE = cc(RXNORM, "36437", "sertraline")
VENLAFAXINE = cc(RXNORM, "39786", "venlafaxine")


def ref(rid: str, rtype: str = "Patient") -> dict[str, str]:
    return {"reference": f"{rtype}/{rid}"}


def daily(value: float, unit: str | None = "mg", frequency: int = 1, period: float = 1, period_unit: str = "d") -> dict:
    quantity: dict[str, Any] = {"value": value}
    if unit is not None:
        quantity.update({"unit": unit, "system": UCUM, "code": unit})
    return {"timing": {"repeat": {"frequency": frequency, "period": period, "periodUnit": period_unit}},
            "doseAndRate": [{"doseQuantity": quantity}]}


def patient() -> dict:
    return {"resourceType": "Patient", "id": "p1", "birthDate": "1980-05-01", "gender": "female",
            "identifier": [{"system": "https://ehr.example.org/mrn", "value": "MRN-0001"}]}


def diagnosis(**extra: Any) -> dict:
    res = {"resourceType": "Condition", "id": "dx1", "subject": ref("p1"), "code": cc(ICD10, "F33.1"),
           "clinicalStatus": cc(CLINICAL, "active"), "onsetDateTime": "2024-11-01"}
    res.update(extra)
    return res


def statement(sid: str, med: dict | None, start: str | None, end: str | None, dose: dict | None,
              status: str = "completed", **extra: Any) -> dict:
    res: dict[str, Any] = {"resourceType": "MedicationStatement", "id": sid, "status": status, "subject": ref("p1")}
    if med is not None:
        res["medicationCodeableConcept"] = med
    period = {k: v for k, v in (("start", start), ("end", end)) if v is not None}
    if period:
        res["effectivePeriod"] = period
    if dose is not None:
        res["dosage"] = [dose]
    res.update(extra)
    return res


def score(oid: str, date: str, value: int, code: dict | None = None, **extra: Any) -> dict:
    res = {"resourceType": "Observation", "id": oid, "status": "final", "subject": ref("p1"),
           "code": code or cc(TRDCS, "hamd17-total"), "effectiveDateTime": date, "valueInteger": value}
    res.update(extra)
    return res


def adherence(oid: str, focus: str, date: str, value: float = 0.9, rtype: str = "MedicationStatement") -> dict:
    return {"resourceType": "Observation", "id": oid, "status": "final", "subject": ref("p1"),
            "code": cc(TRDCS, "adherence"), "effectiveDateTime": date, "focus": [ref(focus, rtype)],
            "valueQuantity": {"value": value, "unit": "1", "system": UCUM, "code": "1"}}


def trial_a() -> list[dict]:
    return [statement("a1", SERTRALINE, "2025-01-06", "2025-03-17", daily(100)),
            adherence("ad-a1", "a1", "2025-03-17"),
            score("ha0", "2025-01-05", 24), score("ha1", "2025-03-15", 22)]


def b_scores() -> list[dict]:
    return [score("hb0", "2025-04-05", 22), score("hb1", "2025-07-05", 21)]


def trial_b(**changes: Any) -> dict:
    """Trial B as a MedicationStatement; ``changes`` replace its elements (None removes one)."""
    res = statement("b1", VENLAFAXINE, "2025-04-07", "2025-07-07", daily(150))
    for key, value in changes.items():
        if value is None:
            res.pop(key, None)
        else:
            res[key] = value
    return res


def story(b: list[dict], adherence_b: bool = True, scores_b: bool = True, dx: dict | None = None) -> list[dict]:
    """The patient story with trial B written as ``b`` (its resources)."""
    out = [patient(), dx or diagnosis(), *trial_a(), *b]
    if adherence_b:
        out.append(adherence("ad-b1", b[0]["id"] if b else "b1", "2025-07-07", rtype=b[0]["resourceType"] if b else
                             "MedicationStatement"))
    if scores_b:
        out += b_scores()
    return out


def bundle(resources: list[dict], btype: str = "collection", full_urls: bool = False) -> dict:
    entries = []
    for r in resources:
        entry: dict[str, Any] = {"resource": r}
        if full_urls:
            entry["fullUrl"] = f"{BASE_URL}/{r['resourceType']}/{r['id']}"
        entries.append(entry)
    return {"resourceType": "Bundle", "type": btype, "entry": entries}


def timing_code(code: str, value: float, unit: str = "mg") -> dict:
    return {"timing": {"code": cc(GTS, code)}, "doseAndRate": [{"doseQuantity": {"value": value, "unit": unit,
                                                                                  "system": UCUM, "code": unit}}]}


def repeat(value: float, unit: str = "mg", **timing: Any) -> dict:
    return {"timing": {"repeat": timing},
            "doseAndRate": [{"doseQuantity": {"value": value, "unit": unit, "system": UCUM, "code": unit}}]}


def request(rid: str, med: dict, authored: str, dose: dict | None, **dispense: Any) -> dict:
    res: dict[str, Any] = {"resourceType": "MedicationRequest", "id": rid, "status": "completed", "intent": "order",
                           "medicationCodeableConcept": med, "subject": ref("p1"), "authoredOn": authored}
    if dose is not None:
        res["dosageInstruction"] = [dose]
    if dispense:
        res["dispenseRequest"] = dispense
    return res


def dispense(did: str, med: dict | None, handed: str, days: int, unit: bool = True, **extra: Any) -> dict:
    res: dict[str, Any] = {"resourceType": "MedicationDispense", "id": did, "status": "completed",
                           "subject": ref("p1"), "whenHandedOver": handed,
                           "daysSupply": {"value": days, **({"unit": "day", "system": UCUM, "code": "d"} if unit else {})}}
    if med is not None:
        res["medicationCodeableConcept"] = med
    res.update(extra)
    return res


def phq9(oid: str, date: str, total: int, **how: Any) -> dict:
    res = {"resourceType": "Observation", "id": oid, "status": "final", "subject": ref("p1"),
           "code": cc(LOINC, "44261-6", "Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]")}
    res.update(how or {"effectiveDateTime": date, "valueInteger": total})
    if "effectiveDateTime" not in res and "effectiveInstant" not in res and "effectivePeriod" not in res:
        res["effectiveDateTime"] = date
    return res


def items_of(total: int, n: int = 9) -> list[int]:
    """Item answers (0–3 each) that add up to ``total``: the first items take 3 until it is reached."""
    values = []
    for _ in range(n):
        values.append(min(3, total - sum(values)))
    return values


def phq9_panel(oid: str, date: str, total: int | None, items: int = 0, members: bool = False) -> list[dict]:
    """A PHQ-9 panel (LOINC 44249-1): the total as a component (or a member), and ``items`` items."""
    panel: dict[str, Any] = {"resourceType": "Observation", "id": oid, "status": "final", "subject": ref("p1"),
                             "code": cc(LOINC, "44249-1", "PHQ-9 quick depression assessment panel"),
                             "effectiveDateTime": date}
    extra: list[dict] = []
    values = items_of(total if total is not None else 0) if items else []
    if members:
        panel["hasMember"] = []
        if total is not None and not items:
            extra.append(phq9(f"{oid}-total", date, total))
            panel["hasMember"].append(ref(f"{oid}-total", "Observation"))
        for n, code in enumerate(PHQ9_ITEMS[:items]):
            item = {"resourceType": "Observation", "id": f"{oid}-i{n + 1}", "status": "final", "subject": ref("p1"),
                    "code": cc(LOINC, code), "effectiveDateTime": date, "valueInteger": values[n]}
            extra.append(item)
            panel["hasMember"].append(ref(item["id"], "Observation"))
    else:
        panel["component"] = []
        if total is not None and not items:
            panel["component"].append({"code": cc(LOINC, "44261-6"), "valueInteger": total})
        for n, code in enumerate(PHQ9_ITEMS[:items]):
            panel["component"].append({"code": cc(LOINC, code), "valueInteger": values[n]})
    return [panel, *extra]


def questionnaire(qid: str, date: str, total: int | None, items: int = 0) -> dict:
    qr: dict[str, Any] = {"resourceType": "QuestionnaireResponse", "id": qid, "status": "completed",
                          "questionnaire": "http://loinc.org/q/44249-1", "subject": ref("p1"), "authored": date,
                          "item": []}
    if total is not None and not items:
        qr["item"].append({"linkId": "44261-6", "code": [{"system": LOINC, "code": "44261-6"}],
                           "answer": [{"valueInteger": total}]})
    values = items_of(total or 0)
    for n, code in enumerate(PHQ9_ITEMS[:items]):
        # a coded answer scored by the ordinalValue extension (no answer code is written: the
        # profile lists none, and none is invented here)
        qr["item"].append({"linkId": f"/{code}", "answer": [{"valueCoding": {
            "display": f"answer scored {values[n]}",
            "extension": [{"url": "http://hl7.org/fhir/StructureDefinition/ordinalValue", "valueDecimal": values[n]}]}}]})
    return qr


def phq_story(b_outcome: list[dict]) -> list[dict]:
    """The story with B's outcome measured by PHQ-9 (20 → 18: non-response) in the given shape."""
    return story([trial_b()], scores_b=False) + b_outcome


# ----------------------------------------------------------------------------------------------
# The inputs: name -> (kind, content). kind "bundle": a Bundle dict; "bulk": {file name: [resources or raw lines]}
# ----------------------------------------------------------------------------------------------

def _contained_med(dosage: list | None = None, **medication: Any) -> dict:
    med = {"resourceType": "Medication", "id": "med1", **medication}
    b = trial_b(medicationCodeableConcept=None, medicationReference={"reference": "#med1"}, contained=[med])
    if dosage is not None:
        b["dosage"] = dosage
    return b


def _orders_with_dispenses(dispenses: list[dict]) -> list[dict]:
    order = request("rb1", VENLAFAXINE, "2025-04-07", daily(150),
                    expectedSupplyDuration={"value": 30, "unit": "days", "system": UCUM, "code": "d"},
                    numberOfRepeatsAllowed=2)
    return [order, *dispenses]


def _searchset() -> dict:
    resources = story([trial_b()])
    entries = []
    for r in resources:
        mode = "include" if r["resourceType"] == "Patient" else "match"
        entries.append({"fullUrl": f"{BASE_URL}/{r['resourceType']}/{r['id']}", "resource": r,
                        "search": {"mode": mode}})
    # servers repeat included resources: the Patient once more, and an OperationOutcome
    entries.append({"fullUrl": f"{BASE_URL}/Patient/p1", "resource": patient(), "search": {"mode": "include"}})
    entries.append({"resource": {"resourceType": "OperationOutcome", "id": "oo1", "issue": [
        {"severity": "information", "code": "informational", "diagnostics": "paged"}]},
        "search": {"mode": "outcome"}})
    return {"resourceType": "Bundle", "type": "searchset", "total": len(resources), "entry": entries}


def _transaction() -> dict:
    """A transaction of new resources: no ids, urn:uuid fullUrls, references by urn:uuid."""
    resources = story([trial_b()])
    uuids = {(r["resourceType"], r["id"]): f"urn:uuid:7a1d0000-0000-4000-8000-{n:012d}" for n, r in enumerate(resources)}

    def swap(value: Any) -> Any:
        if isinstance(value, dict):
            if set(value) == {"reference"} and "/" in value["reference"]:
                rtype, rid = value["reference"].split("/", 1)
                return {"reference": uuids.get((rtype, rid), value["reference"])}
            return {k: swap(v) for k, v in value.items()}
        if isinstance(value, list):
            return [swap(v) for v in value]
        return value

    entries = []
    for r in resources:
        full = uuids[(r["resourceType"], r["id"])]
        body = swap({k: v for k, v in r.items() if k != "id"})
        entries.append({"fullUrl": full, "resource": body, "request": {"method": "POST", "url": r["resourceType"]}})
    return {"resourceType": "Bundle", "type": "transaction", "entry": entries}


def _bulk(resources: list[dict]) -> dict[str, list[Any]]:
    files: dict[str, list[Any]] = {}
    for r in resources:
        files.setdefault(f"{r['resourceType']}.ndjson", []).append(r)
    return files


def _truncated_bulk() -> dict[str, list[Any]]:
    files = _bulk(story([trial_b()]))
    line = json.dumps(trial_b())
    files["MedicationStatement.ndjson"] = [files["MedicationStatement.ndjson"][0], line[: len(line) // 2]]
    return files


INPUTS: dict[str, Callable[[], tuple[str, Any]]] = {
    # --- references ------------------------------------------------------------------------------
    "01-relative-references": lambda: ("bundle", bundle(story([trial_b()]))),
    "02-absolute-references": lambda: ("bundle", bundle(
        [{**r, "subject": {"reference": f"{BASE_URL}/Patient/p1/_history/3"}} if "subject" in r else r
         for r in story([trial_b()])], full_urls=True)),
    "03-transaction-urn-uuid": lambda: ("bundle", _transaction()),
    "04-contained-medication": lambda: ("bundle", bundle(story([_contained_med(code=VENLAFAXINE)]))),
    "05-referenced-medication": lambda: ("bundle", bundle(story([trial_b(
        medicationCodeableConcept=None, medicationReference=ref("m1", "Medication"))]) + [
        {"resourceType": "Medication", "id": "m1", "code": VENLAFAXINE}])),
    "06-identifier-subject": lambda: ("bundle", bundle(story([trial_b(subject={"identifier": {
        "system": "https://ehr.example.org/mrn", "value": "MRN-0001"}})]))),
    "07-identifier-medication": lambda: ("bundle", bundle(story([trial_b(
        medicationCodeableConcept=None, medicationReference={"identifier": {"system": "https://pharmacy.example/item",
                                                                            "value": "VEN-150"}})]) + [
        {"resourceType": "Medication", "id": "m7", "code": VENLAFAXINE,
         "identifier": [{"system": "https://pharmacy.example/item", "value": "VEN-150"}]}])),
    "08-unresolvable-medication": lambda: ("bundle", bundle(story([trial_b(
        medicationCodeableConcept=None, medicationReference=ref("missing", "Medication"))]))),
    # --- dosage timing ---------------------------------------------------------------------------
    "09-timing-code-bid": lambda: ("bundle", bundle(story([trial_b(dosage=[timing_code("BID", 75)])]))),
    "10-timing-code-tid": lambda: ("bundle", bundle(story([trial_b(dosage=[timing_code("TID", 50)])]))),
    "11-timing-code-q8h": lambda: ("bundle", bundle(story([trial_b(dosage=[timing_code("Q8H", 50)])]))),
    "12-timing-code-qd": lambda: ("bundle", bundle(story([trial_b(dosage=[timing_code("QD", 150)])]))),
    "13-repeat-hours": lambda: ("bundle", bundle(story([trial_b(dosage=[repeat(75, frequency=1, period=12,
                                                                               periodUnit="h")])]))),
    "14-repeat-week": lambda: ("bundle", bundle(story([trial_b(dosage=[repeat(525, frequency=2, period=1,
                                                                              periodUnit="wk")])]))),
    "15-frequency-max": lambda: ("bundle", bundle(story([trial_b(dosage=[repeat(75, frequency=1, frequencyMax=2,
                                                                                period=1, periodUnit="d")])]))),
    "16-period-max": lambda: ("bundle", bundle(story([trial_b(dosage=[repeat(150, frequency=1, period=1,
                                                                             periodMax=2, periodUnit="d")])]))),
    "17-when-only": lambda: ("bundle", bundle(story([trial_b(dosage=[repeat(150, when=["MORN"])])]))),
    "18-as-needed": lambda: ("bundle", bundle(story([trial_b(dosage=[{**daily(150), "asNeededBoolean": True}])]))),
    # --- dose units ------------------------------------------------------------------------------
    "19-tablets-scd": lambda: ("bundle", bundle(story([trial_b(
        medicationCodeableConcept=cc(RXNORM, "9990101", "venlafaxine 75 MG Oral Tablet"),
        dosage=[daily(2, "{tablet}")])]))),
    "20-capsule-er": lambda: ("bundle", bundle(story([trial_b(
        medicationCodeableConcept=cc(RXNORM, "9990102", "24 HR venlafaxine 150 MG Extended Release Oral Capsule"),
        dosage=[daily(1, "{capsule}")])]))),
    "21-oral-solution-ml": lambda: ("bundle", bundle(story([trial_b(
        medicationCodeableConcept=cc(RXNORM, "9990103", "venlafaxine 15 MG/ML Oral Solution"),
        dosage=[daily(10, "mL")])]))),
    "22-ingredient-strength-ml": lambda: ("bundle", bundle(story([_contained_med(
        dosage=[daily(10, "mL")], code={"text": "oral solution"},
        ingredient=[{"itemCodeableConcept": VENLAFAXINE,
                     "strength": {"numerator": {"value": 75, "unit": "mg", "system": UCUM, "code": "mg"},
                                  "denominator": {"value": 5, "unit": "mL", "system": UCUM, "code": "mL"}}}])]))),
    "23-dose-in-grams": lambda: ("bundle", bundle(story([trial_b(dosage=[daily(0.15, "g")])]))),
    "24-dose-range": lambda: ("bundle", bundle(story([trial_b(dosage=[{
        "timing": {"repeat": {"frequency": 1, "period": 1, "periodUnit": "d"}},
        "doseAndRate": [{"doseRange": {"low": {"value": 150, "unit": "mg", "system": UCUM, "code": "mg"},
                                       "high": {"value": 225, "unit": "mg", "system": UCUM, "code": "mg"}}}]}])]))),
    # --- supply and dispenses --------------------------------------------------------------------
    "25-order-repeats-three-dispenses": lambda: ("bundle", bundle(story(_orders_with_dispenses([
        dispense("d1", VENLAFAXINE, "2025-04-07", 30), dispense("d2", VENLAFAXINE, "2025-05-07", 30),
        dispense("d3", VENLAFAXINE, "2025-06-06", 30)]), adherence_b=False))),
    "26-order-repeats-one-dispense": lambda: ("bundle", bundle(story(_orders_with_dispenses([
        dispense("d1", VENLAFAXINE, "2025-04-07", 30)]), adherence_b=False))),
    "27-dispense-contained-no-unit": lambda: ("bundle", bundle(story(_orders_with_dispenses([
        dispense(f"d{n}", None, day, 30, unit=False, medicationReference={"reference": "#m"},
                 contained=[{"resourceType": "Medication", "id": "m", "code": VENLAFAXINE}])
        for n, day in ((1, "2025-04-07"), (2, "2025-05-07"), (3, "2025-06-06"))]), adherence_b=False))),
    "28-refills-without-dispenses": lambda: ("bundle", bundle(story([
        request(f"rb{n}", VENLAFAXINE, day, daily(150)) for n, day in ((1, "2025-04-07"), (2, "2025-05-07"),
                                                                      (3, "2025-06-06"))], adherence_b=False))),
    # --- medications named in other ways ---------------------------------------------------------
    "29-text-only-ingredient": lambda: ("bundle", bundle(story([trial_b(
        medicationCodeableConcept={"text": "venlafaxine 150mg capsule"}, dosage=[daily(1, "{capsule}")])]))),
    "30-text-only-brand": lambda: ("bundle", bundle(story([trial_b(
        medicationCodeableConcept={"text": "Effexor XR 150mg capsule"}, dosage=[daily(1, "{capsule}")])]))),
    "31-ndc-with-display": lambda: ("bundle", bundle(story([trial_b(
        medicationCodeableConcept=cc(NDC, "99999-0001-01", "venlafaxine 150 MG Extended Release Oral Capsule"),
        dosage=[daily(1, "{capsule}")])]))),
    "32-ndc-without-display": lambda: ("bundle", bundle(story([trial_b(
        medicationCodeableConcept=cc(NDC, "99999-0001-01"), dosage=[daily(1, "{capsule}")])]))),
    "33-rxnorm-code-without-display": lambda: ("bundle", bundle(story([trial_b(
        medicationCodeableConcept=cc(RXNORM, "9990199"), dosage=[daily(1, "{capsule}")])]))),
    # --- dates -----------------------------------------------------------------------------------
    "34-partial-start-month": lambda: ("bundle", bundle(story([trial_b(effectivePeriod={
        "start": "2025-04", "end": "2025-07-07"})]))),
    "35-partial-start-year": lambda: ("bundle", bundle(story([trial_b(effectivePeriod={
        "start": "2025", "end": "2025-07-07"})]))),
    "36-datetime-offsets": lambda: ("bundle", bundle(story([trial_b(effectivePeriod={
        "start": "2025-04-07T23:30:00-05:00", "end": "2025-07-07T00:15:00+09:00"})]))),
    "37-impossible-start-date": lambda: ("bundle", bundle(story([trial_b(effectivePeriod={
        "start": "2025-02-30", "end": "2025-07-07"})]))),
    "38-recorded-date-only": lambda: ("bundle", bundle(story([trial_b()], dx=diagnosis(
        onsetDateTime=None, recordedDate="2025-01-02")))),
    "39-onset-year-only": lambda: ("bundle", bundle(story([trial_b()], dx=diagnosis(onsetDateTime="2024")))),
    # --- PHQ-9 shapes (B's outcome measured by PHQ-9 only) --------------------------------------
    "40-phq9-value-quantity": lambda: ("bundle", bundle(phq_story([
        phq9("pb0", "2025-04-05", 20, valueQuantity={"value": 20, "unit": "{score}", "system": UCUM,
                                                     "code": "{score}"}),
        phq9("pb1", "2025-07-05", 18, valueQuantity={"value": 18, "unit": "{score}", "system": UCUM,
                                                     "code": "{score}"})]))),
    "41-phq9-value-string": lambda: ("bundle", bundle(phq_story([
        phq9("pb0", "2025-04-05", 20, valueString="20"), phq9("pb1", "2025-07-05", 18, valueString="18")]))),
    "42-phq9-effective-instant": lambda: ("bundle", bundle(phq_story([
        phq9("pb0", "", 20, effectiveInstant="2025-04-05T09:30:00.000-04:00", valueInteger=20),
        phq9("pb1", "", 18, effectiveInstant="2025-07-05T10:00:00Z", valueInteger=18)]))),
    "43-phq9-panel-component": lambda: ("bundle", bundle(phq_story(
        phq9_panel("pb0", "2025-04-05", 20) + phq9_panel("pb1", "2025-07-05", 18)))),
    "44-phq9-panel-member-total": lambda: ("bundle", bundle(phq_story(
        phq9_panel("pb0", "2025-04-05", 20, members=True) + phq9_panel("pb1", "2025-07-05", 18, members=True)))),
    "45-phq9-panel-items": lambda: ("bundle", bundle(phq_story(
        phq9_panel("pb0", "2025-04-05", 20, items=9, members=True)
        + phq9_panel("pb1", "2025-07-05", 18, items=9)))),
    "46-phq9-panel-missing-items": lambda: ("bundle", bundle(phq_story(
        phq9_panel("pb0", "2025-04-05", 20, items=7) + phq9_panel("pb1", "2025-07-05", 18, items=7)))),
    "47-phq9-questionnaire-total": lambda: ("bundle", bundle(phq_story([
        questionnaire("qb0", "2025-04-05", 20), questionnaire("qb1", "2025-07-05T14:00:00+02:00", 18)]))),
    "48-phq9-questionnaire-items": lambda: ("bundle", bundle(phq_story([
        questionnaire("qb0", "2025-04-05", 20, items=9), questionnaire("qb1", "2025-07-05", 18, items=9)]))),
    "49-phq9-partial-date": lambda: ("bundle", bundle(phq_story([
        phq9("pb0", "2025-04", 20), phq9("pb1", "2025-07-05", 18)]))),
    # --- diagnoses -------------------------------------------------------------------------------
    "50-snomed-single-episode": lambda: ("bundle", bundle(story([trial_b()], dx=diagnosis(
        code=cc(SNOMED, "36923009", "Major depression, single episode"))))),
    "51-icd10-f32a-unspecified": lambda: ("bundle", bundle(story([trial_b()], dx=diagnosis(
        code=cc(ICD10, "F32.A", "Depression, unspecified"))))),
    "52-bipolar-refuted": lambda: ("bundle", bundle(story([trial_b()]) + [diagnosis(
        id="bp1", code=cc(SNOMED, "371596008", "Bipolar I disorder"),
        verificationStatus=cc(VERIFICATION, "refuted"))])),
    "53-bipolar-entered-in-error": lambda: ("bundle", bundle(story([trial_b()]) + [diagnosis(
        id="bp1", code=cc(ICD10, "F31.9"), verificationStatus=cc(VERIFICATION, "entered-in-error"))])),
    "54-bipolar-confirmed": lambda: ("bundle", bundle(story([trial_b()]) + [diagnosis(
        id="bp1", code=cc(ICD10, "F31.9"), verificationStatus=cc(VERIFICATION, "confirmed"))])),
    # --- status and intent -----------------------------------------------------------------------
    "55-statement-entered-in-error": lambda: ("bundle", bundle(story([trial_b(status="entered-in-error")]))),
    "56-request-intent-plan": lambda: ("bundle", bundle(story([
        {**request("rb1", VENLAFAXINE, "2025-04-07", daily(150), expectedSupplyDuration={
            "value": 91, "unit": "days", "system": UCUM, "code": "d"}), "intent": "plan"}], adherence_b=False))),
    # --- noncompliance evidence (no adherence number for B) -------------------------------------
    "57-stopped-noncompliance": lambda: ("bundle", bundle(story([trial_b(
        status="stopped", statusReason=[cc(SNOMED, "129834002", "Noncompliance with medication regimen")])],
        adherence_b=False))),
    "58-noncompliance-condition": lambda: ("bundle", bundle(story([trial_b()], adherence_b=False) + [{
        "resourceType": "Condition", "id": "nc1", "subject": ref("p1"), "code": cc(SNOMED, "129834002"),
        "clinicalStatus": cc(CLINICAL, "active"), "onsetDateTime": "2025-05-20"}])),
    "59-noncompliance-observation-outside": lambda: ("bundle", bundle(story([trial_b()], adherence_b=False) + [{
        "resourceType": "Observation", "id": "nc1", "status": "final", "subject": ref("p1"),
        "code": cc(SNOMED, "129834002"), "effectiveDateTime": "2025-09-20"}])),
    # --- combinations real exports have -----------------------------------------------------------
    "60-searchset-with-includes": lambda: ("bundle", _searchset()),
    "61-bulk-folder": lambda: ("bulk", _bulk(story([trial_b()]))),
    "62-bulk-truncated-line": lambda: ("bulk", _truncated_bulk()),
}


def write_corpus(out: Path = OUT) -> list[Path]:
    """Write every input of :data:`INPUTS` under ``out`` (a Bundle file or a Bulk folder each)."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, make in INPUTS.items():
        kind, content = make()
        content = copy.deepcopy(content)
        if kind == "bundle":
            path = out / f"{name}.json"
            path.write_text(json.dumps(content, indent=1) + "\n", encoding="utf-8")
        else:
            path = out / name
            path.mkdir(exist_ok=True)
            for file, lines in content.items():
                (path / file).write_text("".join((json.dumps(x) if isinstance(x, dict) else x) + "\n" for x in lines),
                                         encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":  # pragma: no cover - regenerates the committed corpus
    for p in write_corpus(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT):
        print(p)
