"""Mechanisms (clinical-reference §6): flagged by a biomarker, implied along the ontology's chains
with the path as evidence, and the mechanism-matched investigational options."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import URIRef

from reasoner.rules.mechanisms import MechanismGraph, NoPathError
from reasoner.knowledge.namespaces import TRD

from ..pseudo.cases import EX, assess, assess_ws, override_policy

ALL_MECHANISMS = {"inflammation", "hpa-axis-hyperactivity", "neuroplasticity-deficit", "glutamate-excess",
                  "serotonin-depletion", "bbb-efflux"}


@pytest.fixture(scope="module")
def found():
    return assess()


@pytest.fixture
def graph() -> MechanismGraph:
    return MechanismGraph.from_ontology()


@pytest.mark.parametrize(("pid", "expected"), [
    ("crp-3.1", {"inflammation", "serotonin-depletion", "glutamate-excess"}),
    ("crp-3.0", set()),
    ("crp-mg-dl", {"inflammation", "serotonin-depletion", "glutamate-excess"}),   # 0.4 mg/dL = 4 mg/L
    ("il6-high", set()),                                  # IL-6 supports, never triggers
    ("dst-5.0", {"hpa-axis-hyperactivity", "neuroplasticity-deficit"}),
    ("dst-4.9", set()),
    ("dst-nmol-138", {"hpa-axis-hyperactivity", "neuroplasticity-deficit"}),       # 5.002 µg/dL
    ("dst-nmol-137", set()),                                                      # 4.966 µg/dL
    ("two-classes", {"neuroplasticity-deficit"}),         # implied by confirmed TRD
    ("one-class", set()),
    ("abcb1-tt", {"bbb-efflux"}),
    ("abcb1-ct", set()),
])
def test_mechanisms_flagged_and_implied(found, pid: str, expected: set[str]) -> None:
    assert set(found[pid].mechanisms) == expected


def test_every_mechanism_code_is_produced(found) -> None:
    assert set().union(*(set(f.mechanisms) for f in found.values())) == ALL_MECHANISMS


def _between(graph: MechanismGraph, a: str, b: str) -> set[str]:
    """Nodes strictly inside every chain from a to b, computed by networkx (not by the rules)."""
    import networkx as nx
    paths = nx.all_simple_paths(graph.digraph, TRD[a], TRD[b])
    return {str(n).split("#", 1)[1] for path in paths for n in path[1:-1]}


def test_implied_mechanisms_carry_their_path(found, graph: MechanismGraph) -> None:
    m = found["crp-3.1"].mechanisms
    assert m["serotonin-depletion"]["via"] == {"process-ido-activation", "process-tryptophan-steal"}
    assert m["glutamate-excess"]["via"] >= {"process-kynurenine-pathway", "process-quinolinic-acid",
                                            "process-nmda-agonism"}
    # the SPARQL property-path rule and the networkx graph agree on every path
    for implied in ("serotonin-depletion", "glutamate-excess"):
        assert m[implied]["via"] == _between(graph, "mechanism-inflammation", f"mechanism-{implied}")
    assert m["inflammation"]["via"] == set()
    # the direct finding is flagged by the lab; an implied one by the direct finding
    assert m["inflammation"]["flaggedBy"] == {EX + "crp-3.1-crp"}
    assert m["serotonin-depletion"]["flaggedBy"] == {EX + "crp-3.1/mechanism/inflammation"}
    hpa = found["dst-5.0"].mechanisms
    assert hpa["neuroplasticity-deficit"]["via"] == {"process-cortisol-excess", "process-bdnf-reduction"}
    assert found["two-classes"].mechanisms["neuroplasticity-deficit"]["flaggedBy"] == {EX + "two-classes/trd"}


def test_il6_is_supporting_evidence_never_a_trigger(found) -> None:
    assert found["il6-high"].mechanisms == {}
    ws = assess_ws()
    rows = ws.select("""PREFIX trd: <https://w3id.org/trd-reasoner/ontology#>
        SELECT ?f ?s WHERE { ?f trd:supportedBy ?s }""")
    assert {(str(r["f"]), str(r["s"])) for r in rows} == {
        (EX + "crp-3.1-il6/mechanism/inflammation", EX + "crp-3.1-il6-il6")}


@pytest.mark.parametrize(("pid", "option", "status"), [
    ("crp-3.1", "anti-inflammatory-augmentation", "investigational"),
    ("crp-3.0", "anti-inflammatory-augmentation", None),
    ("crp-5.1", "infliximab", "investigational"),
    ("crp-5.0", "infliximab", None),
    ("crp-3.1", "infliximab", None),
    ("dst-5.0", "hpa-targeted-agent", "investigational"),
    ("dst-4.9", "hpa-targeted-agent", None),
    ("abcb1-tt", "switch-to-non-pgp-substrate", "consider"),
])
def test_mechanism_matched_options(found, pid: str, option: str, status: str | None) -> None:
    assert found[pid].status(option) == status


def test_neuroplasticity_joins_the_esketamine_evidence_without_changing_its_status(found) -> None:
    eske = found["two-classes"].option("esketamine")
    assert eske["status"] == "recommended"
    assert EX + "two-classes/mechanism/neuroplasticity-deficit" in eske["evidence"]
    # HPA-implied neuroplasticity does not make esketamine eligible without confirmed TRD
    assert found["dst-5.0"].status("esketamine") == "not-yet-eligible"
    assert EX + "dst-5.0/mechanism/neuroplasticity-deficit" in found["dst-5.0"].option("esketamine")["evidence"]


OVERRIDES = [
    ("crp-inflammation", "3.2", "crp-3.1", "inflammation"),
    ("dst-cortisol-ug-dl", "5.1", "dst-5.0", "hpa-axis-hyperactivity"),
]


@pytest.mark.parametrize(("parameter", "value", "pid", "mechanism"), OVERRIDES, ids=[o[0] for o in OVERRIDES])
def test_changing_the_policy_threshold_changes_the_result(tmp_path: Path, parameter: str, value: str,
                                                          pid: str, mechanism: str) -> None:
    assert mechanism in assess((pid,))[pid].mechanisms
    policy = override_policy(tmp_path, parameter, value)
    assert assess((pid,), policy=str(policy))[pid].mechanisms == {}


def test_infliximab_threshold_from_policy(tmp_path: Path) -> None:
    assert assess(("crp-5.1",))["crp-5.1"].status("infliximab") == "investigational"
    policy = override_policy(tmp_path, "crp-infliximab", "5.2")
    found = assess(("crp-5.1",), policy=str(policy))["crp-5.1"]
    assert found.status("infliximab") is None and "inflammation" in found.mechanisms


# --- the mechanism graph in networkx (explanations) ------------------------------------------


def test_path_from_mechanism_to_implied_mechanism(graph: MechanismGraph) -> None:
    path = graph.path(TRD["mechanism-inflammation"], TRD["mechanism-serotonin-depletion"])
    assert path == [TRD["mechanism-inflammation"], TRD["process-ido-activation"],
                    TRD["process-tryptophan-steal"], TRD["mechanism-serotonin-depletion"]]


def test_path_from_biomarker_to_matched_option(graph: MechanismGraph) -> None:
    # a flagged lab (from the derived findings) -> HPA -> … -> neuroplasticity deficit -> esketamine
    ws = assess_ws(("dst-5.0",))
    assert graph.add_findings(ws.derived_graph()) == 1          # only the direct flag becomes an edge
    lab = URIRef(EX + "dst-5.0-dst")
    path = graph.path(lab, TRD["option-esketamine"])
    assert path == [lab, TRD["mechanism-hpa-axis-hyperactivity"], TRD["process-cortisol-excess"],
                    TRD["process-bdnf-reduction"], TRD["mechanism-neuroplasticity-deficit"],
                    TRD["option-esketamine"]]
    text = graph.describe(path)
    assert "—flags→" in text and "—matchedBy→" in text


def test_option_chain_of_action(graph: MechanismGraph) -> None:
    path = graph.path(TRD["option-esketamine"], TRD["process-synaptogenesis"])
    assert path[1] == TRD["process-nmda-block"] and len(path) == 7


def test_no_path_is_a_clear_error(graph: MechanismGraph) -> None:
    with pytest.raises(NoPathError, match="no chain"):
        graph.path(TRD["mechanism-serotonin-depletion"], TRD["mechanism-inflammation"])
    with pytest.raises(NoPathError, match="not in the mechanism graph"):
        graph.path(TRD["sertraline"], TRD["mechanism-inflammation"])
