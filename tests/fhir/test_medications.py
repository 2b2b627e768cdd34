"""Drug identification and daily dose: ingredient/ATC codes, SCD names, tablets × strength, units."""

from __future__ import annotations

import pytest

from reasoner.fhir.context import get_context
from reasoner.fhir.medications import match_drug, parse_components
from reasoner.knowledge.namespaces import TRD

from .builders import (ATC, ESCITALOPRAM_ATC, RXNORM, SERTRALINE, SERTRALINE_50_TAB, VENLAFAXINE_ER_150, concept,
                       convert, dosage, iri, patient, statement, value)


@pytest.fixture(scope="module")
def ctx():
    return get_context()


def test_ingredient_code_maps_through_xref(ctx):
    m = match_drug(SERTRALINE, ctx)
    assert m.drug == TRD.sertraline and m.code == "RXNORM:36437" and m.strength_mg is None


def test_atc_code_maps_through_xref(ctx):
    assert match_drug(ESCITALOPRAM_ATC, ctx).drug == TRD.escitalopram
    assert match_drug(concept(ATC, "N06AX16"), ctx).drug == TRD.venlafaxine


@pytest.mark.parametrize("display, drug, strength", [
    ("sertraline 50 MG Oral Tablet", "sertraline", 50.0),
    ("24 HR venlafaxine 150 MG Extended Release Oral Capsule", "venlafaxine", 150.0),
    ("12 HR buPROPion hydrochloride 150 MG Extended Release Oral Tablet", "bupropion", 150.0),
    ("escitalopram 10 MG Oral Tablet [Lexapro]", "escitalopram", 10.0),
    ("levothyroxine sodium 0.05 MG Oral Tablet", "levothyroxine", 0.05),
    ("liothyronine sodium 25 MCG Oral Tablet", "liothyronine", 0.025),
    ("duloxetine 60 MG Delayed Release Oral Capsule", "duloxetine", 60.0),
    ("{30 (buPROPion hydrochloride 150 MG 12HR Extended Release Oral Tablet) } Pack", "bupropion", 150.0),
])
def test_scd_names_give_ingredient_and_strength(ctx, display, drug, strength):
    [(found, mg)] = parse_components(display, ctx)
    assert found == TRD[drug]
    assert mg == pytest.approx(strength)


def test_strength_per_volume_is_not_a_strength_per_dose_unit(ctx):
    assert parse_components("paroxetine 10 MG/5ML Oral Suspension", ctx) == [(TRD.paroxetine, None)]


def test_unknown_ingredient_and_class_labels_are_not_drugs(ctx):
    assert parse_components("lisinopril 10 MG Oral Tablet", ctx) == []
    assert parse_components("SSRI 10 MG Oral Tablet", ctx) == []


def test_combination_product_leads_with_the_antidepressant(ctx):
    m = match_drug(concept(RXNORM, "9990003", "olanzapine 6 MG / fluoxetine 25 MG Oral Capsule"), ctx)
    assert m.drug == TRD.fluoxetine and m.strength_mg == 25.0 and m.co_drugs == [TRD.olanzapine]


def _dose(med, dose):
    g, report = convert([patient(), statement("s1", med, "2025-01-06", "2025-03-10", dose=dose)])
    return value(g, iri("MedicationStatement", "s1"), "dailyDoseMg"), report


@pytest.mark.parametrize("med, dose, expected", [
    (SERTRALINE_50_TAB, dosage(2, "{tablet}"), 100.0),            # 2 tablets × 50 mg once a day
    (SERTRALINE_50_TAB, dosage(1, None, frequency=2), 100.0),     # no unit (Synthea style): tablets
    (VENLAFAXINE_ER_150, dosage(1, "{capsule}"), 150.0),
    (SERTRALINE, dosage(0.1, "g"), 100.0),                          # grams
    (SERTRALINE, dosage(50000, "ug"), 50.0),                        # micrograms
    (SERTRALINE, dosage(25000, "mcg", frequency=2), 50.0),          # "mcg" spelling
    (SERTRALINE, dosage(100, "mg", frequency=1, period=2), 50.0),   # every other day
    (SERTRALINE, dosage(350, "mg", frequency=1, period=1, period_unit="wk"), 50.0),
])
def test_daily_dose_in_mg(med, dose, expected):
    got, report = _dose(med, dose)
    assert float(got) == pytest.approx(expected)
    assert report.issues == []


def test_unknown_unit_means_dose_unknown_and_an_issue():
    got, report = _dose(SERTRALINE, dosage(5, "puff"))
    assert got is None
    assert any(i.id == "s1" and "unknown unit" in i.message and i.effect == "dose unknown: trial indeterminate"
               for i in report.issues)


def test_ml_without_a_strength_per_ml_is_dose_unknown():
    got, report = _dose(SERTRALINE, dosage(5, "mL"))
    assert got is None and any("strength per mL is unknown" in i.message for i in report.issues)


def test_tablets_without_known_strength_is_dose_unknown():
    got, report = _dose(SERTRALINE, dosage(1, "{tablet}"))
    assert got is None and any("strength is unknown" in i.message for i in report.issues)


def test_medication_reference_resolves_to_a_medication_resource():
    med = {"resourceType": "Medication", "id": "m1", "code": SERTRALINE_50_TAB}
    unused = {"resourceType": "Medication", "id": "m2", "code": SERTRALINE}
    ms = statement("s1", None, "2025-01-06", "2025-03-10", dose=dosage(2, "{tablet}"))
    del ms["medicationCodeableConcept"]
    ms["medicationReference"] = {"reference": "Medication/m1"}
    g, report = convert([patient(), med, unused, ms])
    assert float(value(g, iri("MedicationStatement", "s1"), "dailyDoseMg")) == 100.0
    assert report.counts["Medication"].mapped == 1
    assert [(u.id, u.reason) for u in report.unmapped] == [("m2", "not used")]


def test_unresolvable_medication_reference_is_reported():
    ms = statement("s1", None, "2025-01-06", "2025-03-10", dose=dosage(100))
    del ms["medicationCodeableConcept"]
    ms["medicationReference"] = {"reference": "Medication/missing"}
    g, report = convert([patient(), ms])
    assert [(u.id, u.reason) for u in report.unmapped] == [("s1", "unresolved reference")]
