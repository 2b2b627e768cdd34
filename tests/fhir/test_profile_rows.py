"""Every code row of fhir-profile.md's Condition table and every augmenting agent, end to end.

The codes are the profile's; each must land on (a subclass of) the profile's concept, which is
the ontology class the data model names for it.
"""

from __future__ import annotations

import pytest
from rdflib import RDF, RDFS

from reasoner.fhir.context import get_context
from reasoner.knowledge.namespaces import TRD
from reasoner.knowledge.loader import ontology_graph as load_ontology

from .builders import (ICD10, RXNORM, SERTRALINE, SNOMED, concept, condition, convert, dosage, iri, patient,
                       statement, trials)

ROWS = {
    "DepressiveDisorderDiagnosis": [(SNOMED, c) for c in ("370143000", "36923009", "66344007", "310496002")]
    + [(ICD10, c) for c in ("F32.0", "F32.1", "F32.2", "F32.3", "F32.4", "F32.5", "F32.9",
                            "F33.0", "F33.1", "F33.2", "F33.3", "F33.8", "F33.9")],
    "MDDWithPsychoticFeaturesDiagnosis": [(SNOMED, "73867007"), (SNOMED, "726772006"), (ICD10, "F32.3"), (ICD10, "F33.3")],
    "BipolarSpectrumDiagnosis": [(SNOMED, "371596008"), (SNOMED, "83225003"), (ICD10, "F30.10"), (ICD10, "F31.9")],
    "HypothyroidismDiagnosis": [(SNOMED, "40930008"), (ICD10, "E03.9")],
    "ObstructiveSleepApneaDiagnosis": [(SNOMED, "78275009"), (ICD10, "G47.33")],
    "SubstanceUseDisorderDiagnosis": [(SNOMED, "66214007"), (SNOMED, "7200002")]
    + [(ICD10, f"F{n}.20") for n in (10, 11, 12, 13, 14, 15, 16, 18, 19)],
    "EsketamineContraindicationDiagnosis": [(ICD10, c) for c in ("I71.2", "I72.0", "I67.1", "Q28.2", "I61.9")],
}


def _is_sub(cls, group) -> bool:
    onto = load_ontology()
    return group in set(onto.transitive_objects(cls, RDFS.subClassOf))


@pytest.mark.parametrize("group, system, code", [(g, s, c) for g, codes in ROWS.items() for s, c in codes])
def test_condition_code_reaches_its_concept(group, system, code):
    g, report = convert([patient(), condition("c1", concept(system, code))])
    types = set(g.objects(iri("Condition", "c1"), RDF.type))
    assert types and all(_is_sub(t, TRD[group]) for t in types), (code, types)
    assert report.total_not_mapped == 0


def test_codes_outside_the_table_are_unknown():
    g, report = convert([patient(), condition("c1", concept(ICD10, "F34.1")),     # dysthymia: not in the table
                         condition("c2", concept(ICD10, "F17.210")),                # nicotine: F17 not listed
                         condition("c3", concept(SNOMED, "38341003"))])             # hypertension
    assert {u.id for u in report.unmapped} == {"c1", "c2", "c3"}


AUGMENTING = [concept(RXNORM, "89013", "aripiprazole"), concept(RXNORM, "1658314", "brexpiprazole"),
              concept(RXNORM, "51272", "quetiapine"), concept(RXNORM, "9990004", "cariprazine 1.5 MG Oral Capsule"),
              concept(RXNORM, "61381", "olanzapine"), concept(RXNORM, "6448", "lithium"),
              concept(RXNORM, "10814", "liothyronine")]


@pytest.mark.parametrize("agent", AUGMENTING, ids=lambda c: c["coding"][0]["display"].split()[0])
def test_every_augmenting_agent_overlapping_a_trial_is_augmentation(agent):
    g, _ = convert([patient(), statement("s1", SERTRALINE, "2025-01-06", "2025-04-07", dose=dosage(100)),
                    statement("a1", agent, "2025-02-01", "2025-03-01")])
    [t] = trials(g)
    [drug] = g.objects(t, TRD.augmentedWith)
    assert get_context().drug_kind(drug) == "augmenting"
    assert drug == TRD[agent["coding"][0]["display"].split()[0]]


def test_augmenting_agent_after_the_trial_is_not_augmentation():
    g, _ = convert([patient(), statement("s1", SERTRALINE, "2025-01-06", "2025-04-07", dose=dosage(100)),
                    statement("a1", AUGMENTING[0], "2025-05-01", "2025-06-01")])
    assert list(g.objects(trials(g)[0], TRD.augmentedWith)) == []
