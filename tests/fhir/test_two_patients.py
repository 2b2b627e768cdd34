"""A Bundle with two patients, one malformed: the good one is imported (and assessable), the bad one reported."""

from __future__ import annotations

import datetime as dt

from reasoner.fhir import load_patient_graph
from reasoner.knowledge.namespaces import TRD

from .builders import (ICD10, LOINC, SERTRALINE, bundle, concept, condition, dosage, iri, observation, patient,
                       quantity, statement, trials, value, write_json)


def test_good_patient_imported_malformed_patient_reported(tmp_path):
    good = [
        patient("good"),
        condition("g-dx", concept(ICD10, "F33.1"), pid="good"),
        statement("g-s1", SERTRALINE, "2025-01-06", "2025-03-17", dose=dosage(100), pid="good"),
        observation("g-crp", concept(LOINC, "1988-5"), "2025-01-05", pid="good", **quantity(0.4, "mg/dL")),
    ]
    no_subject = statement("b-s1", SERTRALINE, "2025-01-06", "2025-03-17", dose=dosage(100), pid="bad")
    del no_subject["subject"]
    bad = [
        patient("bad", birth="05/01/1980"),                                         # not a FHIR date
        condition("b-dx", concept(ICD10, "F33.1"), onset="last spring", pid="bad"),  # bad date: kept, onset unknown
        no_subject,                                                                 # missing subject
        observation("b-x", concept(LOINC, "0000-0"), "2025-01-05", pid="bad", valueInteger=3),  # unknown code
        {"resourceType": "Observation", "status": "final"},                        # no id
    ]
    g, report = load_patient_graph(write_json(tmp_path / "two.json", bundle(good + bad)), as_of=dt.date(2026, 1, 15))

    [t] = trials(g)
    assert value(g, t, "patient") == iri("Patient", "good") and float(value(g, t, "dailyDoseMg")) == 100.0
    assert float(value(g, iri("Observation", "g-crp"), "value")) == 4.0
    assert (iri("Condition", "g-dx"), None, TRD.MDDRecurrentDiagnosis) in g

    reasons = {(u.resourceType, u.id): (u.reason, u.category) for u in report.unmapped}
    assert reasons == {("MedicationStatement", "b-s1"): ("missing subject", "data issue"),
                       ("Observation", "b-x"): ("unknown code", "not relevant"),
                       ("Observation", ""): ("missing or invalid id", "data issue")}
    # issue 16: a diagnosis with an unreadable onset is kept (it counts), its onset unknown, and said so
    assert (iri("Condition", "b-dx"), None, TRD.MDDRecurrentDiagnosis) in g
    assert value(g, iri("Condition", "b-dx"), "onsetDateUnknown") is True
    issues = {(i.resourceType, i.id): i for i in report.issues}
    assert set(issues) == {("Patient", "bad"), ("Condition", "b-dx"), ("MedicationStatement", "b-s1"), ("Observation", "")}
    assert issues[("Condition", "b-dx")].patient == "bad" and "last spring" in issues[("Condition", "b-dx")].message
    assert issues[("MedicationStatement", "b-s1")].patient is None  # no patient can be named
    assert value(g, iri("Patient", "bad"), "birthDate") is None
    assert report.consistent() and report.patients == 2
