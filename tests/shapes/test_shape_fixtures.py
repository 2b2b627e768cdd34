"""Every shape against its fixtures, with both validators (issue 3, "Must show").

A pass fixture must give an empty report; a fail fixture must give exactly the report stored next
to it (``*.expected.ttl``), compared as a graph. Running both engines against the same expected
graph is also the fixture half of the differential test (the other half, on a generated cohort,
is in test_fast_equivalence.py).
"""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import DCTERMS, RDF, RDFS

from reasoner.knowledge.namespaces import SH
from reasoner.knowledge.loader import read_shapes as load_shapes
from shape_cases import cases, decimal_forms_normalised, expected_path, fixture_id, fixtures, read_expected, validate_fixture

ENGINES = ("reference", "fast")
PASS = fixtures("pass")
FAIL = fixtures("fail")


def _explain(actual: Graph, expected: Graph) -> str:
    _both, only_actual, only_expected = graph_diff(to_isomorphic(actual), to_isomorphic(expected))
    lines = ["report differs from the expected graph"]
    lines += [f"  + {t}" for t in sorted(only_actual)][:20]
    lines += [f"  - {t}" for t in sorted(only_expected)][:20]
    return "\n".join(lines)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("fixture", PASS, ids=fixture_id)
def test_pass_fixture_has_an_empty_report(fixture, engine):
    outcome = validate_fixture(fixture, engine)
    assert outcome.conforms
    assert outcome.records == [], [f"{r.severity} {r.source_shape} {r.focus_node} {r.value}" for r in outcome.records]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("fixture", FAIL, ids=fixture_id)
def test_fail_fixture_gives_the_expected_report(fixture, engine):
    assert expected_path(fixture).exists(), f"run tests/shapes/regen.py and check {expected_path(fixture).name}"
    outcome = validate_fixture(fixture, engine)
    expected = decimal_forms_normalised(read_expected(fixture))
    actual = decimal_forms_normalised(outcome.report)
    assert outcome.records, "a fail fixture must produce at least one result"
    assert isomorphic(actual, expected), _explain(actual, expected)
    # conforms is part of the graph, but say it plainly: Violations fail, Warnings/Infos do not.
    assert outcome.conforms == (not any(r.severity == "Violation" for r in outcome.records))


def _shape_nodes(shapes: Graph) -> set:
    targets = (SH.targetClass, SH.targetSubjectsOf, SH.targetNode)
    return {s for p in targets for s in shapes.subjects(p, None)}


def test_every_case_has_pass_and_fail_fixtures():
    for case in cases():
        assert list((case / "pass").glob("*.ttl")), f"{case.name} has no pass fixture"
        assert [f for f in (case / "fail").glob("*.ttl") if not f.name.endswith(".expected.ttl")], \
            f"{case.name} has no fail fixture"


def test_every_shape_fails_in_some_fixture():
    """Each shape is the source of at least one result in an expected report."""
    shapes = _shape_nodes(load_shapes())
    reported = set()
    for fixture in FAIL:
        reported.update(read_expected(fixture).objects(None, SH.sourceShape))
    missing = sorted(str(s) for s in shapes - reported)
    assert not missing, f"shapes never exercised by a fail fixture: {missing}"


def test_every_shape_has_message_severity_comment_and_source():
    g = load_shapes()
    for shape in _shape_nodes(g):
        for prop in (SH.message, SH.severity, RDFS.comment, DCTERMS.source):
            assert g.value(shape, prop) is not None, f"{shape} lacks {prop}"
        assert isinstance(shape, URIRef), "shapes are named, so reports can cite them"


def test_adequacy_shapes_copy_no_threshold():
    """The adequacy shapes report the rules' results; no number may appear in their queries."""
    g = load_shapes()
    checked = 0
    for shape in g.subjects(RDF.type, SH.NodeShape):
        if "Adequacy" not in str(shape):
            continue
        for constraint in g.objects(shape, SH.sparql):
            text = str(g.value(constraint, SH.select))
            assert not any(ch.isdigit() for ch in text), f"{shape}: a number in the query"
            checked += 1
    assert checked == 3
