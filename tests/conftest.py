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
#: Shared reference material lives next to the repository (``<repo>/../shared``).
SHARED: Path = REPO.parent / "shared"

#: Tests that need a JVM (HermiT, OWL API). CI has Java, so they run there; on a machine
#: without Java they are reported as skipped with this reason instead of failing.
requires_java = pytest.mark.skipif(
    shutil.which("java") is None,
    reason="Java runtime not found on PATH: HermiT/OWL API checks skipped (install a JDK to run them)",
)


def java_available() -> bool:
    """True when a ``java`` executable is on PATH."""
    return shutil.which("java") is not None


@pytest.fixture(scope="session")
def ontology_graph() -> Graph:
    """The project ontology (ontology/trd.ttl), parsed once per test session. Do not mutate."""
    from reasoner.ontology_build import load_ontology

    return load_ontology()


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """``<repo>/../shared``; tests that read the reference skip when it is absent."""
    if not SHARED.is_dir():
        pytest.skip(f"shared reference folder {SHARED} not found")
    return SHARED
