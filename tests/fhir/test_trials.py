"""Trial assembly: merging, dose periods, optimisation, orders/refills, stop reasons, augmentation."""

from __future__ import annotations

import pytest
from rdflib import URIRef

from reasoner.knowledge.namespaces import TRD

from .builders import (ARIPIPRAZOLE, SERTRALINE, SERTRALINE_50_TAB, VENLAFAXINE_ER_150, concept, convert, dosage,
                       iri, patient, request, statement, trials, value)

import datetime as dt


def test_consecutive_statements_merge_with_dose_periods_and_optimisation():
    g, report = convert([
        patient(),
        statement("s1", SERTRALINE, "2025-01-06", "2025-02-03", dose=dosage(50)),
        statement("s2", SERTRALINE, "2025-02-10", "2025-04-07", dose=dosage(100)),  # 7-day gap: merges
    ])
    [t] = trials(g)
    assert t == URIRef(str(iri("MedicationStatement", "s1")) + "/trial")
    assert value(g, t, "drug") == TRD.sertraline
    assert value(g, t, "startDate") == dt.date(2025, 1, 6) and value(g, t, "endDate") == dt.date(2025, 4, 7)
    assert value(g, t, "doseOptimised") is True
    assert value(g, t, "dailyDoseMg") is None  # two different doses: per period only
    periods = sorted(g.subjects(TRD.trial, t))
    assert periods == [iri("MedicationStatement", "s1"), iri("MedicationStatement", "s2")]
    assert [float(value(g, p, "dailyDoseMg")) for p in periods] == [50.0, 100.0]
    # the gap (2025-02-03 .. 2025-02-10) is covered by no dose period
    assert value(g, periods[0], "endDate") == dt.date(2025, 2, 3)
    assert value(g, periods[1], "startDate") == dt.date(2025, 2, 10)
    assert set(map(str, g.objects(t, TRD.sourceResource))) == {"MedicationStatement/s1", "MedicationStatement/s2"}
    assert report.counts["MedicationStatement"].mapped == 2


def test_gap_longer_than_policy_splits_trials():
    g, _ = convert([
        patient(),
        statement("s1", SERTRALINE, "2025-01-06", "2025-02-03", dose=dosage(50)),
        statement("s2", SERTRALINE, "2025-02-18", "2025-04-07", dose=dosage(50)),  # 15-day gap
    ])
    assert len(trials(g)) == 2


def test_gap_at_the_policy_limit_merges():
    g, _ = convert([
        patient(),
        statement("s1", SERTRALINE, "2025-01-06", "2025-02-03", dose=dosage(50)),
        statement("s2", SERTRALINE, "2025-02-17", "2025-04-07", dose=dosage(50)),  # 14-day gap
    ])
    [t] = trials(g)
    assert float(value(g, t, "dailyDoseMg")) == 50.0 and value(g, t, "doseOptimised") is None


def test_lowered_dose_is_not_an_optimisation():
    g, _ = convert([
        patient(),
        statement("s1", SERTRALINE, "2025-01-06", "2025-02-03", dose=dosage(100)),
        statement("s2", SERTRALINE, "2025-02-03", "2025-04-07", dose=dosage(50)),
    ])
    assert value(g, trials(g)[0], "doseOptimised") is None


def test_open_end_is_ongoing():
    g, _ = convert([patient(), statement("s1", VENLAFAXINE_ER_150, "2025-10-01", None, dose=dosage(1, "{capsule}"), status="active")])
    [t] = trials(g)
    assert value(g, t, "ongoing") is True and value(g, t, "endDate") is None
    assert value(g, iri("MedicationStatement", "s1"), "ongoing") is True


