"""FHIR in, assessment out: the imported graph is what the rule pipeline reasons over.

Expected results worked out by hand (clinical-reference §2–4): sertraline 100 -> 150 mg/day for
10 weeks, adherence (28 d × 0.95 + 42 d × 0.90) / 70 = 0.92, HAM-D 24 -> 20 (non-response); then
venlafaxine 150 mg/day for 90 days, adherence 0.9, HAM-D 20 -> 19: two failed adequate trials of
two classes (SSRI, SNRI) = TRD confirmed. The second patient is malformed and is still assessed.
"""

from __future__ import annotations

import datetime as dt

import pytest

from reasoner.fhir import load_patient_graph

from .builders import (ICD10, SERTRALINE, SERTRALINE_50_TAB, TRDCS, VENLAFAXINE_ER_150, bundle, concept, condition,
                       dosage, observation, patient, quantity, statement, write_json)


def _adherence(oid, focus, date, **q):
    return {**observation(oid, concept(TRDCS, "adherence"), date, pid="good", **q),
            "focus": [{"reference": f"MedicationStatement/{focus}"}]}


def test_imported_bundle_is_assessed(tmp_path):
    pipeline = pytest.importorskip("reasoner.pipeline")
    resources = [
        patient("good"),
        condition("dx", concept(ICD10, "F33.1"), onset="2024-11-01", pid="good"),
        statement("s1", SERTRALINE_50_TAB, "2025-01-06", "2025-02-03", dose=dosage(2, "{tablet}"), pid="good"),
        statement("s2", SERTRALINE_50_TAB, "2025-02-03", "2025-03-17", dose=dosage(3, "{tablet}"), pid="good"),
        observation("h0", concept(TRDCS, "hamd17-total"), "2025-01-05", pid="good", valueInteger=24),
        observation("h1", concept(TRDCS, "hamd17-total"), "2025-03-15", pid="good", valueInteger=20),
        statement("v1", VENLAFAXINE_ER_150, "2025-04-01", "2025-06-30", dose=dosage(1, "{capsule}"), pid="good"),
        observation("h2", concept(TRDCS, "hamd17-total"), "2025-06-28", pid="good", valueInteger=19),
        _adherence("a1", "s1", "2025-03-10", **quantity(95, "%")),
        _adherence("a2", "s2", "2025-03-10", **quantity(0.9, "1")),
        _adherence("a3", "v1", "2025-06-10", **quantity(0.9, "1")),
        patient("bad", birth="05/01/1980"),
        condition("bdx", concept(ICD10, "F33.1"), onset="last spring", pid="bad"),
        statement("bs1", SERTRALINE, "2025-01-06", "2025-03-17", dose=dosage(5, "mL"), pid="bad"),
    ]
    graph, report = load_patient_graph(write_json(tmp_path / "b.json", bundle(resources)), as_of=dt.date(2026, 1, 15))
    # the unreadable onset ("last spring") keeps the diagnosis, onset unknown, with a data issue
    assert report.unmapped == []
    assert {(i.id, i.patient) for i in report.issues} >= {("bdx", "bad"), ("bs1", "bad")}

    result = pipeline.Pipeline(policy="default", as_of="2026-01-15").assess(graph)
    patients = {p["id"]: p for p in result.patients}
    good = patients["good"]
    assert good["trd"]["status"] == "confirmed" and good["trd"]["failedAdequateTrials"] == 2
    trials = {t["drug"]: t for t in good["trials"]}
    assert trials["sertraline"]["adherence"] == pytest.approx(0.92, abs=1e-3)
    assert trials["sertraline"]["weeksAtAdequateDose"] == pytest.approx(10.0, abs=1e-3)
    assert {t["adequacy"] for t in trials.values()} == {"adequate"}
    [bad_trial] = patients["bad"]["trials"]
    assert bad_trial["adequacy"] == "indeterminate" and "dose-unknown" in bad_trial["reasons"]
