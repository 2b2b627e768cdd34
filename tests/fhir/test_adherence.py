"""Adherence: Observation (unit 1 or %), day-weighted mean of merged parts, PDC with early refills."""

from __future__ import annotations

import datetime as dt

import pytest

from reasoner.fhir.adherence import Supply, proportion_of_days_covered
from reasoner.knowledge.namespaces import TRD

from .builders import (SERTRALINE, TRDCS, concept, condition, convert, dispense, dosage, iri, observation, patient,
                       quantity, statement, trials, value, SNOMED)

ADHERENCE = concept(TRDCS, "adherence")


def _adherence_obs(oid, focus, **q):
    obs = observation(oid, ADHERENCE, "2025-03-01", **q)
    obs["focus"] = [{"reference": f"MedicationStatement/{focus}"}]
    return obs


@pytest.mark.parametrize("q, expected", [(quantity(0.9, "1"), 0.9), (quantity(75, "%"), 0.75)])
def test_adherence_observation_in_proportion_or_percent(q, expected):
    g, report = convert([patient(), statement("s1", SERTRALINE, "2025-01-06", "2025-03-17", dose=dosage(100)),
                         _adherence_obs("o1", "s1", **q)])
    t = trials(g)[0]
    assert float(value(g, t, "adherence")) == pytest.approx(expected)
    assert "Observation/o1" in set(map(str, g.objects(t, TRD.sourceResource)))
    assert report.counts["Observation"].mapped == 1


def test_merged_trial_adherence_is_day_weighted():
    # s1: 2025-01-06..2025-02-03 = 28 days at 1.0; s2: 2025-02-03..2025-03-17 = 42 days at 0.5
    g, _ = convert([patient(),
                    statement("s1", SERTRALINE, "2025-01-06", "2025-02-03", dose=dosage(50)),
                    statement("s2", SERTRALINE, "2025-02-03", "2025-03-17", dose=dosage(100)),
                    _adherence_obs("o1", "s1", **quantity(100, "%")),
                    _adherence_obs("o2", "s2", **quantity(0.5, "1"))])
    assert float(value(g, trials(g)[0], "adherence")) == pytest.approx((28 * 1.0 + 42 * 0.5) / 70, abs=1e-6)


def test_merged_trial_adherence_is_unknown_when_a_part_is_unknown():
    g, _ = convert([patient(),
                    statement("s1", SERTRALINE, "2025-01-06", "2025-02-03", dose=dosage(50)),
                    statement("s2", SERTRALINE, "2025-02-03", "2025-03-17", dose=dosage(100)),
                    _adherence_obs("o1", "s1", **quantity(1, "1"))])
    assert value(g, trials(g)[0], "adherence") is None


def test_adherence_observation_with_unknown_unit_or_focus_is_reported():
    g, report = convert([patient(), statement("s1", SERTRALINE, "2025-01-06", "2025-03-17", dose=dosage(100)),
                         _adherence_obs("o1", "s1", **quantity(9, "d")), _adherence_obs("o2", "nope", **quantity(1, "1"))])
    assert value(g, trials(g)[0], "adherence") is None
    assert {(u.id, u.reason) for u in report.unmapped} == {("o1", "unknown unit"), ("o2", "unresolved reference")}


def test_pdc_shifts_early_refills_and_caps_at_trial_end():
    # Period 2025-01-01 .. 2025-04-01 (90 days). Dispenses: 01-01 (30 d) -> days 0-29;
    # 01-21 (30 d) early: shifted to 01-31 -> days 30-59; 03-20 (30 d) -> 03-20..04-19, capped at 04-01: 12 days.
    # Covered 30 + 30 + 12 = 72 of 90 = 0.8 (without the shift the overlap would be counted once: 62/90).
    supplies = [Supply("d1", dt.date(2025, 1, 1), 30), Supply("d2", dt.date(2025, 1, 21), 30),
                Supply("d3", dt.date(2025, 3, 20), 30)]
    pdc, used = proportion_of_days_covered(supplies, dt.date(2025, 1, 1), dt.date(2025, 4, 1))
    assert pdc == pytest.approx(72 / 90) and used == ["d1", "d2", "d3"]


def test_pdc_from_dispenses_reaches_the_trial():
    g, report = convert([
        patient(),
        statement("s1", SERTRALINE, "2025-01-01", "2025-04-01", dose=dosage(100)),
        dispense("d1", SERTRALINE, "2025-01-01", 30), dispense("d2", SERTRALINE, "2025-01-21", 30),
        dispense("d3", SERTRALINE, "2025-03-20", 30),
        dispense("d4", SERTRALINE, "2025-09-01", 30),  # after the trial: not used, reported
    ])
    t = trials(g)[0]
    assert float(value(g, t, "adherence")) == pytest.approx(0.8)
    assert report.counts["MedicationDispense"].mapped == 3
    assert [(u.id, u.reason) for u in report.unmapped] == [("d4", "not used")]


def test_observation_wins_over_dispenses():
    g, _ = convert([patient(), statement("s1", SERTRALINE, "2025-01-01", "2025-04-01", dose=dosage(100)),
                    dispense("d1", SERTRALINE, "2025-01-01", 90), _adherence_obs("o1", "s1", **quantity(0.6, "1"))])
    assert float(value(g, trials(g)[0], "adherence")) == pytest.approx(0.6)


def test_noncompliance_condition_becomes_a_finding_without_an_adherence_number():
    g, report = convert([patient(), statement("s1", SERTRALINE, "2025-01-06", "2025-03-17", dose=dosage(100)),
                         condition("c1", concept(SNOMED, "129834002"), onset="2025-02-01", status=None)])
    node = iri("Condition", "c1")
    assert (node, None, TRD.NoncomplianceFinding) in g
    assert value(g, node, "date") == dt.date(2025, 2, 1) and value(g, node, "patient") == iri("Patient", "p1")
    assert value(g, trials(g)[0], "adherence") is None
    assert report.counts["Condition"].mapped == 1


def test_noncompliance_observation_becomes_a_finding():
    g, _ = convert([patient(), observation("o1", concept(SNOMED, "129834002"), "2025-02-01")])
    assert (iri("Observation", "o1"), None, TRD.NoncomplianceFinding) in g


def test_out_of_range_adherence_is_kept_for_validation():
    g, _ = convert([patient(), statement("s1", SERTRALINE, "2025-01-06", "2025-03-17", dose=dosage(100)),
                    _adherence_obs("o1", "s1", **quantity(1.4, "1"))])
    assert float(value(g, trials(g)[0], "adherence")) == pytest.approx(1.4)
