"""Every stable code of clinical-reference §1 is an individual trd:<group>-<code> with that
skos:notation, of the group's class; no coded individual exists that the reference lacks."""

from __future__ import annotations

from rdflib import Graph, Literal
from rdflib.namespace import RDF, RDFS, SKOS

from reasoner.knowledge.namespaces import TRD

# Reference group name -> (IRI prefix, class): the mapping of docs/data-model.md §2.
GROUPS = {
    "trial adequacy": ("adequacy", TRD.AdequacyStatus),
    "inadequacy reasons": ("reason", TRD.InadequacyReason),
    "trial outcome": ("outcome", TRD.TrialOutcome),
    "TRD status": ("trd", TRD.TRDStatus),
    "pseudo-resistance": ("pseudo", TRD.PseudoResistanceCause),
    "mechanisms": ("mechanism", TRD.Mechanism),
    "options": ("option", TRD.TreatmentOption),
    "option status": ("status", TRD.OptionStatus),
}


def test_reference_groups_are_the_data_model_groups(ref_codes: dict[str, list[str]]) -> None:
    assert set(ref_codes) == set(GROUPS)


def test_every_reference_code_is_a_notation(ontology_graph: Graph, ref_codes: dict[str, list[str]]) -> None:
    problems = []
    for group, codes in ref_codes.items():
        prefix, klass = GROUPS[group]
        for code in codes:
            individual = TRD[f"{prefix}-{code}"]
            if list(ontology_graph.objects(individual, SKOS.notation)) != [Literal(code)]:
                problems.append(f"{individual}: notation is not exactly {code!r}")
            if (individual, RDF.type, klass) not in ontology_graph:
                problems.append(f"{individual}: not typed {klass}")
            if not list(ontology_graph.objects(individual, RDFS.label)):
                problems.append(f"{individual}: no label")
    assert not problems, "\n".join(problems)


def test_no_coded_individual_outside_the_reference(ontology_graph: Graph, ref_codes: dict[str, list[str]]) -> None:
    for group, codes in ref_codes.items():
        prefix, klass = GROUPS[group]
        members = {str(s) for s in ontology_graph.subjects(RDF.type, klass)}
        assert members == {str(TRD[f"{prefix}-{c}"]) for c in codes}, group


def test_every_option_has_a_status_when_eligible(ontology_graph: Graph, ref_codes: dict[str, list[str]]) -> None:
    statuses = {str(TRD[f"status-{c}"]) for c in ref_codes["option status"]}
    for code in ref_codes["options"]:
        values = {str(v) for v in ontology_graph.objects(TRD[f"option-{code}"], TRD.statusWhenEligible)}
        assert len(values) == 1 and values <= statuses, f"option {code}: statusWhenEligible {values}"


def test_option_status_and_thresholds_follow_reference_section_7(ontology_graph: Graph, reference_text: str) -> None:
    import re

    from ontology_refparse import section

    checked = 0
    for line in section(reference_text, "## 7.", "`not-yet-eligible` carries").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 4 or not cells[0].startswith("`"):
            continue
        status = re.findall(r"`([^`]+)`", cells[1])[0]
        for code in re.findall(r"`([^`]+)`", cells[0]):
            option = TRD[f"option-{code}"]
            assert (option, TRD.statusWhenEligible, TRD[f"status-{status}"]) in ontology_graph, code
            failed = re.search(r"≥ (\d+) failed adequate trial", cells[2])
            if failed:
                assert (option, TRD.minimumFailedAdequateTrials, Literal(int(failed.group(1)))) in ontology_graph, code
            stage = re.search(r"Thase–Rush ≥ (I+)", cells[2])
            if stage:
                assert (option, TRD.minimumThaseRushStage, Literal(len(stage.group(1)))) in ontology_graph, code
            if "TRD confirmed" in cells[2]:
                assert (option, TRD.requiresConfirmedTRD, Literal(True)) in ontology_graph, code
            # "lithium stays `consider` in bipolar" / "in bipolar spectrum `consider`": a status, not a contraindication.
            stays = re.search(r"(\w+) stays `?consider`? in bipolar", cells[3])
            if (stays and stays.group(1) in code) or re.search(r"in bipolar spectrum `?consider`?", cells[2]):
                assert (option, TRD.statusInBipolar, TRD["status-consider"]) in ontology_graph, code
                assert (option, TRD.contraindicatedInBipolar, Literal(True)) not in ontology_graph, code
            elif "bipolar spectrum" in cells[3]:
                assert (option, TRD.contraindicatedInBipolar, Literal(True)) in ontology_graph, code
            checked += 1
    assert checked >= 15, "could not parse the option table of §7"


def test_every_option_states_source_and_evidence(ontology_graph: Graph, ref_codes: dict[str, list[str]]) -> None:
    from rdflib.namespace import DCTERMS

    for code in ref_codes["options"]:
        option = TRD[f"option-{code}"]
        assert list(ontology_graph.objects(option, DCTERMS.source)), code
        statuses = {str(s) for s in ontology_graph.objects(option, TRD.evidenceStatus)}
        assert len(statuses) == 1 and statuses <= {"verified", "secondary", "unverified"}, (code, statuses)
        assert list(ontology_graph.objects(option, TRD.eligibilityText)), code
