"""The codes of the FHIR output, read from the ontology: the ``trd`` CodeSystem and standard codings.

Why here: which code a finding carries is knowledge, kept in the ontology (``skos:notation`` of
the coded individuals, ``oboInOwl:hasDbXref`` strings, ``trd:usesDrug`` for the drug of an
option). Two queries read it (``queries/knowledge/trd-codesystem.rq``, ``fhir-codings.rq``):

* :func:`codesystem_resource`: the FHIR ``CodeSystem`` of the project's own concepts, written by
  ``trd ontology build`` to ``ontology/build/CodeSystem-trd.json`` and used to check every
  ``trd#code`` the FHIR output emits;
* :func:`codings`: a stable code as FHIR Codings, the ``trd`` coding first, then the standard
  codes that exist for it (SNOMED CT, LOINC, RxNorm, ATC, ICD-10-CM); none is ever made up.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from typing import Any

from rdflib import Graph

from reasoner.knowledge.codes import prefix_systems
from reasoner.knowledge.loader import ontology_graph
from reasoner.knowledge.queries import query_text

#: The URI of the project's own code system (fhir-profile; also trd:codesystem-trd in the ontology).
TRD_SYSTEM = "https://w3id.org/trd-reasoner/fhir/CodeSystem/trd"


def _version(graph: Graph) -> str:
    row = next(iter(graph.query(query_text("report-data/ontology-version"))), None)
    return str(row.versionInfo) if row is not None and row.versionInfo is not None else ""


def codesystem_resource(graph: Graph | None = None) -> dict[str, Any]:
    """The ``trd`` CodeSystem resource (FHIR R4) generated from the ontology.

    A code shared by several terms (``ect``: the ECT course record and the ECT option) is one
    concept whose display names both, since a code system cannot repeat a code.
    """
    g = ontology_graph() if graph is None else graph
    concepts: dict[str, dict[str, Any]] = {}
    for row in g.query(query_text("knowledge/trd-codesystem")):
        code = str(row.code)
        label = str(row.label) if row.label is not None else code
        concept = concepts.setdefault(code, {"code": code, "display": label, "groups": [], "definitions": []})
        if label not in concept["display"].split(" / "):
            concept["display"] += " / " + label
        if row.group is not None and str(row.group) not in concept["groups"]:
            concept["groups"].append(str(row.group))
        if row.definition is not None and str(row.definition) not in concept["definitions"]:
            concept["definitions"].append(str(row.definition))
    out = []
    for code in sorted(concepts):
        c = concepts[code]
        item: dict[str, Any] = {"code": code, "display": c["display"]}
        if c["definitions"]:
            item["definition"] = " ".join(c["definitions"])
        if c["groups"]:
            item["property"] = [{"code": "group", "valueString": g} for g in c["groups"]]
        out.append(item)
    version = _version(g)
    return {
        "resourceType": "CodeSystem", "id": "trd", "url": TRD_SYSTEM, "version": version,
        "name": "TrdReasoner", "title": "trd-reasoner concepts", "status": "draft", "experimental": True,
        "publisher": "trd-reasoner developers",
        "description": "The project's own concepts (stable codes of clinical-reference §1, the codes of its findings and "
                       "of instruments without a verified standard code), generated from ontology/trd.ttl.",
        "caseSensitive": True, "content": "complete", "count": len(out),
        "property": [{"code": "group", "description": "The kind of concept (the ontology class it belongs to).",
                      "type": "string"}],
        "concept": out,
    }


@functools.lru_cache(maxsize=1)
def _trd_displays() -> dict[str, str]:
    return {c["code"]: c["display"] for c in codesystem_resource()["concept"]}


@functools.lru_cache(maxsize=1)
def _standard() -> dict[str, list[dict[str, str]]]:
    systems = prefix_systems()
    found: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in ontology_graph().query(query_text("knowledge/fhir-codings")):
        prefix, _, value = str(row.xref).partition(":")
        system = systems.get(prefix)
        if system is None or not value:
            continue
        coding = {"system": system, "code": value}
        if row.display is not None:
            coding["display"] = str(row.display)
        found[str(row.code)].append(coding)
    return dict(found)


def trd_coding(code: str) -> dict[str, str]:
    """One ``trd#code`` Coding; a code the CodeSystem lacks is a programming error, never emitted."""
    display = _trd_displays().get(code)
    if display is None:
        raise KeyError(f"{code!r} is not a concept of the trd CodeSystem (ontology/trd.ttl)")
    return {"system": TRD_SYSTEM, "code": code, "display": display}


def codings(code: str) -> list[dict[str, str]]:
    """The ``trd`` coding of a stable code, then the standard codes the ontology maps it to."""
    return [trd_coding(code)] + list(_standard().get(code, []))


def concept(code: str, text: str | None = None) -> dict[str, Any]:
    """A CodeableConcept of a stable code (with ``text`` when given)."""
    out: dict[str, Any] = {"coding": codings(code)}
    if text:
        out["text"] = text
    return out





@functools.lru_cache(maxsize=1)
def _definitions() -> dict[str, str]:
    return {c["code"]: c.get("definition", "") for c in codesystem_resource()["concept"]}


def definition(code: str) -> str:
    """The ontology's definition of a stable code ("" when it has none): what a report explains."""
    return _definitions().get(code, "")
__all__ = ["TRD_SYSTEM", "codesystem_resource", "codings", "trd_coding", "concept", "definition"]
