"""Shared, generic test helpers: repository paths, a Java skip marker, the loaded ontology.

Only helpers every test folder may use live here; area-specific fixtures belong in the
area's own conftest.py.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import Graph

REPO: Path = Path(__file__).resolve().parent.parent
#: The project's own contracts (clinical reference, FHIR profile, output contract): what tests read.
DOCS: Path = REPO / "docs"

JAVA_SKIP_REASON = "Java runtime not found on PATH: HermiT/OWL API checks skipped (install a JDK to run them)"


def java_available() -> bool:
    """True when a ``java`` executable is on PATH."""
    return shutil.which("java") is not None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``@pytest.mark.java`` (HermiT, OWL API) are skipped, with the reason, when
    there is no JVM. CI has Java, so they run there; a user without Java sees what was skipped."""
    if java_available():
        return
    skip = pytest.mark.skip(reason=JAVA_SKIP_REASON)
    for item in items:
        if item.get_closest_marker("java") is not None:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def ontology_graph() -> Graph:
    """The project ontology (ontology/trd.ttl), parsed once per test session. Do not mutate."""
    from reasoner.knowledge.loader import ontology_graph as load_ontology

    return load_ontology()


@pytest.fixture(scope="session")
def repo_dir() -> Path:
    """The repository root."""
    return REPO


@pytest.fixture(scope="session")
def docs_dir() -> Path:
    """``<repo>/docs``: the project's clinical reference, FHIR profile and output contract.

    Part of the repository, so tests that read them run in any clone. (The upstream copies in
    ``<repo>/../shared`` are read only by ``tests/docs/test_contract_sync.py``.)
    """
    return DOCS
