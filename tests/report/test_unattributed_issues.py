"""Regression: a validation issue whose record belongs to no patient is reported, not dropped.

Bug: ``trd assess`` placed each SHACL result under the patient its focus node belongs to and
silently dropped the rest; an assessment without ``trd:patient`` was a violation (exit 1) that
the JSON document, the table and the cohort's JSON Lines did not show anywhere.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from reasoner.cohort import run_cohort

REPO = Path(__file__).resolve().parents[2]
ORPHAN = b"""
@prefix trd: <https://w3id.org/trd-reasoner/ontology#> .
@prefix ex: <https://example.org/trd/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:orphan-s1 a trd:Assessment ; trd:instrument trd:HAMD17 ; trd:score 22 ; trd:date "2024-01-01"^^xsd:date .
"""
FOCUS = "https://example.org/trd/orphan-s1"


def _input(tmp_path: Path) -> Path:
    path = tmp_path / "with-orphan.ttl"
    path.write_bytes((REPO / "examples" / "trd-confirmed.ttl").read_bytes() + ORPHAN)
    return path


def _trd(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "reasoner.cli.main", *args], capture_output=True, text=True,
                          cwd=REPO, timeout=300)


def test_json_document_lists_the_issue_at_top_level(tmp_path: Path) -> None:
    run = _trd("assess", str(_input(tmp_path)), "--as-of", "2026-01-15", "--format", "json")
    assert run.returncode == 1, run.stderr  # a violation, as before
    doc = json.loads(run.stdout)
    assert [i["focusNode"] for i in doc["dataIssues"]] == [FOCUS]
    assert doc["dataIssues"][0]["severity"] == "violation"
    assert all(i["focusNode"] != FOCUS for p in doc["patients"] for i in p["dataIssues"])


def test_document_without_such_issues_has_no_top_level_list() -> None:
    run = _trd("assess", str(REPO / "examples" / "trd-confirmed.ttl"), "--as-of", "2026-01-15", "--format", "json")
    assert run.returncode == 0, run.stderr
    assert "dataIssues" not in json.loads(run.stdout)


def test_table_prints_the_issue(tmp_path: Path) -> None:
    run = _trd("assess", str(_input(tmp_path)), "--as-of", "2026-01-15")
    assert "1 data issue(s) belong to no patient" in run.stdout
    assert FOCUS in run.stdout


def test_cohort_lines_keep_the_issue(tmp_path: Path) -> None:
    folder = tmp_path / "cohort"
    folder.mkdir()
    _input(tmp_path).rename(folder / "patients.ttl")
    summary = run_cohort(folder, tmp_path / "out", as_of="2026-01-15", progress=False, workers=1, store=False)
    lines = [json.loads(line) for line in (tmp_path / "out" / "patients.jsonl").read_text().splitlines()]
    assert [p["id"] for p in lines] == ["(unattributed)", "pat-001"]
    # the issue is listed on a line of its own, not filed under a patient it does not belong to
    assert [i["focusNode"] for i in lines[0]["dataIssues"]] == [FOCUS]
    assert FOCUS not in [i["focusNode"] for i in lines[1]["dataIssues"]]
    assert not summary.conforms and summary.patients == 1

