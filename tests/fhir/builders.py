"""Small builders for hand-written FHIR R4 resources used by the importer tests.

They write plain FHIR JSON (as an EHR would send it); the expected values in the tests are
worked out by hand from docs/fhir-profile.md and docs/clinical-reference.md, never read back from the code.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, URIRef

from reasoner.fhir import resources_to_graph
from reasoner.knowledge.namespaces import FHIR_DATA, TRD

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
ATC = "http://www.whocc.no/atc"
SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
ICD10 = "http://hl7.org/fhir/sid/icd-10-cm"
UCUM = "http://unitsofmeasure.org"
TRDCS = "https://w3id.org/trd-reasoner/fhir/CodeSystem/trd"
AS_OF = dt.date(2026, 1, 15)


def concept(system: str, code: str, display: str | None = None, text: str | None = None) -> dict:
    coding: dict[str, Any] = {"system": system, "code": code}
    if display:
        coding["display"] = display
    out: dict[str, Any] = {"coding": [coding]}
    if text:
        out["text"] = text
    return out


def patient(pid: str = "p1", birth: str = "1980-05-01", gender: str = "female") -> dict:
    return {"resourceType": "Patient", "id": pid, "birthDate": birth, "gender": gender}


def dosage(value: float | None, unit: str | None = "mg", frequency: int = 1, period: float = 1, period_unit: str = "d") -> dict:
    quantity: dict[str, Any] = {}
    if value is not None:
        quantity["value"] = value
    if unit is not None:
        quantity.update({"unit": unit, "system": UCUM, "code": unit})
    return {"timing": {"repeat": {"frequency": frequency, "period": period, "periodUnit": period_unit}},
            "doseAndRate": [{"doseQuantity": quantity}]}


def statement(sid: str, med: dict, start: str, end: str | None = None, dose: dict | None = None,
              status: str = "completed", reason: str | None = None, pid: str = "p1") -> dict:
    res: dict[str, Any] = {"resourceType": "MedicationStatement", "id": sid, "status": status,
                           "medicationCodeableConcept": med, "subject": {"reference": f"Patient/{pid}"},
                           "effectivePeriod": {"start": start, **({"end": end} if end else {})}}
    if dose is not None:
        res["dosage"] = [dose]
    if reason:
        res["status"] = "stopped"
        res["statusReason"] = [concept(SNOMED, reason)]
    return res


def request(rid: str, med: dict, authored: str, dose: dict | None = None, supply_days: float | None = None,
            repeats: int | None = None, status: str = "completed", pid: str = "p1") -> dict:
    res: dict[str, Any] = {"resourceType": "MedicationRequest", "id": rid, "status": status, "intent": "order",
                           "medicationCodeableConcept": med, "subject": {"reference": f"Patient/{pid}"},
                           "authoredOn": authored}
    if dose is not None:
        res["dosageInstruction"] = [dose]
    dispense: dict[str, Any] = {}
    if supply_days is not None:
        dispense["expectedSupplyDuration"] = {"value": supply_days, "unit": "days", "system": UCUM, "code": "d"}
    if repeats is not None:
        dispense["numberOfRepeatsAllowed"] = repeats
    if dispense:
        res["dispenseRequest"] = dispense
    return res


def dispense(did: str, med: dict, handed: str, days: int, pid: str = "p1") -> dict:
    return {"resourceType": "MedicationDispense", "id": did, "status": "completed", "medicationCodeableConcept": med,
            "subject": {"reference": f"Patient/{pid}"}, "whenHandedOver": handed,
            "daysSupply": {"value": days, "unit": "day", "system": UCUM, "code": "d"}}


def observation(oid: str, code: dict, date: str, pid: str = "p1", **value: Any) -> dict:
    return {"resourceType": "Observation", "id": oid, "status": "final", "code": code,
            "subject": {"reference": f"Patient/{pid}"}, "effectiveDateTime": date, **value}


def quantity(value: float, unit: str) -> dict:
    return {"valueQuantity": {"value": value, "unit": unit, "system": UCUM, "code": unit}}


def condition(cid: str, code: dict, onset: str | None = "2024-11-01", status: str | None = "active", pid: str = "p1", **extra: Any) -> dict:
    res: dict[str, Any] = {"resourceType": "Condition", "id": cid, "code": code, "subject": {"reference": f"Patient/{pid}"}}
    if onset:
        res["onsetDateTime"] = onset
    if status:
        res["clinicalStatus"] = concept("http://terminology.hl7.org/CodeSystem/condition-clinical", status)
    res.update(extra)
    return res


def bundle(resources: list[dict], btype: str = "collection") -> dict:
    return {"resourceType": "Bundle", "type": btype, "entry": [{"resource": r} for r in resources]}


def write_json(path: Path, doc: Any) -> Path:
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def convert(resources: list[dict]) -> tuple[Graph, Any]:
    return resources_to_graph(resources, as_of=AS_OF)


def iri(rtype: str, rid: str) -> URIRef:
    return URIRef(f"{FHIR_DATA}{rtype}/{rid}")


def value(g: Graph, s: URIRef, p: str) -> Any:
    """The Python value of the single object of ``s trd:<p>`` (None when absent)."""
    objs = list(g.objects(s, TRD[p]))
    assert len(objs) <= 1, f"{s} has several trd:{p}: {objs}"
    if not objs:
        return None
    o = objs[0]
    return o.toPython() if isinstance(o, Literal) else o


def trials(g: Graph) -> list[URIRef]:
    return sorted(g.subjects(URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), TRD.AntidepressantTrial))


SERTRALINE = concept(RXNORM, "36437", "sertraline")
# SCD/SBD-style codings: the codes are placeholders (not real RxNorm codes, and not in the
# ontology), so only the normalized display name can identify ingredient and strength.
SERTRALINE_50_TAB = concept(RXNORM, "9990001", "sertraline 50 MG Oral Tablet")
VENLAFAXINE_ER_150 = concept(RXNORM, "9990002", "24 HR venlafaxine 150 MG Extended Release Oral Capsule")
ESCITALOPRAM_ATC = concept(ATC, "N06AB10", "escitalopram")
ARIPIPRAZOLE = concept(RXNORM, "89013", "aripiprazole")
