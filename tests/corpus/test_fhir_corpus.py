"""Issue 16 regression corpus (FHIR input): every hostile or broken value of the issue, as a data
file in tests/corpus/fhir/ with its outcome written by hand beside it (``<case>.expected.json``).

Each case runs through ``trd assess --format json`` as a user runs it (exit code, stdout, stderr)
and, for the Bulk folders, through cohort mode too. Invariants for every case: no traceback, the
exit code of the contract, valid JSON with no non-finite number, and every data issue named with
its record (``resource`` or ``source``), what is wrong and what it did.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from reasoner.cli.main import main

CORPUS = Path(__file__).resolve().parent / "fhir"
AS_OF = "2026-01-15"
CASES = sorted(p.name.removesuffix(".expected.json") for p in CORPUS.glob("*.expected.json"))


def _input(case: str) -> Path:
    folder = CORPUS / case
    return folder if folder.is_dir() else CORPUS / f"{case}.json"


def _expected(case: str) -> dict[str, Any]:
    return json.loads((CORPUS / f"{case}.expected.json").read_text(encoding="utf-8"))


def _strict_json(text: str) -> Any:
    def refuse(constant: str) -> Any:
        raise AssertionError(f"non-finite number {constant} in the output")
    return json.loads(text, parse_constant=refuse)


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(args)
    out = capsys.readouterr()
    return int(exited.value.code or 0), out.out, out.err


def _ids(expected: dict[str, Any]) -> list[str]:
    return sorted(x if isinstance(x, str) else x["repeat"] * x["times"] for x in expected["ids"])


def _check_issues(expected: dict[str, Any], patients: dict[str, dict], unattributed: list[dict]) -> None:
    for want in expected["issues"]:
        pool = patients[want["patient"]]["dataIssues"] if want["patient"] is not None else unattributed
        found = [i for i in pool if i.get("kind") == want["kind"] and i.get("resource") == want.get("resource")
                 and i.get("source") == want.get("source")]
        assert len(found) == 1, (want, pool)
        [issue] = found
        assert want["message_contains"] in issue["message"] and want.get("also_contains", "") in issue["message"]
        assert issue["effect"] == want["effect"] and issue["severity"] in ("warning", "info")
    imported = [i for p in patients.values() for i in p["dataIssues"] if "effect" in i] + unattributed
    assert len(imported) == len(expected["issues"])


@pytest.mark.parametrize("case", CASES)
def test_single_mode(case: str, capsys: pytest.CaptureFixture[str]) -> None:
    expected = _expected(case)
    code, out, err = _run(["assess", str(_input(case)), "--format", "json", "--as-of", AS_OF], capsys)
    assert code == expected["exit"] and "Traceback" not in err
    doc = _strict_json(out)
    patients = {p["id"]: p for p in doc["patients"]}
    if "ids" in expected:
        assert sorted(patients) == _ids(expected)
        assert {p["trd"]["status"] for p in patients.values()} == {expected["trd"]}
    for pid, want in expected.get("patients", {}).items():
        assert patients[pid]["trd"]["status"] == want["trd"]
        if "venlafaxine" in want:
            [b] = [t for t in patients[pid]["trials"] if t["drug"] == "venlafaxine"]
            for key, value in want["venlafaxine"].items():
                assert b[key] == value, (key, b[key])
    _check_issues(expected, patients, doc.get("dataIssues", []))
    # one line on stderr per unreadable input line, naming its file and line
    lines = [x for x in err.splitlines() if x.strip()]
    assert len(lines) == len(expected.get("stderr", []))
    for where, line in zip(expected.get("stderr", []), sorted(lines)):
        assert line.startswith("trd: warning: " + where)


@pytest.mark.parametrize("case", [c for c in CASES if _input(c).is_dir()])
def test_cohort_mode(case: str, tmp_path: Path) -> None:
    from reasoner.cohort import run_cohort

    expected = _expected(case)
    summary = run_cohort(_input(case), tmp_path / "out", as_of=AS_OF, progress=False, workers=1)
    lines = [_strict_json(x) for x in (tmp_path / "out" / "patients.jsonl").read_text().splitlines()]
    patients = {p["id"]: p for p in lines if p["id"] != "(unattributed)"}
    unattributed = [i for p in lines if p["id"] == "(unattributed)" for i in p["dataIssues"]]
    want = expected["cohort"]
    assert summary.patients == want["patients"] == len(patients)
    assert summary.data_issue_kinds == {**{k: v for k, v in summary.data_issue_kinds.items() if k == "validation"},
                                        **want["data_issue_kinds"]}
    if "ids" in expected:
        assert sorted(patients) == _ids(expected)
    for key in ("bad_input_lines", "unreadable_lines_of_patients"):
        if key in want:
            got = getattr(summary, key)
            assert [list(x) for x in got] == want[key] if isinstance(got, list) else got == want[key]
    _check_issues(expected, patients, unattributed)


def test_the_first_patient_read_wins_over_a_duplicate() -> None:
    from rdflib import Literal, URIRef
    from rdflib.namespace import XSD

    from reasoner.fhir import load_patient_graph
    from reasoner.knowledge.namespaces import FHIR_DATA, TRD

    expected = _expected("duplicate-patient")
    graph, report = load_patient_graph(_input("duplicate-patient"), as_of=dt.date.fromisoformat(AS_OF))
    for pid, birth in expected["birthDate"].items():
        assert list(graph.objects(URIRef(f"{FHIR_DATA}Patient/{pid}"), TRD.birthDate)) == [Literal(birth, datatype=XSD.date)]
    assert report.counts["Patient"].issues == 1 and report.consistent()


def test_ids_are_made_safe_only_where_they_become_iris() -> None:
    """The node IRIs of hostile ids are percent-encoded (no '/', space, NUL, newline or '<>' in an
    IRI), while trd:identifier keeps the id as given."""
    from rdflib import RDF

    from reasoner.fhir import load_patient_graph
    from reasoner.knowledge.namespaces import TRD

    graph, _ = load_patient_graph(_input("patient-ids"), as_of=dt.date.fromisoformat(AS_OF))
    patients = list(graph.subjects(RDF.type, TRD.Patient))
    assert sorted(str(graph.value(p, TRD.identifier)) for p in patients) == _ids(_expected("patient-ids"))
    for p in patients:
        tail = str(p).rsplit("/Patient/", 1)[1]
        assert not set(tail) & set("/ <>\n\x00\"{}|\\^`") and tail not in (".", "..")
