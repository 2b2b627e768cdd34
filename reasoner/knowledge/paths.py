"""Where the project's data artefacts live.

The ontology, shapes and queries are versioned files in the repository, next to the
``reasoner`` package; ``TRD_HOME`` (reasoner.config) can point elsewhere, e.g. to a release bundle.
"""

from __future__ import annotations

from pathlib import Path

from reasoner import config

HOME: Path = config.HOME
ONTOLOGY_DIR: Path = HOME / "ontology"
ONTOLOGY_TTL: Path = ONTOLOGY_DIR / "trd.ttl"
#: Every file of "the ontology" (one source of truth: trd.ttl). Rules, shapes, the FHIR importer
#: and the workspace all load exactly these files, so none of them sees other terms.
ONTOLOGY_FILES: tuple[Path, ...] = (ONTOLOGY_TTL,)
POLICY_DIR: Path = ONTOLOGY_DIR / "policies"
SHAPES_DIR: Path = HOME / "shapes"
QUERIES_DIR: Path = HOME / "queries"
INFER_DIR: Path = QUERIES_DIR / "infer"
QC_DIR: Path = QUERIES_DIR / "qc"
REPORT_DIR: Path = QUERIES_DIR / "report"
EXAMPLES_DIR: Path = HOME / "examples"
BUILD_DIR: Path = ONTOLOGY_DIR / "build"
