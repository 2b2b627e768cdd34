"""Fixtures of the columnar engine's tests: the data both engines are compared on."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from rdflib import Graph

from benchmarks.support.synthetic import generate_cohort

sys.path.insert(0, str(Path(__file__).parent))  # differential.py

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def examples_graph() -> Graph:
    g = Graph()
    for path in sorted((REPO / "examples").glob("*.ttl")):
        g.parse(path)
    return g


@pytest.fixture(scope="session")
def generated_graph(tmp_path_factory: pytest.TempPathFactory) -> Graph:
    """300 generated patients (every kind of trial, cause and malformed record the generator makes)."""
    out = tmp_path_factory.mktemp("columnar-cohort")
    generate_cohort(out, 300, seed=11, fhir=False)
    g = Graph()
    for path in sorted((out / "turtle").glob("*.ttl")):
        g.parse(path)
    return g
