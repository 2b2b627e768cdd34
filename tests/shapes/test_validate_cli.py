"""`trd validate`: exit codes, the three output formats, and one-line errors (issue 3)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Graph

from reasoner.cli.main import main
from reasoner.knowledge.namespaces import SH

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"


def run(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(["validate", *args])
    out, err = capsys.readouterr()
    return exc.value.code, out, err


def test_clean_case_conforms(capsys):
    code, out, _err = run(capsys, str(EXAMPLES / "trd-confirmed.ttl"))
    assert code == 0
    assert out.splitlines()[0].startswith("1 input(s) conforms: 0 violation(s)")


def test_inadequate_trial_warns_but_conforms(capsys):
    code, out, _err = run(capsys, str(EXAMPLES / "inadequate-trial.ttl"), "--validator", "fast")
    assert code == 0
    lines = out.splitlines()[1:]
    assert any(l.startswith("Warning\tex:pat-002-ms-1") and "dose-below-minimum" in l and "threshold 10" in l for l in lines)
    assert any(l.startswith("Warning\tex:pat-002-ms-1") and "adherence-below-threshold" in l for l in lines)
    assert any(l.startswith("Info\tex:pat-002-ms-2") and "adherence-unknown" in l for l in lines)


@pytest.mark.parametrize("engine", ["reference", "fast"])
def test_malformed_exits_1_and_lists_each_problem(capsys, engine):
    code, out, _err = run(capsys, str(EXAMPLES / "malformed.ttl"), "--validator", engine)
    assert code == 1
    violations = [l for l in out.splitlines() if l.startswith("Violation\t")]
    focus = {l.split("\t")[1] for l in violations}
    assert focus == {"ex:orphan-hamd", "ex:pat-003-dx1", "ex:pat-003-ms-1", "ex:pat-003-ms-2",
                     "ex:pat-003-hamd-1", "ex:pat-003-tsh-1"}
    assert any("ex:pat-003-hamd-1\ttrd:score\t60\t" in l for l in violations)


def test_turtle_output_is_the_report_graph(capsys):
    code, out, _err = run(capsys, str(EXAMPLES / "malformed.ttl"), "--format", "turtle")
    assert code == 1
    g = Graph().parse(data=out, format="turtle")
    assert len(list(g.subjects(SH.resultSeverity, SH.Violation))) == 13


def test_json_output_is_json_ld(capsys):
    code, out, _err = run(capsys, str(EXAMPLES / "inadequate-trial.ttl"), "--format", "json")
    assert code == 0
    g = Graph().parse(data=json.dumps(json.loads(out)), format="json-ld")
    assert len(list(g.subjects(SH.resultSeverity, SH.Warning))) == 2
    assert len(list(g.subjects(SH.resultSeverity, SH.Info))) == 1


def test_policy_changes_the_verdict(capsys, tmp_path):
    """Seven weeks is adequate by default, too short under athf-strict (8 weeks)."""
    src = (REPO / "tests/shapes/adequacy-duration/pass/six-weeks.ttl").read_text()
    f = tmp_path / "seven-weeks.ttl"
    f.write_text(src.replace("2025-02-17", "2025-02-24"))
    assert "0 warning(s)" in run(capsys, str(f))[1]
    code, out, _err = run(capsys, str(f), "--policy", "athf-strict")
    assert code == 0 and "1 warning(s)" in out and "duration-too-short" in out


def test_several_inputs_make_one_report(capsys):
    code, out, _err = run(capsys, str(EXAMPLES / "malformed.ttl"), str(EXAMPLES / "inadequate-trial.ttl"))
    assert code == 1
    assert out.startswith("2 input(s) does NOT conform: 13 violation(s), 4 warning(s), 5 info(s)")


@pytest.mark.parametrize("content,name", [("this is not turtle", "broken.ttl"), ("{}", "x.unknown")])
def test_unreadable_input_exits_2_with_one_line(capsys, tmp_path, content, name):
    f = tmp_path / name
    f.write_text(content)
    code, out, err = run(capsys, str(f))
    assert code == 2
    assert err.count("\n") == 1 and str(f) in err and "Traceback" not in err


def test_missing_file_exits_2(capsys, tmp_path):
    code, _out, err = run(capsys, str(tmp_path / "absent.ttl"))
    assert code == 2 and "no such file" in err


def test_a_100_patient_file_gives_one_report_naming_every_patient(capsys, tmp_path):
    from benchmarks.support.scenarios.defects import DEFECTS, cohort_turtle

    f = tmp_path / "cohort-100.ttl"
    f.write_text(cohort_turtle(100))
    code, out, _err = run(capsys, str(f), "--validator", "fast")
    assert code == 1
    focus = {line.split("\t")[1] for line in out.splitlines()[1:]}
    # Every patient's records (ex:pat-0042-t1, ex:pat-0042-a9, ...) or the patient itself appear;
    # the blank assessments of the blank-node defect are listed under their blank label.
    named = {f[3:11] for f in focus if f.startswith("ex:pat-")}
    blank = [k for k, (name, _t, _e) in enumerate(DEFECTS) if name == "blank-assessment"]
    blank_defect = {i for i in range(100) if i % len(DEFECTS) in blank}
    assert named | {f"pat-{i:04d}" for i in blank_defect} == {f"pat-{i:04d}" for i in range(100)}
    assert sum(1 for f in focus if f.startswith("_:")) == len(blank_defect)
