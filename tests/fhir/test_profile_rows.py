"""Every code row of fhir-profile.md's Condition table and every augmenting agent, end to end.

The codes are the profile's; each must land on (a subclass of) the profile's concept, which is
the ontology class the data model names for it.
"""

from __future__ import annotations

import pytest
from rdflib import RDF, RDFS
from rdflib.namespace import PROV

from reasoner.fhir.context import get_context
from reasoner.knowledge.namespaces import TRD
from reasoner.knowledge.loader import ontology_graph as load_ontology

from .builders import (AS_OF, ICD10, RXNORM, SERTRALINE, SERTRALINE_50_TAB, SNOMED, TRDCS, VENLAFAXINE_ER_150,
                       concept, condition, convert, dosage, iri, observation, patient, quantity, statement, trials)

ROWS = {
    "DepressiveDisorderDiagnosis": [(SNOMED, c) for c in ("370143000", "36923009", "66344007", "310496002")]
    + [(ICD10, c) for c in ("F32.0", "F32.1", "F32.2", "F32.3", "F32.4", "F32.5", "F32.89", "F32.9", "F32.A",
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


# The codes of the profile's depressive-disorder row that are not plain numeric sub-codes of a
# listed category: F32.89 (other specified depressive episodes: F32.8 is not listed, its F32.81 is
# premenstrual dysphoric disorder), F32.A (depression, unspecified: a letter, not a digit, after the
# dot) and the recurrent F33.8, F33.9. Each is its own xref (data-model §3); no category is mapped.
EPISODE_CODES = ("F32.89", "F32.A", "F33.8", "F33.9")


def _two_failed_trials(dx_code: dict) -> list[dict]:
    """Sertraline 100 -> 150 mg/day 2025-01-06 .. 2025-03-17 (10 weeks, adherence 0.9, HAM-D 24 -> 20:
    non-response), venlafaxine 150 mg/day 2025-04-01 .. 2025-06-30 (adherence 0.9, HAM-D 20 -> 19:
    non-response): two failed adequate trials of two classes. The diagnosis starts 2025-03-20,
    after the sertraline trial ended and before the venlafaxine trial began."""
    def adherence(oid: str, focus: str, date: str) -> dict:
        return {**observation(oid, concept(TRDCS, "adherence"), date, **quantity(0.9, "1")),
                "focus": [{"reference": f"MedicationStatement/{focus}"}]}
    return [
        patient(),
        condition("dx", dx_code, onset="2025-03-20"),
        statement("s1", SERTRALINE_50_TAB, "2025-01-06", "2025-02-03", dose=dosage(2, "{tablet}")),
        statement("s2", SERTRALINE_50_TAB, "2025-02-03", "2025-03-17", dose=dosage(3, "{tablet}")),
        observation("h0", concept(TRDCS, "hamd17-total"), "2025-01-05", valueInteger=24),
        observation("h1", concept(TRDCS, "hamd17-total"), "2025-03-15", valueInteger=20),
        statement("v1", VENLAFAXINE_ER_150, "2025-04-01", "2025-06-30", dose=dosage(1, "{capsule}")),
        observation("h2", concept(TRDCS, "hamd17-total"), "2025-06-28", valueInteger=19),
        adherence("a1", "s1", "2025-03-10"), adherence("a2", "s2", "2025-03-10"), adherence("a3", "v1", "2025-06-10"),
    ]


@pytest.mark.parametrize("code", EPISODE_CODES)
def test_depressive_disorder_code_starts_the_current_episode(code):
    """Imported as a depressive-disorder diagnosis, the Condition starts the current episode
    (clinical-reference §4): the sertraline trial, which ended before its onset, no longer counts,
    so 1 failed adequate trial remains (venlafaxine): TRD not met, Thase–Rush stage I."""
    from reasoner.pipeline import Pipeline

    g, report = convert(_two_failed_trials(concept(ICD10, code)))
    assert report.total_not_mapped == 0
    [dx_type] = g.objects(iri("Condition", "dx"), RDF.type)
    assert _is_sub(dx_type, TRD.DepressiveDisorderDiagnosis)

    result = Pipeline(policy="default", as_of=AS_OF).assess(g)
    [episode] = result.derived.subjects(TRD.episodeOnsetDate, None)
    assert str(result.derived.value(episode, TRD.episodeOnsetDate)) == "2025-03-20"
    assert str(result.derived.value(episode, PROV.wasDerivedFrom)) == str(iri("Condition", "dx"))
    [p] = result.patients
    assert (p["trd"]["status"], p["trd"]["failedAdequateTrials"], p["stages"]["thaseRush"]) == ("not-met", 1, 1)
    assert not [i for i in p["dataIssues"] if "episode" in i["message"]]


def test_an_unknown_diagnosis_code_starts_no_episode():
    """The same history with a code outside the table (F34.1, dysthymia): no episode start, every
    trial counts (2 failed adequate trials of 2 classes: TRD confirmed) and an info issue says so."""
    from reasoner.pipeline import Pipeline

    g, report = convert(_two_failed_trials(concept(ICD10, "F34.1")))
    assert [(u.id, u.reason) for u in report.unmapped] == [("dx", "unknown code")]
    [p] = Pipeline(policy="default", as_of=AS_OF).assess(g).patients
    assert (p["trd"]["status"], p["trd"]["failedAdequateTrials"]) == ("confirmed", 2)
    assert [i["severity"] for i in p["dataIssues"] if "episode" in i["message"]] == ["info"]


def test_codes_outside_the_table_are_unknown():
    g, report = convert([patient(), condition("c1", concept(ICD10, "F34.1")),     # dysthymia: not in the table
                         condition("c2", concept(ICD10, "F17.210")),                # nicotine: F17 not listed
                         condition("c3", concept(SNOMED, "38341003")),              # hypertension
                         condition("c4", concept(ICD10, "F32.81"))])                # PMDD: F32.89's sibling, not listed
    assert {u.id for u in report.unmapped} == {"c1", "c2", "c3", "c4"}


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
