"""The committed build artefacts are in sync with trd.ttl, marked as generated, and mean what
their names say (RDF/XML copy of the ontology; ontology + default policy)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph
import hashlib

from rdflib import BNode

from reasoner.knowledge import paths
from reasoner.knowledge.build import CODESYSTEM_FILE, GENERATED_NOTE, MERGED_FILE, OWL_FILE, build
from reasoner.knowledge.loader import read_ontology
from reasoner.cli.ontology import ontology
from reasoner.io.rdf import read_graph


@pytest.fixture(scope="module")
def fresh_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("build")
    written = build(out_dir=out)
    assert sorted(p.name for p in written) == sorted([OWL_FILE, MERGED_FILE, CODESYSTEM_FILE])
    return out


def _digest(graph: Graph) -> frozenset[tuple[str, str, str]]:
    """The triples with every blank node replaced by a hash of what it contains (recursively).

    The ontology's blank nodes (restrictions, RDF lists, axiom annotations) form trees, for
    which this is an exact, fast isomorphism test; rdflib.compare's general canonicalisation
    takes seconds per graph on this ontology.
    """
    memo: dict[BNode, str] = {}

    def name(node, depth: int = 0) -> str:
        if not isinstance(node, BNode):
            return node.n3()
        if node not in memo:
            assert depth < 100, "blank nodes form a cycle"
            parts = sorted(f"{p.n3()} {name(o, depth + 1)}" for p, o in graph.predicate_objects(node))
            memo[node] = "_:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()
        return memo[node]

    return frozenset((name(s), name(p), name(o)) for s, p, o in graph)


@pytest.fixture(scope="module")
def fresh_digests(fresh_build: Path) -> dict[str, frozenset]:
    """Canonicalising is the slow part, so each fresh artefact is canonicalised once."""
    return {name: _digest(read_graph(fresh_build / name)) for name in (OWL_FILE, MERGED_FILE)}


@pytest.mark.parametrize("name", [OWL_FILE, MERGED_FILE])
def test_committed_artefact_is_in_sync_with_a_fresh_build(name: str, fresh_digests: dict[str, frozenset]) -> None:
    committed = paths.BUILD_DIR / name
    assert committed.is_file(), f"{committed} missing: run `trd ontology build` and commit it"
    assert _digest(read_graph(committed)) == fresh_digests[name], (
        f"{committed} is stale: run `trd ontology build` and commit the result"
    )


@pytest.mark.parametrize("name", [OWL_FILE, MERGED_FILE])
def test_artefact_starts_with_generated_note(name: str, fresh_build: Path) -> None:
    head = (fresh_build / name).read_text(encoding="utf-8").splitlines()[:2]
    assert any(GENERATED_NOTE in line for line in head), head


def test_owl_file_is_the_ontology_and_merged_adds_the_default_policy(fresh_digests: dict[str, frozenset]) -> None:
    source = read_ontology()
    assert fresh_digests[OWL_FILE] == _digest(source)
    expected = Graph()
    expected += source
    read_graph(paths.POLICY_DIR / "default.ttl", expected)
    assert fresh_digests[MERGED_FILE] == _digest(expected)


def test_build_command_writes_both_files(tmp_path: Path) -> None:
    result = CliRunner().invoke(ontology, ["build", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / OWL_FILE).stat().st_size > 0 and (tmp_path / MERGED_FILE).stat().st_size > 0


def test_sync_check_detects_a_changed_blank_node(fresh_build: Path) -> None:
    """The digest must notice an edit inside a blank node (an axiom annotation), not only IRIs."""
    from rdflib import Literal
    from rdflib.namespace import OWL

    from reasoner.knowledge.namespaces import TRD

    graph = read_graph(fresh_build / OWL_FILE)
    before = _digest(graph)
    axiom = next(graph.subjects(OWL.annotatedSource, TRD.sertraline))
    graph.set((axiom, TRD.evidenceStatus, Literal("verified")))
    assert _digest(graph) != before


def test_rebuild_is_byte_identical(tmp_path: Path) -> None:
    """Blank-node names and RDF/XML order are stable across processes (different hash seeds), so
    rebuilding an unchanged ontology leaves the committed artefacts untouched (no git diff noise)."""
    import os
    import subprocess
    import sys

    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / seed
        code = f"from pathlib import Path; from reasoner.knowledge.build import build; build(out_dir=Path({str(out)!r}))"
        subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ, "PYTHONHASHSEED": seed})
        outputs.append(out)
    for name in (OWL_FILE, MERGED_FILE, CODESYSTEM_FILE):
        assert (outputs[0] / name).read_bytes() == (outputs[1] / name).read_bytes(), name


def test_committed_code_system_is_in_sync_with_a_fresh_build(fresh_build: Path) -> None:
    """The published trd CodeSystem (FHIR) is the one the ontology generates today."""
    committed = paths.BUILD_DIR / CODESYSTEM_FILE
    assert committed.read_text(encoding="utf-8") == (fresh_build / CODESYSTEM_FILE).read_text(encoding="utf-8"), (
        f"{committed} is stale: run `trd ontology build` and commit the result")