def test_refills_as_repeated_orders_form_one_trial():
    # Orders every 30 days with the default supply (30 days): no gap, one trial of 3 periods.
    orders = [request(f"r{i}", SERTRALINE_50_TAB, d, dose=dosage(1, None)) for i, d in
              enumerate(["2025-01-01", "2025-01-31", "2025-03-02"])]
    g, report = convert([patient(), *orders])
    [t] = trials(g)
    assert value(g, t, "startDate") == dt.date(2025, 1, 1)
    assert value(g, t, "endDate") == dt.date(2025, 4, 1)  # 2025-03-02 + 30 days
    assert float(value(g, t, "dailyDoseMg")) == 50.0
    assert report.counts["MedicationRequest"].mapped == 3


def test_order_supply_from_expected_duration_or_repeats():
    g, _ = convert([patient(), request("r1", SERTRALINE, "2025-01-01", dose=dosage(50), supply_days=90)])
    assert value(g, trials(g)[0], "endDate") == dt.date(2025, 4, 1)
    g, _ = convert([patient(), request("r1", SERTRALINE, "2025-01-01", dose=dosage(50), repeats=1)])
    assert value(g, trials(g)[0], "endDate") == dt.date(2025, 3, 2)  # (1 + 1) × 30 days = 60 days


def test_active_order_covering_as_of_is_ongoing():
    g, _ = convert([patient(), request("r1", SERTRALINE, "2026-01-01", dose=dosage(50), status="active")])
    assert value(g, trials(g)[0], "ongoing") is True


@pytest.mark.parametrize("code, reason", [
    ("59037007", "stop-intolerance"), ("62014003", "stop-intolerance"), ("281647001", "stop-intolerance"),
    ("407563006", "stop-intolerance"), ("129834002", "stop-nonadherence"), ("275928001", "stop-nonadherence"),
    ("448176008", "stop-nonadherence"), ("266721009", "stop-absent-response"),
])
def test_every_stop_reason(code, reason):
    g, report = convert([patient(), statement("s1", SERTRALINE, "2025-01-06", "2025-02-03", dose=dosage(50), reason=code)])
    t = trials(g)[0]
    assert value(g, t, "stopReason") == TRD[reason]
    assert value(g, t, "adherence") is None  # a reason is not an adherence number
    assert report.issues == []


def test_unknown_stop_reason_is_an_issue():
    g, report = convert([patient(), statement("s1", SERTRALINE, "2025-01-06", "2025-02-03", dose=dosage(50), reason="12345")])
    assert value(g, trials(g)[0], "stopReason") is None
    assert any("statusReason" in i.message for i in report.issues)


def test_overlapping_augmenting_agent_is_augmentation():
    g, _ = convert([
        patient(),
        statement("s1", SERTRALINE, "2025-01-06", "2025-04-07", dose=dosage(100)),
        statement("a1", ARIPIPRAZOLE, "2025-03-01", "2025-04-30", dose=dosage(5)),
        statement("s2", VENLAFAXINE_ER_150, "2025-08-01", "2025-10-01", dose=dosage(1, "{capsule}")),
    ])
    by_drug = {value(g, t, "drug"): t for t in trials(g)}
    assert list(g.objects(by_drug[TRD.sertraline], TRD.augmentedWith)) == [TRD.aripiprazole]
    assert list(g.objects(by_drug[TRD.venlafaxine], TRD.augmentedWith)) == []
    use = iri("MedicationStatement", "a1")
    assert (use, None, TRD.MedicationUse) in g and value(g, use, "drug") == TRD.aripiprazole


def test_unknown_medication_is_kept_and_reported():
    lisinopril = concept("http://www.nlm.nih.gov/research/umls/rxnorm", "314076", "lisinopril 10 MG Oral Tablet")
    g, report = convert([patient(), request("r1", lisinopril, "2025-01-01", dose=dosage(1, None))])
    use = iri("MedicationRequest", "r1")
    assert value(g, use, "sourceCode") == "RXNORM:314076" and value(g, use, "drug") is None
    assert trials(g) == []
    [u] = report.unmapped
    assert (u.resourceType, u.id, u.reason) == ("MedicationRequest", "r1", "unknown code")


