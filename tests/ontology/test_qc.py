"""The ontology QC queries find nothing in the real ontology and policies, and each one finds the
defect planted in a deliberately broken copy, on rdflib and on pyoxigraph alike."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal
from rdflib.namespace import DCTERMS, RDFS, SKOS

from reasoner.knowledge import paths
from reasoner.knowledge.namespaces import POLICY, TRD
from reasoner.knowledge.build import qc_queries, read_policies, run_qc
from reasoner.knowledge.loader import read_ontology
from reasoner.cli.ontology import ontology


@pytest.fixture(scope="module")
def real_graph() -> Graph:
    """The ontology plus every policy graph, parsed once for this module."""
    graph = read_ontology()
    read_policies(graph=graph)
    return graph


@pytest.fixture(scope="module")
def real_results(real_graph: Graph) -> dict[str, list[tuple[str, ...]]]:
    return run_qc(real_graph)


def _copy(graph: Graph) -> Graph:
    copy = Graph()
    copy += graph
    return copy


def _oxigraph_rows(graph: Graph, query: str) -> list[tuple[str, ...]]:
    store = ox.Store()
    store.load(graph.serialize(format="nt").encode(), format=ox.RdfFormat.N_TRIPLES)
    rows = []
    for solution in store.query(query):
        rows.append(tuple("" if v is None else v.value for v in solution))
    return sorted(rows)


# query stem -> (how to break the graph, the term the query must report)
BREAKS: dict[str, tuple[Callable[[Graph], None], str]] = {
    "ontology-label-violation": (lambda g: g.remove((TRD.Patient, RDFS.label, None)), str(TRD.Patient)),
    "ontology-definition-violation": (lambda g: g.remove((TRD.drug, SKOS.definition, None)), str(TRD.drug)),
    "ontology-drug-violation": (lambda g: g.remove((TRD.sertraline, TRD.rxnormCode, None)), str(TRD.sertraline)),
    "ontology-notation-violation": (lambda g: g.remove((TRD["adequacy-adequate"], SKOS.notation, None)),
                                    str(TRD["adequacy-adequate"])),
    "ontology-setting-violation": (lambda g: g.remove((POLICY["default-ahi-osa"], DCTERMS.source, None)),
                                   str(POLICY["default-ahi-osa"])),
    "ontology-duplicate-setting-violation": (lambda g: _duplicate_setting(g, "default-ahi-osa"),
                                             str(POLICY["default-ahi-osa"])),
}


def _duplicate_setting(graph: Graph, name: str) -> None:
    """A second, otherwise valid setting of the same policy and parameter (a copy-paste slip)."""
    copy = POLICY[name + "-copy"]
    for p, o in list(graph.predicate_objects(POLICY[name])):
        graph.add((copy, p, o))


def test_every_qc_query_has_a_broken_case() -> None:
    assert set(qc_queries()) == set(BREAKS)


def test_every_qc_query_starts_with_intent_inputs_source() -> None:
    for name, text in qc_queries().items():
        header = text.split("PREFIX", 1)[0]
        for word in ("Intent:", "Inputs:", "Source:"):
            assert word in header, f"{name}: header lacks {word}"


@pytest.mark.parametrize("name", sorted(BREAKS))
def test_real_ontology_has_no_violation_on_both_engines(name: str, real_graph: Graph, real_results) -> None:
    assert real_results[name] == []
    assert _oxigraph_rows(real_graph, qc_queries()[name]) == []


@pytest.mark.parametrize("name", sorted(BREAKS))
def test_broken_copy_is_reported_on_both_engines(name: str, real_graph: Graph) -> None:
    breaker, culprit = BREAKS[name]
    graph = _copy(real_graph)
    breaker(graph)
    results = run_qc(graph)
    assert [row[0] for row in results[name]] == [culprit]
    assert [row[0] for row in _oxigraph_rows(graph, qc_queries()[name])] == [culprit]
    # The other queries stay quiet: each query checks its own rule.
    others = {k: v for k, v in results.items() if k != name}
    assert all(rows == [] for rows in others.values()), others


def test_drug_query_reports_each_missing_fact(real_graph: Graph) -> None:
    graph = _copy(real_graph)
    graph.remove((TRD.fluoxetine, TRD.minimumAdequateDailyDoseMg, None))
    graph.remove((TRD.fluoxetine, TRD.minimumDoseSource, None))
    graph.remove((TRD.agomelatine, TRD.hasNoRxnormCode, None))  # agomelatine has no RxNorm code
    rows = run_qc(graph)["ontology-drug-violation"]
    assert rows == [
        (str(TRD.agomelatine), "RxNorm code"),
        (str(TRD.fluoxetine), "minimum adequate daily dose"),
        (str(TRD.fluoxetine), "minimum dose source"),
    ]


def test_notation_query_reports_an_iri_that_does_not_match_its_code(real_graph: Graph) -> None:
    graph = _copy(real_graph)
    graph.remove((TRD["outcome-remission"], SKOS.notation, None))
    graph.add((TRD["outcome-remission"], SKOS.notation, Literal("remitted")))
    rows = run_qc(graph)["ontology-notation-violation"]
    assert [row[0] for row in rows] == [str(TRD["outcome-remission"])]


def test_cli_check_passes_on_repo_and_fails_on_broken_copy(tmp_path: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(ontology, ["check"])
    assert ok.exit_code == 0, ok.output
    assert ok.output.count("ok  ") == len(BREAKS)

    broken = tmp_path / "trd.ttl"
    text = paths.ONTOLOGY_TTL.read_text(encoding="utf-8")
    marker = '    trd:rxnormCode "36437" ;\n'
    assert marker in text
    broken.write_text(text.replace(marker, ""), encoding="utf-8")
    policies = tmp_path / "policies"
    shutil.copytree(paths.POLICY_DIR, policies)
    bad = runner.invoke(ontology, ["check", "--source", str(broken), "--policies", str(policies)])
    assert bad.exit_code != 0
    assert "sertraline | RxNorm code" in bad.output
