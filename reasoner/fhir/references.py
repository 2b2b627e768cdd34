"""The one reader of FHIR references: which resource (``Type/id``) a reference names.

Why one module: the Bundle/NDJSON importer and the on-disk Bulk index must agree on whose a
resource is, or the same folder gives other patients in single and cohort mode. Both call these
functions, so a reference form is understood (or refused) the same way everywhere.

Forms read (fhir-profile "References"): relative ``Type/id``, absolute ``https://…/Type/id`` (a
``/_history/n`` suffix is dropped), and a Bundle ``fullUrl`` (``urn:uuid:…`` or any URL) through
the map of the entries' full URLs. A ``urn:uuid:`` subject with no matching ``fullUrl`` (resources
regrouped out of their Bundle, as Synthea and most servers write them) names the Patient of that
id. Ids must be valid FHIR ids, so an id can never inject IRI syntax into the graph.
"""

from __future__ import annotations

import re
from typing import Any

from reasoner.fhir.values import valid_id

_TYPE = re.compile(r"^[A-Z][A-Za-z]{1,63}$")
_UUID = "urn:uuid:"


def reference_text(ref: Any) -> str | None:
    """The ``reference`` string of a Reference element (or the string itself); None otherwise."""
    if isinstance(ref, dict):
        ref = ref.get("reference")
    return ref if isinstance(ref, str) and ref else None


def resolve(ref: Any, full_urls: dict[str, str] | None = None) -> str | None:
    """``Type/id`` of a FHIR Reference (relative, absolute URL, or a Bundle ``fullUrl``); None when
    it names nothing this reader can identify."""
    text = reference_text(ref)
    if text is None:
        return None
    if full_urls and text in full_urls:
        return full_urls[text]
    parts = text.split("/_history", 1)[0].rstrip("/").split("/")
    if len(parts) >= 2 and _TYPE.match(parts[-2]) and valid_id(parts[-1]):
        return f"{parts[-2]}/{parts[-1]}"
    return None


def patient_id(ref: Any, full_urls: dict[str, str] | None = None) -> str | None:
    """The id of the Patient a ``subject``/``patient`` reference names, or None."""
    key = resolve(ref, full_urls)
    if key is not None:
        return key[len("Patient/"):] if key.startswith("Patient/") else None
    text = reference_text(ref)
    if text is not None and text.startswith(_UUID) and valid_id(text[len(_UUID):]):
        return text[len(_UUID):]
    return None


def owner(resource: dict[str, Any], full_urls: dict[str, str] | None = None) -> str | None:
    """The patient id a resource belongs to: its own id for a Patient, else ``subject``/``patient``."""
    if resource.get("resourceType") == "Patient":
        rid = resource.get("id")
        return rid if valid_id(rid) else None
    for key in ("subject", "patient"):
        pid = patient_id(resource.get(key), full_urls)
        if pid is not None:
            return pid
    return None


def shared_key(ref: Any) -> str | None:
    """The key of a resource shared by patients (a ``Medication``): ``Type/id``, or the
    ``urn:uuid:`` itself when no Bundle maps it (an NDJSON export has no full URLs)."""
    key = resolve(ref)
    if key is not None:
        return key
    text = reference_text(ref)
    return text if text is not None and text.startswith(_UUID) and valid_id(text[len(_UUID):]) else None


__all__ = ["reference_text", "resolve", "patient_id", "owner", "shared_key"]
