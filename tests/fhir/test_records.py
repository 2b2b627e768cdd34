"""Conditions, scores, labs (with unit conversion), phenotypes, ABCB1 genotype and ECT."""

from __future__ import annotations

import datetime as dt

import pytest
from rdflib import RDF

from reasoner.knowledge.namespaces import TRD

from .builders import (ICD10, LOINC, SNOMED, TRDCS, concept, condition, convert, iri, observation, patient, quantity,
                       value)


@pytest.mark.parametrize("code, cls", [
    (concept(ICD10, "F33.1"), "MDDRecurrentDiagnosis"),             # exact
    (concept(ICD10, "F31.81"), "BipolarSpectrumDiagnosis"),        # longest prefix: F31
    (concept(ICD10, "F12.20"), "SubstanceUseDisorderDiagnosis"),   # prefix F12
    (concept(ICD10, "I61.9"), "IntracerebralHaemorrhageDiagnosis"),
    (concept(SNOMED, "78275009"), "ObstructiveSleepApneaDiagnosis"),
    (concept(SNOMED, "73867007"), "MDDWithPsychoticFeaturesDiagnosis"),
    (concept(ICD10, "E03.9"), "HypothyroidismDiagnosis"),
])
def test_condition_codes_map_to_diagnosis_classes(code, cls):
    g, report = convert([patient(), condition("c1", code)])
    node = iri("Condition", "c1")
    assert (node, RDF.type, TRD[cls]) in g
    assert value(g, node, "onsetDate") == dt.date(2024, 11, 1) and value(g, node, "isActive") is True
    assert report.counts["Condition"].mapped == 1


def test_icd_prefix_does_not_cross_categories():
    # F32.8 has no xref and its category F32 has none either (only listed subcodes): unknown.
    g, report = convert([patient(), condition("c1", concept(ICD10, "F32.8"))])
    assert report.unmapped[0].reason == "unknown code"


@pytest.mark.parametrize("status, active", [("recurrence", True), ("relapse", True), ("remission", False),
                                            ("resolved", False), ("inactive", False)])
def test_clinical_status(status, active):
    g, _ = convert([patient(), condition("c1", concept(ICD10, "F33.1"), status=status)])
    assert value(g, iri("Condition", "c1"), "isActive") is active


def test_onset_period_and_abatement():
    c = condition("c1", concept(ICD10, "F33.1"), onset=None, status="resolved",
                  onsetPeriod={"start": "2023-03-01"}, abatementDateTime="2023-09-30T10:00:00Z")
    g, _ = convert([patient(), c])
    node = iri("Condition", "c1")
    assert value(g, node, "onsetDate") == dt.date(2023, 3, 1)
    assert value(g, node, "abatementDate") == dt.date(2023, 9, 30)
    assert value(g, node, "sourceCode") == "ICD10CM:F33.1"


@pytest.mark.parametrize("code, instrument, val", [
    (concept(TRDCS, "hamd17-total"), "HAMD17", {"valueInteger": 24}),
    (concept(TRDCS, "madrs-total"), "MADRS", {"valueInteger": 30}),
    (concept(TRDCS, "qids-sr16-total"), "QIDSSR16", {"valueInteger": 14}),
    (concept(LOINC, "44261-6"), "PHQ9", {"valueQuantity": {"value": 17, "unit": "{score}"}}),
    (concept(LOINC, "89209-1"), "BDIII", {"valueInteger": 30}),
    (concept(TRDCS, "mdq-total"), "MDQ", {"valueInteger": 8}),
])
def test_scores(code, instrument, val):
    g, _ = convert([patient(), observation("o1", code, "2025-01-05T09:00:00+01:00", **val)])
    node = iri("Observation", "o1")
    assert (node, RDF.type, TRD.Assessment) in g and value(g, node, "instrument") == TRD[instrument]
    assert value(g, node, "score") == val.get("valueInteger", 17)
    assert value(g, node, "date") == dt.date(2025, 1, 5)


@pytest.mark.parametrize("code, unit, raw, analyte, expected", [
    ("1988-5", "mg/dL", 0.5, "CRP", 5.0),              # mg/dL × 10 -> mg/L
    ("30522-7", "mg/L", 3.2, "hsCRP", 3.2),
    ("3016-3", "u[IU]/mL", 5.2, "TSH", 5.2),           # same magnitude as mIU/L
    ("3016-3", "m[IU]/L", 11.0, "TSH", 11.0),
    ("69990-0", "/h", 12.0, "AHI", 12.0),
    ("3024-7", "ng/dL", 1.1, "FreeT4", 1.1),
    ("26881-3", "pg/mL", 4.5, "IL6", 4.5),
])
def test_labs_in_canonical_units(code, unit, raw, analyte, expected):
    g, _ = convert([patient(), observation("o1", concept(LOINC, code), "2025-01-05", **quantity(raw, unit))])
    node = iri("Observation", "o1")
    assert value(g, node, "analyte") == TRD[analyte]
    assert float(value(g, node, "value")) == pytest.approx(expected)


