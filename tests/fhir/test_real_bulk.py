"""The real Synthea Bulk FHIR sample (tests/data/smart-bulk-fhir-10) imports with every resource accounted for."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from rdflib import RDF

from reasoner.fhir import load_patient_graph
from reasoner.knowledge.namespaces import TRD

from .builders import AS_OF, iri, value


@pytest.fixture(scope="module")
def imported(smart_bulk):
    return load_patient_graph(smart_bulk, as_of=AS_OF)


def _lines(folder):
    """resourceType -> resources, read independently of the importer (one JSON object a line)."""
    out: dict[str, list[dict]] = {}
    for f in sorted(folder.glob("*.ndjson")):
        if f.name == "log.ndjson":
            continue
        for line in f.read_text().splitlines():
            if line.strip():
                r = json.loads(line)
                out.setdefault(r["resourceType"], []).append(r)
    return out


def test_every_resource_is_accounted_for(imported, smart_bulk):
    _, report = imported
    expected = {t: len(rs) for t, rs in _lines(smart_bulk).items()}
    assert {t: c.read for t, c in report.counts.items()} == expected
    for t, c in report.counts.items():
        assert c.read == c.mapped + c.notMapped, t
    assert Counter(u.resourceType for u in report.unmapped) == Counter({t: c.notMapped for t, c in report.counts.items() if c.notMapped})
    assert report.consistent()


def test_obstructive_sleep_apnea_reaches_the_graph(imported, smart_bulk):
    g, _ = imported
    osa = [r for r in _lines(smart_bulk)["Condition"]
           if any(c.get("code") == "78275009" for c in r["code"].get("coding", []))]
    assert {r["id"] for r in osa} >= {"eaf38985-c5c0-dcb6-1165-b2d7f8f24146"}
    for r in osa:
        node = iri("Condition", r["id"])
        assert (node, RDF.type, TRD.ObstructiveSleepApneaDiagnosis) in g
        assert value(g, node, "patient") == iri("Patient", r["subject"]["reference"].split("/")[1])
        assert value(g, node, "isActive") is True and value(g, node, "sourceCode") == "SNOMEDCT:78275009"


def test_medications_reach_the_graph(imported, smart_bulk):
    g, report = imported
    requests = _lines(smart_bulk)["MedicationRequest"]
    for r in requests:
        node = iri("MedicationRequest", r["id"])
        assert value(g, node, "patient") == iri("Patient", r["subject"]["reference"].split("/")[1])
        assert value(g, node, "sourceCode") == "RXNORM:" + r["medicationCodeableConcept"]["coding"][0]["code"]
        assert value(g, node, "startDate") is not None
    # None of the sample's drugs is in the ontology: each is kept and reported as an unknown code.
    assert report.counts["MedicationRequest"].notMapped == len(requests)
    assert {u.reason for u in report.unmapped if u.resourceType == "MedicationRequest"} == {"unknown code"}


def test_every_patient_is_in_the_graph(imported, smart_bulk):
    g, _ = imported
    ids = {r["id"] for r in _lines(smart_bulk)["Patient"]}
    assert {str(value(g, s, "identifier")) for s in g.subjects(RDF.type, TRD.Patient)} == ids
