"""CDS Hooks requests as EHRs send them, built from a patient's FHIR resources (benchmarks, tests,
the example requests of examples/cds-hooks/).

An EHR satisfies each prefetch template of the discovery response with the answer of that FHIR
query: the Patient resource for ``patient``, a ``searchset`` Bundle for every search (entries with
``fullUrl`` and ``search.mode`` ``match``; Medication resources a MedicationRequest references as
``include`` entries), ``null`` when there is nothing.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

#: prefetch key -> the resource types its search returns (the service's templates)
PREFETCH_TYPES = {
    "conditions": ("Condition",),
    "medicationStatements": ("MedicationStatement",),
    "medicationRequests": ("MedicationRequest",),
    "medicationDispenses": ("MedicationDispense",),
    "observations": ("Observation",),
    "procedures": ("Procedure",),
}
FHIR_BASE = "https://ehr.example.org/fhir"


def searchset(resources: list[dict[str, Any]], includes: list[dict[str, Any]] = ()) -> dict[str, Any]:
    """A searchset Bundle as a FHIR server answers a search."""
    entries = [{"fullUrl": f"{FHIR_BASE}/{r['resourceType']}/{r['id']}", "resource": r, "search": {"mode": "match"}}
               for r in resources]
    entries += [{"fullUrl": f"{FHIR_BASE}/{r['resourceType']}/{r['id']}", "resource": r, "search": {"mode": "include"}}
                for r in includes]
    return {"resourceType": "Bundle", "type": "searchset", "total": len(resources), "entry": entries}


def prefetch_of(resources: list[dict[str, Any]]) -> dict[str, Any]:
    """The prefetch object for one patient's resources (every key of the templates)."""
    by_type: dict[str, list[dict[str, Any]]] = {}
    for r in resources:
        by_type.setdefault(r["resourceType"], []).append(r)
    patients = by_type.get("Patient", [])
    prefetch: dict[str, Any] = {"patient": patients[0] if patients else None}
    medications = by_type.get("Medication", [])
    for key, types in PREFETCH_TYPES.items():
        found = [r for t in types for r in by_type.get(t, [])]
        includes = medications if key == "medicationRequests" else []
        prefetch[key] = searchset(found, includes)
    return prefetch


def hook_request(hook: str, patient_id: str, resources: list[dict[str, Any]] | None,
                 draft_orders: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    """A full CDS Hooks request; ``resources`` None leaves the prefetch out."""
    request: dict[str, Any] = {
        "hookInstance": str(uuid.uuid4()),
        "hook": hook,
        "context": {"userId": "Practitioner/example", "patientId": patient_id},
    }
    if resources is not None:
        request["prefetch"] = prefetch_of(resources)
    if draft_orders is not None:
        request["context"]["draftOrders"] = {"resourceType": "Bundle", "type": "collection",
                                             "entry": [{"resource": r} for r in draft_orders]}
        if hook == "order-select":
            request["context"]["selections"] = [f"MedicationRequest/{r['id']}" for r in draft_orders
                                                if r.get("resourceType") == "MedicationRequest"]
    request.update(extra)
    return request


def bundle_resources(path: Path | str) -> list[dict[str, Any]]:
    """The resources of a FHIR Bundle file."""
    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    return [e["resource"] for e in doc.get("entry", []) if isinstance(e, dict) and "resource" in e]


__all__ = ["hook_request", "prefetch_of", "searchset", "bundle_resources", "PREFETCH_TYPES", "FHIR_BASE"]
