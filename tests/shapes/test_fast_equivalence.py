"""The fast compiled validator equals pySHACL, and one report lists every patient's problems.

The fixture half of the differential test is in test_shape_fixtures.py (both engines against the
same expected graphs); here the two engines are compared directly and strictly (isomorphic reports,
literal forms included) on a generated 100-patient graph, and the compiler's refusals are checked.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from benchmarks.support.scenarios.defects import DEFECTS, cohort_turtle
from reasoner.knowledge.namespaces import EX, GRAPH_ASSERTED, SH, TRD
from reasoner.validate.fast import FastValidator, UnsupportedShapeError
from reasoner.knowledge.loader import ontology_graph, shapes_graph
from reasoner.knowledge.policy import policy_graph
from reasoner.pipeline import Pipeline
from reasoner.validate.reference import data_graph, reference_validate
from reasoner.validate.report import sort_records


def derive(patient: Graph) -> Graph:
    """The rules' derived facts for a patient graph (the pipeline without validation, checked mode)."""
    return Pipeline(validator=None, checked=True).assess(patient).derived

N = 100


@pytest.fixture(scope="module")
def cohort():
    """(patient graph, derived graph, reference outcome, fast outcome) for the 100-patient file."""
    patient = Graph().parse(data=cohort_turtle(N), format="turtle")
    ontology, policy = ontology_graph(), policy_graph("default")
    derived = derive(patient)
    reference = reference_validate(data_graph(patient, derived, ontology, policy), shapes_graph())
    fast = FastValidator(shapes_graph(), ontology, policy).validate(patient + derived)
    return patient, derived, reference, fast


def _masked(records) -> list[str]:
    """The records, sorted, with blank-node labels masked."""
    return sorted(repr(r.__class__(**{**r.__dict__, **{k: "_:b" for k in ("focus_node", "value")
                                                      if (getattr(r, k) or "").startswith("_:")}}))
                  for r in records)


def test_reports_are_isomorphic(cohort):
    _patient, _derived, reference, (conforms, report, results) = cohort
    assert conforms == reference.conforms is False
    assert isomorphic(report, reference.report)
    # Same records once blank-node labels (which differ by construction) are masked.
    assert _masked(results) == _masked(reference.records)
    assert len(results) > N  # every patient has at least one problem


def _patient_of(focus: str) -> str:
    # ex:pat-0007-t1 -> pat-0007 (blank nodes are mapped through their trd:patient below).
    return focus.rsplit("/", 1)[-1][:8]


def test_one_report_lists_every_patients_problems(cohort):
    patient, _derived, reference, _fast = cohort
    by_patient: dict[str, set[str]] = {}
    for r in reference.records:
        if r.focus_node.startswith("_:"):  # the blank assessment: find its patient in the report copy
            node = next(s for s in reference.report.subjects(SH.focusNode, None)
                        if str(reference.report.value(s, SH.focusNode)) == r.focus_node[2:])
            owner = reference.report.value(reference.report.value(node, SH.focusNode), TRD.patient)
            key = _patient_of(str(owner))
        elif "orphan" in r.focus_node or r.focus_node.endswith("-l8"):
            key = _patient_of(r.focus_node)
        else:
            key = _patient_of(r.focus_node)
        by_patient.setdefault(key, set()).add(r.source_shape.rsplit("#", 1)[-1])
    assert sorted(by_patient) == [f"pat-{i:04d}" for i in range(N)]
    # Patients with the same defect get the same kind of result, wherever they are in the file.
    for i in range(len(DEFECTS), N):
        assert by_patient[f"pat-{i:04d}"] == by_patient[f"pat-{i % len(DEFECTS):04d}"], DEFECTS[i % len(DEFECTS)][0]


def test_store_input_equals_graph_input(cohort):
    """E's cohort runner hands over a workspace-style store with named graphs."""
    patient, derived, _reference, (conforms, report, results) = cohort
    store = ox.Store()
    store.bulk_load((patient + derived).serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES,
                    to_graph=ox.NamedNode(str(GRAPH_ASSERTED)))
    validator = FastValidator(shapes_graph(), ontology_graph(), policy_graph("default"))
    c2, _report2, results2 = validator.validate(store)
    assert c2 == conforms
    # Literal forms come back canonical from a store; compare what each result says.
    key = lambda r: (r.focus_node if not r.focus_node.startswith("_:") else "_", r.source_shape, r.constraint_component)
    assert sorted(map(key, results2)) == sorted(map(key, results))


def test_records_without_the_report_graph_are_the_same(cohort):
    """``report=False`` (the pipeline's way) gives the records the report graph gives, in order."""
    patient, derived, _reference, (conforms, _report, results) = cohort
    validator = FastValidator(shapes_graph(), ontology_graph(), policy_graph("default"))
    c2, report2, results2 = validator.validate(patient + derived, report=False)
    assert report2 is None and c2 == conforms
    # Each call loads the graph into a new store, so blank-node labels differ between calls.
    assert _masked(results2) == _masked(results) and results2 == sort_records(results2)
    # On one workspace-style store the labels are the same: equal records, in the same order.
    store = ox.Store()
    store.bulk_load((patient + derived).serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES,
                    to_graph=ox.NamedNode(str(GRAPH_ASSERTED)))
    assert validator.validate(store, report=False)[2] == validator.validate(store)[2]


UNSUPPORTED = {
    "hasValue": "sh:path trd:isActive ; sh:hasValue true",
    "qualifiedValueShape": "sh:path trd:drug ; sh:qualifiedValueShape [ sh:class trd:SSRI ] ; sh:qualifiedMinCount 1",
    "sequence path": "sh:path ( trd:drug trd:rxnormCode ) ; sh:minCount 1",
    "uniqueLang": "sh:path trd:identifier ; sh:uniqueLang true",
}


@pytest.mark.parametrize("name", sorted(UNSUPPORTED))
def test_unsupported_features_are_refused(name):
    shapes = Graph().parse(data=f"""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix trd: <{TRD}> . @prefix ex: <{EX}> .
        ex:S a sh:PropertyShape ; sh:targetClass trd:AntidepressantTrial ; sh:message "m" ;
            {UNSUPPORTED[name]} .""", format="turtle")
    with pytest.raises(UnsupportedShapeError):
        FastValidator(shapes)


def test_shape_without_message_is_refused():
    shapes = Graph().parse(data=f"""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix trd: <{TRD}> . @prefix ex: <{EX}> .
        ex:S a sh:PropertyShape ; sh:targetClass trd:Assessment ; sh:path trd:score ; sh:minCount 1 .""",
        format="turtle")
    with pytest.raises(UnsupportedShapeError, match="sh:message"):
        FastValidator(shapes)