def test_tsh_in_common_non_ucum_spelling():
    obs = observation("o1", concept(LOINC, "3016-3"), "2025-01-05", valueQuantity={"value": 6.1, "unit": "mIU/L"})
    g, _ = convert([patient(), obs])
    assert float(value(g, iri("Observation", "o1"), "value")) == pytest.approx(6.1)


def test_cortisol_nmol_per_litre_to_microgram_per_decilitre():
    g, _ = convert([patient(), observation("o1", concept(TRDCS, "dst-cortisol"), "2025-01-05", **quantity(138, "nmol/L"))])
    assert float(value(g, iri("Observation", "o1"), "value")) == pytest.approx(138 / 27.59, rel=1e-4)
    assert value(g, iri("Observation", "o1"), "unit") == TRD["unit-ug-per-dL"]


def test_lab_in_unknown_unit_is_not_mapped():
    g, report = convert([patient(), observation("o1", concept(LOINC, "1988-5"), "2025-01-05", **quantity(5, "mmol/L"))])
    assert (iri("Observation", "o1"), None, None) not in g
    assert report.unmapped[0].reason == "unknown unit"


@pytest.mark.parametrize("gene_code, answer, gene, phenotype", [
    ("79714-2", "LA10315-2", "CYP2C19", "phenotype-ultrarapid"),
    ("79715-9", "LA9657-3", "CYP2D6", "phenotype-poor"),
    ("79715-9", "LA10317-8", "CYP2D6", "phenotype-intermediate"),
    ("79714-2", "LA25391-6", "CYP2C19", "phenotype-normal"),
    ("79714-2", "LA25390-8", "CYP2C19", "phenotype-rapid"),
])
def test_phenotypes(gene_code, answer, gene, phenotype):
    obs = observation("o1", concept(LOINC, gene_code), "2024-06-01", valueCodeableConcept=concept(LOINC, answer))
    g, _ = convert([patient(), obs])
    node = iri("Observation", "o1")
    assert (node, RDF.type, TRD.PhenotypeResult) in g
    assert value(g, node, "gene") == TRD[gene] and value(g, node, "phenotype") == TRD[phenotype]


def _abcb1(text: str) -> dict:
    obs = observation("o1", concept(LOINC, "84413-4"), "2024-06-01", valueCodeableConcept={"text": text})
    obs["component"] = [{"code": concept(LOINC, "48018-6"),
                         "valueCodeableConcept": concept("http://www.genenames.org", "HGNC:40", "ABCB1", text="ABCB1")}]
    return obs


def test_abcb1_genotype():
    g, _ = convert([patient(), _abcb1("rs2032583 T/T")])
    node = iri("Observation", "o1")
    assert (node, RDF.type, TRD.GenotypeResult) in g
    assert value(g, node, "gene") == TRD.ABCB1 and value(g, node, "variant") == TRD.rs2032583
    assert value(g, node, "alleles") == "T/T"


def test_genotype_without_variant_is_reported():
    g, report = convert([patient(), _abcb1("not reported")])
    assert report.unmapped[0].reason == "missing value"


def _ect(**extra):
    return {"resourceType": "Procedure", "id": "e1", "status": "completed", "code": concept(TRDCS, "ect"),
            "subject": {"reference": "Patient/p1"},
            "performedPeriod": {"start": "2025-05-01", "end": "2025-06-15"}, **extra}


def test_ect_defaults_to_bilateral():
    g, _ = convert([patient(), _ect()])
    node = iri("Procedure", "e1")
    assert (node, RDF.type, TRD.ECTCourse) in g
    assert value(g, node, "laterality") == TRD["laterality-bilateral"]
    assert value(g, node, "startDate") == dt.date(2025, 5, 1) and value(g, node, "endDate") == dt.date(2025, 6, 15)
    assert value(g, node, "absentResponse") is None


def test_unilateral_ect_with_absent_response():
    g, _ = convert([patient(), _ect(bodySite=[{"text": "Right unilateral"}], outcome=concept(SNOMED, "266721009"))])
    node = iri("Procedure", "e1")
    assert value(g, node, "laterality") == TRD["laterality-unilateral"] and value(g, node, "absentResponse") is True


def test_every_node_has_provenance():
    g, _ = convert([patient(), _ect(), _abcb1("rs2032583 T/T"), condition("c1", concept(ICD10, "F33.1"))])
    subjects = {s for s in g.subjects() }
    assert subjects and all(list(g.objects(s, TRD.sourceResource)) for s in subjects)
