"""The streaming API used by the cohort runner: graph and N-Triples paths give the same triples."""

from __future__ import annotations

from rdflib import Graph

from reasoner.fhir import resources_to_graph, resources_to_ntriples

from .builders import (AS_OF, ICD10, LOINC, SERTRALINE, TRDCS, concept, condition, dispense, dosage, observation,
                       patient, quantity, statement)


def test_ntriples_fast_path_equals_graph_path():
    resources = [
        patient(),
        condition("c1", concept(ICD10, "F33.1")),
        statement("s1", SERTRALINE, "2025-01-01", "2025-02-01", dose=dosage(50)),
        statement("s2", SERTRALINE, "2025-02-01", "2025-04-01", dose=dosage(100), reason="59037007"),
        dispense("d1", SERTRALINE, "2025-01-01", 90),
        observation("o1", concept(LOINC, "1988-5"), "2025-01-05", **quantity(0.45, "mg/dL")),
        observation("o2", concept(TRDCS, "hamd17-total"), "2025-01-05", valueInteger=22),
    ]
    graph, report_g = resources_to_graph(resources, as_of=AS_OF)
    data, report_n, _ = resources_to_ntriples(resources, as_of=AS_OF)
    parsed = Graph().parse(data=data, format="nt")
    assert len(graph) > 40 and set(parsed) == set(graph)
    assert report_g.model_dump() == report_n.model_dump()