def test_statement_with_an_unreadable_start_is_kept_with_its_start_unknown():
    """Issue 16: never a dropped record: the trial stays (indeterminate), the date is a data issue."""
    bad = statement("s1", SERTRALINE, "2025-13-45", "2025-03-01")
    g, report = convert([patient(), bad])
    [t] = trials(g)
    assert value(g, t, "startDate") is None and value(g, t, "startDateUnknown") is True
    assert report.unmapped == [] and report.counts["MedicationStatement"].mapped == 1
    [issue] = [i for i in report.issues if "2025-13-45" in i.message]
    assert issue.effect.startswith("start unknown")


def test_planned_end_after_as_of_is_ongoing():
    g, _ = convert([patient(), statement("s1", SERTRALINE, "2025-12-01", "2026-06-01", dose=dosage(50), status="active")])
    t = trials(g)[0]
    assert value(g, t, "ongoing") is True and value(g, t, "endDate") is None


def test_middle_part_without_end_is_closed_by_the_next_part():
    g, _ = convert([
        patient(),
        statement("s1", SERTRALINE, "2025-01-06", None, dose=dosage(50)),           # completed, end not recorded
        statement("s2", SERTRALINE, "2025-01-15", "2025-04-07", dose=dosage(100)),  # 9 days after s1's start
    ])
    [t] = trials(g)
    assert value(g, t, "endDate") == dt.date(2025, 4, 7)
    assert value(g, iri("MedicationStatement", "s1"), "endDate") == dt.date(2025, 1, 15)


def test_part_without_end_is_not_merged_across_an_unknown_gap():
    # s1's end is unknown: measured from its start, s2 begins 28 days later (> 14): two trials,
    # and the first one's duration stays unknown (no endDate, not ongoing).
    g, _ = convert([
        patient(),
        statement("s1", SERTRALINE, "2025-01-06", None, dose=dosage(50)),
        statement("s2", SERTRALINE, "2025-02-03", "2025-04-07", dose=dosage(100)),
    ])
    first = URIRef(str(iri("MedicationStatement", "s1")) + "/trial")
    assert len(trials(g)) == 2
    assert value(g, first, "endDate") is None and value(g, first, "ongoing") is None


def test_order_status_reason_is_a_stop_reason():
    order = request("r1", SERTRALINE, "2025-01-01", dose=dosage(50), status="stopped")
    order["statusReason"] = concept("http://snomed.info/sct", "266721009")  # a single CodeableConcept on orders
    g, report = convert([patient(), order])
    assert value(g, trials(g)[0], "stopReason") == TRD["stop-absent-response"] and report.issues == []


def test_end_before_start_is_kept_as_written_for_validation():
    # A value out of range is a validation violation for that patient, not an import decision.
    g, report = convert([patient(), statement("s1", SERTRALINE, "2025-03-10", "2025-01-06", dose=dosage(50))])
    t = trials(g)[0]
    assert value(g, t, "startDate") == dt.date(2025, 3, 10) and value(g, t, "endDate") == dt.date(2025, 1, 6)
    assert report.total_not_mapped == 0


def test_trial_gap_is_read_from_the_policy(tmp_path):
    from reasoner.fhir.convert import resources_to_graph
    from reasoner.fhir.context import get_context

    policy = tmp_path / "wide-gap.ttl"
    policy.write_text("""@prefix trd: <https://w3id.org/trd-reasoner/ontology#> .
@prefix pol: <https://w3id.org/trd-reasoner/policy/> .
pol:wide-gap a trd:Policy ; trd:extends pol:default .
pol:wide-gap-trial-gap-days a trd:Setting ; trd:policy pol:wide-gap ;
    trd:parameter trd:param-trial-gap-days ; trd:value 30 .
""")
    resources = [patient(), statement("s1", SERTRALINE, "2025-01-06", "2025-02-03", dose=dosage(50)),
                 statement("s2", SERTRALINE, "2025-02-23", "2025-04-07", dose=dosage(50))]  # 20-day gap
    assert len(trials(convert(resources)[0])) == 2
    g, _ = resources_to_graph(resources, as_of=dt.date(2026, 1, 15), ctx=get_context(policy=policy))
    assert len(trials(g)) == 1
