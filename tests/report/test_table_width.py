"""Issue 15: the table a newcomer meets fits the terminal, and piped output honours COLUMNS.

At 100 columns the thirteen-column trials table used to cut every cell to four letters
("pati…", "sert…"); piped output ignored COLUMNS (always 240). Now no line is wider than the
width asked for, and every value of a trial is printed whole (folded or stacked, never cut).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "trd-confirmed.fhir.json"


def _table(columns: str | None) -> str:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)}
    if columns is not None:
        env["COLUMNS"] = columns
    run = subprocess.run([sys.executable, "-m", "reasoner.cli.main", "assess", str(EXAMPLE), "--as-of", "2026-01-15"],
                         capture_output=True, text=True, cwd=REPO, timeout=600, env=env)
    assert run.returncode == 0, run.stderr
    return run.stdout


@pytest.fixture(scope="module")
def narrow() -> str:
    return _table("100")


def test_piped_output_honours_columns(narrow):
    assert max(len(line) for line in narrow.splitlines()) <= 100
    wide = _table("200")
    assert max(len(line) for line in wide.splitlines()) > 100  # the wide layout when there is room


def test_no_trial_value_is_cut_at_100_columns(narrow):
    # the example's trials, as docs/fhir-profile.md reads them: whole words, no ellipsis
    assert "…" not in narrow
    for word in ("pat-001", "ms-1", "ms-2", "sertraline", "venlafaxine", "SSRI", "SNRI", "2025-01-06", "2025-06-02",
                 "adequate", "non-response"):
        assert word in narrow, word


def test_without_columns_a_pipe_gets_the_wide_table():
    out = _table(None)
    assert "…" not in out and max(len(line) for line in out.splitlines()) <= 240
