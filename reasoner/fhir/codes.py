"""FHIR Codings as the code index sees them: ``(xref prefix, code)`` keys and readable strings.

The index itself (which term a code lands on) is :class:`reasoner.knowledge.codes.CodeIndex`,
built from the ontology; which FHIR system URI is which xref prefix is ontology data too
(``trd:CodeSystem``). This module only reads the FHIR structure of a Coding or CodeableConcept.
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import URIRef

from reasoner.knowledge.codes import CodeIndex, system_prefixes


def coding_key(coding: dict) -> tuple[str, str] | None:
    """(xref prefix, code) of a FHIR Coding, or None when its system is not one we map."""
    system, code = coding.get("system"), coding.get("code")
    if not isinstance(system, str) or not isinstance(code, str):
        return None
    prefix = system_prefixes().get(system.rstrip("/"))
    return (prefix, code.strip()) if prefix else None


def lookup(index: CodeIndex, codings: Iterable[dict], category: URIRef) -> tuple[tuple[URIRef, ...], str | None]:
    """The terms of the first coding (in order) that maps into ``category``, and its
    ``SYSTEM:code`` string; ``((), None)`` when none does."""
    for coding in codings:
        if not isinstance(coding, dict):
            continue
        key = coding_key(coding)
        if key is None:
            continue
        found = index.terms(key[0], key[1], category)
        if found:
            return found, f"{key[0]}:{key[1]}"
    return (), None


def codings_of(concept: object) -> list[dict]:
    """The codings of a CodeableConcept (tolerant of a missing or malformed concept)."""
    if isinstance(concept, dict):
        codings = concept.get("coding")
        if isinstance(codings, list):
            return [c for c in codings if isinstance(c, dict)]
    return []


def first_code_string(concept: object) -> str:
    """A readable ``SYSTEM:code`` (or text) of a concept, for report messages."""
    for coding in codings_of(concept):
        key = coding_key(coding)
        if key:
            return f"{key[0]}:{key[1]}"
        if coding.get("code"):
            return f"{coding.get('system', '?')}|{coding.get('code')}"
    if isinstance(concept, dict) and isinstance(concept.get("text"), str):
        return repr(concept["text"][:80])
    return "no code"
