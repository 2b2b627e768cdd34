"""The one reader of FHIR references: which resource (``Type/id``) a reference names.

Why one module: the Bundle/NDJSON importer and the on-disk Bulk index must agree on whose a
resource is, or the same folder gives other patients in single and cohort mode. Both call these
functions, so a reference form is understood (or refused) the same way everywhere.

Forms read (fhir-profile "Shapes of real exports"):

* relative ``Type/id`` (the id as written, even one FHIR would not allow: ``Patient/a b``);
* absolute ``https://…/Type/id`` (a ``/_history/n`` suffix is dropped);
* a Bundle ``fullUrl`` (``urn:uuid:…`` or any URL) through the map of the entries' full URLs; a
  ``urn:uuid:`` subject with no matching ``fullUrl`` (resources regrouped out of their Bundle, as
  Synthea and most servers write them) names the Patient of that id;
* contained ``#id``: a resource in the referring resource's ``contained`` list
  (:func:`contained_resource`);
* logical references by ``identifier`` (``{"identifier": {"system", "value"}}``, or the
  conditional form ``Type?identifier=system|value``), resolved through the identifiers of the
  resources read (:class:`Identifiers`).

What cannot be resolved is None here; the importer reports it as a data issue naming the
resource. Ids are made safe only where they become IRIs (:func:`reasoner.fhir.values.node`).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

from reasoner.fhir.values import valid_id

_TYPE = re.compile(r"^[A-Z][A-Za-z]{1,63}$")
_UUID = "urn:uuid:"
_CONDITIONAL = re.compile(r"^([A-Z][A-Za-z]{1,63})\?identifier=([^&]*)$")


class Identifiers:
    """``(system, value)`` of every resource identifier read -> ``Type/id`` (for logical references)."""

    def __init__(self) -> None:
        self._by: dict[tuple[str, str, str], str] = {}

    def add(self, resource: dict[str, Any], key: str) -> None:
        """Index the ``identifier`` list of a resource read as ``key`` (``Type/id``)."""
        rtype = key.split("/", 1)[0]
        items = resource.get("identifier")
        for item in items if isinstance(items, list) else [items] if isinstance(items, dict) else []:
            if isinstance(item, dict) and isinstance(item.get("value"), str):
                system = item.get("system") if isinstance(item.get("system"), str) else ""
                self._by.setdefault((rtype, system, item["value"]), key)

    def find(self, rtype: str | None, system: str, value: str) -> str | None:
        """The key a logical identifier names (any type when ``rtype`` is None; any system when
        ``system`` is empty); the first read wins when several resources carry it."""
        if rtype is not None and system:
            return self._by.get((rtype, system, value))
        for (t, s, v), key in self._by.items():
            if v == value and (rtype is None or t == rtype) and (not system or s == system):
                return key
        return None

    def __bool__(self) -> bool:
        return bool(self._by)


def reference_text(ref: Any) -> str | None:
    """The ``reference`` string of a Reference element (or the string itself); None otherwise."""
    if isinstance(ref, dict):
        ref = ref.get("reference")
    return ref if isinstance(ref, str) and ref else None


def _logical(ref: Any, rtype: str | None, identifiers: Identifiers | None) -> str | None:
    """``Type/id`` of an identifier-only reference, when a resource read carries that identifier."""
    if identifiers is None or not isinstance(ref, dict):
        return None
    ident = ref.get("identifier")
    if not isinstance(ident, dict) or not isinstance(ident.get("value"), str):
        return None
    wanted = ref.get("type") if isinstance(ref.get("type"), str) else rtype
    system = ident.get("system") if isinstance(ident.get("system"), str) else ""
    return identifiers.find(wanted, system, ident["value"])


def resolve(ref: Any, full_urls: dict[str, str] | None = None, identifiers: Identifiers | None = None,
            rtype: str | None = None) -> str | None:
    """``Type/id`` a FHIR Reference names (see the module's forms); None when it names nothing
    this reader can identify. ``rtype``: the type expected (for identifier-only references)."""
    text = reference_text(ref)
    if text is None:
        return _logical(ref, rtype, identifiers)
    if full_urls and text in full_urls:
        return full_urls[text]
    if text.startswith("#"):
        return None  # contained: see contained_resource
    conditional = _CONDITIONAL.match(text)
    if conditional is not None:
        system, _, value = unquote(conditional.group(2)).rpartition("|")
        return identifiers.find(conditional.group(1), system, value) if identifiers is not None else None
    if "://" in text or text.startswith("urn:"):
        parts = text.split("/_history", 1)[0].rstrip("/").split("/")
        if len(parts) >= 2 and _TYPE.match(parts[-2]) and valid_id(parts[-1]):
            return f"{parts[-2]}/{parts[-1]}"
        return None
    rtype_text, _, rid = text.partition("/")
    rid = rid.split("/_history/", 1)[0]
    if _TYPE.match(rtype_text) and valid_id(rid):
        return f"{rtype_text}/{rid}"
    return None


def patient_id(ref: Any, full_urls: dict[str, str] | None = None, identifiers: Identifiers | None = None) -> str | None:
    """The id of the Patient a ``subject``/``patient`` reference names, or None."""
    key = resolve(ref, full_urls, identifiers, "Patient")
    if key is not None:
        return key[len("Patient/"):] if key.startswith("Patient/") else None
    text = reference_text(ref)
    if text is not None and text.startswith(_UUID) and valid_id(text[len(_UUID):]):
        return text[len(_UUID):]
    return None


def owner(resource: dict[str, Any], full_urls: dict[str, str] | None = None,
          identifiers: Identifiers | None = None) -> str | None:
    """The patient id a resource belongs to: its own id for a Patient, else ``subject``/``patient``."""
    if resource.get("resourceType") == "Patient":
        rid = resource.get("id")
        return rid if valid_id(rid) else None
    for key in ("subject", "patient"):
        pid = patient_id(resource.get(key), full_urls, identifiers)
        if pid is not None:
            return pid
    return None


def contained_resource(resource: dict[str, Any], ref: Any) -> dict[str, Any] | None:
    """The resource of ``resource.contained`` that a ``#id`` reference names, or None."""
    text = reference_text(ref)
    if text is None or not text.startswith("#"):
        return None
    wanted = text[1:]
    items = resource.get("contained")
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and item.get("id") == wanted:
            return item
    return None


def shared_key(ref: Any) -> str | None:
    """The key of a resource shared by patients (a ``Medication``): ``Type/id``, or the
    ``urn:uuid:`` itself when no Bundle maps it (an NDJSON export has no full URLs)."""
    key = resolve(ref)
    if key is not None:
        return key
    text = reference_text(ref)
    return text if text is not None and text.startswith(_UUID) and valid_id(text[len(_UUID):]) else None


__all__ = ["reference_text", "resolve", "patient_id", "owner", "shared_key", "contained_resource", "Identifiers"]
