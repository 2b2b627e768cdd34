"""Shared helpers of the output tests (FHIR, clinician's report, SPARQL endpoint): run the CLI."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest

from reasoner.cli.main import main

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
AS_OF = "2026-01-15"


def run_cli(*args: str) -> tuple[int, str, str]:
    """``trd ARGS`` in this process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(list(args))
        except SystemExit as exc:
            code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="session")
def cohort_results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cohort run over the Turtle examples with --format fhir --report (written once)."""
    out = tmp_path_factory.mktemp("cohort") / "results"
    code, _, err = run_cli("assess", str(EXAMPLES), "--out", str(out), "--as-of", AS_OF, "--format", "fhir", "--report")
    assert code == 1, err  # malformed.ttl violates shapes: exit 1, outputs still written
    return out
