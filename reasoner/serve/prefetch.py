"""What the service asks the EHR for (prefetch templates), and the patient's resources gathered
from a call: from ``prefetch``, else fetched from ``fhirServer``.

Why the templates are built, not written: the Observation codes are the codes the FHIR importer
reads (the ontology's code index: rating instruments, analytes, genes, genotype results,
noncompliance findings, adherence), so a code added to the ontology is asked for without a change
here, and the EHR sends no Observation the reasoner would only count as not relevant.

A prefetch value is one of (CDS Hooks 2.0 "Prefetch Template"): absent (not satisfied: fetch it, or
answer 412 when the service cannot), ``null`` (no data), a resource (a read), a Bundle (a search,
possibly with ``include`` entries and ``urn:uuid:`` full URLs), or an OperationOutcome (the EHR could
not get it: treated as absent). Anything else is not FHIR: 400.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from reasoner.fhir.context import get_context
from reasoner.fhir.mappers import OBSERVATION_CATEGORIES
from reasoner.fhir.references import owner
from reasoner.fhir.reader import FULL_URL_KEY
from reasoner.fhir.terms import T
from reasoner.knowledge.codes import prefix_systems
from reasoner.serve.fhir_client import NotFhir, bundle_resources

PATIENT_TOKEN = "{{context.patientId}}"

#: Resource types that belong to one patient (their subject/patient must be the context patient).
PATIENT_SCOPED = frozenset({"Condition", "Observation", "Procedure", "MedicationStatement", "MedicationRequest",
                            "MedicationDispense"})


@functools.lru_cache(maxsize=1)
def observation_codes() -> tuple[str, ...]:
    """``system|code`` tokens of every Observation code the FHIR importer reads, sorted."""
    codes = get_context().codes
    systems = prefix_systems()
    tokens = set()
    for (prefix, code), terms in codes.by_code.items():
        if prefix in systems and any(t == T.adherence or any(codes.is_a(t, c) for c in OBSERVATION_CATEGORIES)
                                     for t in terms):
            tokens.add(f"{systems[prefix]}|{code}")
    return tuple(sorted(tokens))


@functools.lru_cache(maxsize=1)
def prefetch_templates() -> dict[str, str]:
    """The prefetch templates of every service: what the reasoner reads (fhir-profile)."""
    p = PATIENT_TOKEN
    return {
        "patient": f"Patient/{p}",
        "conditions": f"Condition?patient={p}",
        "medicationStatements": f"MedicationStatement?patient={p}",
        "medicationRequests": f"MedicationRequest?patient={p}",
        "medicationDispenses": f"MedicationDispense?patient={p}",
        "observations": f"Observation?patient={p}&code={','.join(observation_codes())}",
        "procedures": f"Procedure?patient={p}",
    }


class MissingData(Exception):
    """Prefetch keys that were not satisfied and could not be fetched (the service answers 412)."""

    def __init__(self, keys: list[str], why: str) -> None:
        super().__init__(why)
        self.keys = keys
        self.why = why


@dataclass
class Gathered:
    """The resources of one call, with where they came from (for the log and the card detail)."""

    resources: list[dict[str, Any]] = field(default_factory=list)
    from_prefetch: list[str] = field(default_factory=list)
    fetched: list[str] = field(default_factory=list)
    other_patients: int = 0
    duplicates: int = 0


def _values(key: str, value: Any) -> list[dict[str, Any]] | None:
    """The resources of one prefetch value; None when it was not satisfied (OperationOutcome)."""
    if value is None:
        return []
    if not isinstance(value, dict) or not isinstance(value.get("resourceType"), str):
        raise NotFhir(f"prefetch.{key} is not a FHIR resource (no resourceType)")
    if value["resourceType"] == "OperationOutcome":
        return None
    if value["resourceType"] == "Bundle":
        return bundle_resources(value, f"prefetch.{key}")
    return [value]


def _paginated(value: Any) -> bool:
    links = value.get("link") if isinstance(value, dict) and value.get("resourceType") == "Bundle" else None
    return isinstance(links, list) and any(isinstance(link, dict) and link.get("relation") == "next" for link in links)


def gather(patient_id: str, prefetch: dict[str, Any] | None,
           fetch: Callable[[str], list[dict[str, Any]]] | None, no_fetch_reason: str) -> Gathered:
    """The patient's resources for one call.

    ``fetch``: reads a relative FHIR URL from the client's FHIR server (None when the call gives
    no usable ``fhirServer``; ``no_fetch_reason`` then says why). A paginated prefetch Bundle is
    fetched whole from the server rather than read in part.
    """
    prefetch = prefetch or {}
    out = Gathered()
    missing: list[str] = []
    seen: set[tuple[str, str]] = set()
    for key, template in prefetch_templates().items():
        resources = _values(key, prefetch[key]) if key in prefetch else None
        if resources is not None and _paginated(prefetch.get(key)):
            resources = None
        if resources is None:
            if fetch is None:
                missing.append(key)
                continue
            resources = fetch(template.replace(PATIENT_TOKEN, patient_id))
            out.fetched.append(key)
        else:
            out.from_prefetch.append(key)
        for res in resources:
            rid = res.get("id")
            ident = (res["resourceType"], rid if isinstance(rid, str) else "")
            if ident[1] and ident in seen:
                out.duplicates += 1
                continue
            seen.add(ident)
            out.resources.append(res)
    if missing:
        raise MissingData(missing, no_fetch_reason)
    full_urls = {r[FULL_URL_KEY]: f"{r['resourceType']}/{r.get('id')}" for r in out.resources
                 if isinstance(r.get(FULL_URL_KEY), str)}
    kept = []
    for res in out.resources:
        rtype = res["resourceType"]
        if rtype == "Patient" or rtype in PATIENT_SCOPED:
            who = owner(res, full_urls)
            if who is not None and who != patient_id:
                out.other_patients += 1
                continue
        kept.append(res)
    out.resources = kept
    return out


__all__ = ["prefetch_templates", "observation_codes", "gather", "Gathered", "MissingData", "PATIENT_TOKEN"]
