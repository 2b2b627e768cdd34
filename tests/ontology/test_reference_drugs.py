"""The drugs of the ontology match clinical-reference §2.1 and §5 (parsed from the reference)."""

from __future__ import annotations

import re
from decimal import Decimal

from rdflib import Graph, Literal
from rdflib.namespace import RDF, RDFS, XSD

from reasoner.knowledge.namespaces import OBOINOWL, TRD

from ontology_refparse import RefDrug, section


def _drug_class_names(graph: Graph, drug) -> set[str]:
    return {str(name) for klass in graph.objects(drug, RDF.type) for name in graph.objects(klass, TRD.className)}


def test_every_reference_drug_has_class_codes_and_minimum_dose(ontology_graph: Graph, ref_drugs: list[RefDrug]) -> None:
    problems = []
    for ref in ref_drugs:
        drug = TRD[ref.name]
        if (drug, RDFS.label, Literal(ref.name)) not in ontology_graph:
            problems.append(f"{ref.name}: missing or wrong rdfs:label")
        if _drug_class_names(ontology_graph, drug) != {ref.class_name}:
            problems.append(f"{ref.name}: class {_drug_class_names(ontology_graph, drug)} != {ref.class_name}")
        rxnorm = {str(v) for v in ontology_graph.objects(drug, TRD.rxnormCode)}
        if ref.rxnorm is None:
            if rxnorm or (drug, TRD.hasNoRxnormCode, Literal(True)) not in ontology_graph:
                problems.append(f"{ref.name}: reference has no RxNorm code; ontology has {rxnorm} / no hasNoRxnormCode")
        else:
            if rxnorm != {ref.rxnorm}:
                problems.append(f"{ref.name}: rxnorm {rxnorm} != {ref.rxnorm}")
            if (drug, OBOINOWL.hasDbXref, Literal(f"RXNORM:{ref.rxnorm}")) not in ontology_graph:
                problems.append(f"{ref.name}: no RXNORM xref")
        if {str(v) for v in ontology_graph.objects(drug, TRD.atcCode)} != {ref.atc}:
            problems.append(f"{ref.name}: ATC differs from {ref.atc}")
        if (drug, OBOINOWL.hasDbXref, Literal(f"ATC:{ref.atc}")) not in ontology_graph:
            problems.append(f"{ref.name}: no ATC xref")
        doses = list(ontology_graph.objects(drug, TRD.minimumAdequateDailyDoseMg))
        if len(doses) != 1 or doses[0].datatype != XSD.decimal or Decimal(str(doses[0])) != Decimal(str(ref.min_mg)):
            problems.append(f"{ref.name}: minimum dose {doses} != {ref.min_mg} (one xsd:decimal)")
    assert not problems, "\n".join(problems)


def test_antidepressants_are_exactly_the_reference_table(ontology_graph: Graph, ref_drugs: list[RefDrug]) -> None:
    in_ontology = {
        str(s) for s in ontology_graph.subjects(TRD.minimumAdequateDailyDoseMg, None)
    }
    assert in_ontology == {str(TRD[d.name]) for d in ref_drugs}


def test_evidence_status_follows_the_verified_anchors(ontology_graph: Graph, reference_text: str, ref_drugs: list[RefDrug]) -> None:
    anchors_text = section(reference_text, "Verified anchors:", "All others")
    verified = {d.name for d in ref_drugs if re.search(rf"\b{d.name}\b", anchors_text)}
    assert len(verified) >= 3, "could not find the verified anchors in the reference"
    for ref in ref_drugs:
        status = {str(s) for s in ontology_graph.objects(TRD[ref.name], TRD.evidenceStatus)}
        expected = "verified" if ref.name in verified else "unverified"
        assert status == {expected}, f"{ref.name}: evidence {status}, reference says {expected}"
        assert list(ontology_graph.objects(TRD[ref.name], TRD.minimumDoseSource)), f"{ref.name}: no minimumDoseSource"


def test_augmenting_and_other_drugs_carry_the_reference_codes(ontology_graph: Graph, reference_text: str) -> None:
    paragraph = section(reference_text, "Augmenting agents (not antidepressant trials themselves):", "## 3.")
    augmenting_part, other_part = paragraph.split("Other:", 1)
    pattern = re.compile(r"\b([a-z]+)\s+(\d+)(?:\s+\(([A-Z]\d\d[A-Z]{2}\d\d)\))?")
    seen = 0
    for part, klass in ((augmenting_part, TRD.AugmentingAgent), (other_part, TRD.Drug)):
        for name, rxnorm, atc in pattern.findall(part):
            seen += 1
            drug = TRD[name]
            assert (drug, RDF.type, klass) in ontology_graph, f"{name} is not typed {klass}"
            assert (drug, TRD.rxnormCode, Literal(rxnorm)) in ontology_graph, f"{name}: RxNorm {rxnorm}"
            assert (drug, OBOINOWL.hasDbXref, Literal(f"RXNORM:{rxnorm}")) in ontology_graph
            if atc:
                assert (drug, TRD.atcCode, Literal(atc)) in ontology_graph, f"{name}: ATC {atc}"
            assert not list(ontology_graph.objects(drug, TRD.minimumAdequateDailyDoseMg)), f"{name} is no antidepressant"
    assert seen >= 10, "could not parse the augmenting agents / other drugs of §2.1"


def test_pgp_substrate_status_exactly_per_reference(ontology_graph: Graph, reference_text: str) -> None:
    row = next(line for line in reference_text.splitlines() if line.startswith("| `pgp-efflux`"))
    substrates = re.search(r"P-gp substrate: ([a-z, ]+?) \(", row).group(1)
    non_substrates = re.search(r"non-substrates: ([a-z, ]+)", row).group(1)
    expected = {n.strip(): True for n in substrates.split(",")}
    expected.update({n.strip(): False for n in non_substrates.split(",")})
    actual = {str(s).split("#")[1]: bool(o.toPython()) for s, o in ontology_graph.subject_objects(TRD.isPgpSubstrate)}
    assert actual == expected


def test_cyp_pathways_exactly_per_reference(ontology_graph: Graph, reference_text: str) -> None:
    expected: set[tuple[str, str]] = set()
    for code, gene in (("cyp2c19-ultrarapid", "CYP2C19"), ("cyp2d6-ultrarapid", "CYP2D6")):
        row = next(line for line in reference_text.splitlines() if line.startswith(f"| `{code}`"))
        drugs = re.search(r"trial \(current episode, not remitted\) of ([a-z, ]+?(?: or [a-z]+))", row).group(1)
        for name in re.split(r",\s*|\s+or\s+", drugs):
            expected.add((name.strip(), gene))
    actual = {(str(s).split("#")[1], str(o).split("#")[1]) for s, o in ontology_graph.subject_objects(TRD.metabolizedBy)}
    assert actual == expected
