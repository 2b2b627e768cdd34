"""`trd assess` JSON against the contract of docs/output-contract.md, exit codes, and `trd explain`."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

from reasoner.cli.main import main

FIXTURE = Path(__file__).parent / "fixtures" / "trd-confirmed.ttl"

PATIENT_KEYS = {"id", "trd", "stages", "trials", "pseudoResistance", "mechanisms", "options", "dataIssues"}
TRD_KEYS = {"status", "failedAdequateTrials", "distinctFailedClasses", "evidence"}
STAGE_KEYS = {"thaseRush", "maudsley", "mghS"}
TRIAL_KEYS = {"id", "drug", "rxnorm", "class", "start", "end", "dailyDoseMg", "weeksAtAdequateDose", "adherence",
              "adequacy", "reasons", "outcome", "failed", "evidence"}
CODES = {
    "adequacy": {"adequate", "inadequate", "indeterminate"},
    "reasons": {"dose-below-minimum", "duration-too-short", "adherence-below-threshold", "stopped-for-intolerance",
                "dose-unknown", "duration-unknown", "adherence-unknown"},
    "outcome": {"remission", "response", "partial-response", "non-response", "outcome-unknown"},
    "trd": {"confirmed", "possible", "not-met", "excluded"},
}


def run(*args: str) -> tuple[int, str, str]:
    """Run the real console entry point in-process; (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def document() -> dict:
    code, out, _err = run("assess", str(FIXTURE), "--format", "json", "--as-of", "2026-01-15")
    assert code == 0
    return json.loads(out)


def test_document_keys(document: dict) -> None:
    assert document["asOf"] == "2026-01-15" and document["policy"] == "default"
    [p] = document["patients"]
    assert PATIENT_KEYS <= set(p)
    assert TRD_KEYS <= set(p["trd"])
    assert STAGE_KEYS <= set(p["stages"])
    assert {"score", "band"} == set(p["stages"]["maudsley"])
    for t in p["trials"]:
        assert TRIAL_KEYS <= set(t)
        assert t["adequacy"] in CODES["adequacy"] and t["outcome"] in CODES["outcome"]
        assert set(t["reasons"]) <= CODES["reasons"]
    assert p["trd"]["status"] in CODES["trd"]


def test_values_follow_the_contract(document: dict) -> None:
    [p] = document["patients"]
    t1 = next(t for t in p["trials"] if t["id"] == "p1-t1")
    assert (t1["drug"], t1["rxnorm"], t1["class"]) == ("sertraline", "36437", "SSRI")
    assert (t1["start"], t1["end"], t1["dailyDoseMg"], t1["weeksAtAdequateDose"]) == ("2025-01-06", "2025-03-10", 100, 9.0)
    assert p["trd"] == {**p["trd"], "status": "confirmed", "failedAdequateTrials": 2, "distinctFailedClasses": 2}
    assert p["stages"]["thaseRush"] == 2


def test_every_finding_carries_data_and_rule_evidence(document: dict) -> None:
    [p] = document["patients"]
    findings = [p["trd"], *p["trials"], *p["pseudoResistance"], *p["mechanisms"], *p["options"]]
    for f in findings:
        kinds = {e["kind"] for e in f["evidence"]}
        assert kinds == {"data", "rule"}, f
        for e in f["evidence"]:
            if e["kind"] == "rule":
                assert e["rule"].endswith(".rq") and e["source"]
    # the TRD finding names the failed trials' outcome findings
    assert any(e["id"].endswith("p1-t1/outcome") for e in p["trd"]["evidence"])


def test_maudsley_is_null_without_a_failed_trial(tmp_path: Path) -> None:
    text = FIXTURE.read_text().replace("trd:score 22", "trd:score 5").replace("trd:score 12", "trd:score 4")
    path = tmp_path / "remitted.ttl"
    path.write_text(text)
    code, out, _ = run("assess", str(path), "--format", "json", "--as-of", "2026-01-15")
    p = json.loads(out)["patients"][0]
    assert code == 0 and p["stages"]["maudsley"] is None and p["trd"]["failedAdequateTrials"] == 0


@pytest.mark.parametrize("args,message", [
    (("assess", "missing.ttl"), "no such file"),
    (("assess", str(FIXTURE), "--as-of", "2026-02-30"), "not a date"),
    (("assess", str(FIXTURE), "--policy", "nope"), "available"),
    (("explain", str(FIXTURE), "nobody"), "no patient"),
    (("explain", str(FIXTURE), "p1", "no-such-finding"), "no finding"),
])
def test_usage_errors_exit_2_with_one_line(args: tuple[str, ...], message: str) -> None:
    code, _out, err = run(*args)
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1


def test_unreadable_input_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("this is not turtle")
    code, _out, err = run("assess", str(bad))
    assert code == 2 and "trd: error" in err


def test_explain_trd_gives_the_chain_of_reasons() -> None:
    code, out, _ = run("explain", str(FIXTURE), "p1", "--as-of", "2026-01-15")
    assert code == 0
    assert "TRD confirmed" in out
    assert "dose 100 mg/day ≥ minimum 50 mg/day" in out          # dose vs the drug's minimum
    assert "9 weeks at adequate dose ≥ 6 weeks" in out            # weeks vs the policy
    assert "adherence 0.9 ≥ 0.8" in out                           # adherence vs the threshold
    assert "HAM-D17: 24 (2025-01-05) → 22 (2025-03-18)" in out    # why it failed
    assert "queries/infer/trial-failure.rq" in out and "TRANSFORM" in out


def test_explain_under_another_policy_quotes_its_numbers() -> None:
    code, out, _ = run("explain", str(FIXTURE), "p1", "--as-of", "2026-01-15", "--policy", "athf-strict")
    assert code == 0 and "≥ 8 weeks" in out


def test_turtle_output_is_the_derived_graph() -> None:
    from rdflib import Graph
    code, out, _ = run("assess", str(FIXTURE), "--format", "turtle", "--as-of", "2026-01-15")
    g = Graph().parse(data=out, format="turtle")
    assert code == 0 and len(g) > 100
    assert not any(p.endswith("#score") for p in g.predicates())   # asserted data is not repeated


def test_table_output_and_explain_flag() -> None:
    code, out, _ = run("assess", str(FIXTURE), "--as-of", "2026-01-15", "--explain")
    assert code == 0 and "confirmed" in out and "Trial p1-t1" in out


def test_out_dir_delegates_to_the_cohort_runner(tmp_path: Path) -> None:
    pytest.importorskip("reasoner.cohort")
    out = tmp_path / "cohort"
    code, _out, err = run("assess", str(FIXTURE), "--out", str(out), "--as-of", "2026-01-15")
    assert code == 0, err
    rows = [json.loads(line) for line in (out / "patients.jsonl").read_text().splitlines() if line.strip()]
    assert [r["trd"]["status"] for r in rows] == ["confirmed"]


def test_mechanism_path_is_printed_in_chain_order(tmp_path: Path) -> None:
    path = tmp_path / "crp.ttl"
    path.write_text("""@prefix trd: <https://w3id.org/trd-reasoner/ontology#> .
@prefix ex: <https://example.org/trd/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:q1 a trd:Patient ; trd:identifier "q1" .
ex:q1-l a trd:LabMeasurement ; trd:patient ex:q1 ; trd:analyte trd:CRP ; trd:value 6.0 ;
    trd:unit trd:unit-mg-per-L ; trd:date "2025-05-01"^^xsd:date .
""")
    code, out, _ = run("assess", str(path), "--format", "json", "--as-of", "2026-01-15")
    mechanisms = {m["code"]: m["via"] for m in json.loads(out)["patients"][0]["mechanisms"]}
    assert code == 0
    # trd:via is an unordered set in RDF; the JSON lists it along the ontology's trd:leadsTo chain
    assert mechanisms["serotonin-depletion"] == ["trd:process-ido-activation", "trd:process-tryptophan-steal"]


def test_rdflib_engine_from_the_command_line() -> None:
    code, out, _ = run("assess", str(FIXTURE), "--format", "json", "--as-of", "2026-01-15", "--backend", "rdflib")
    assert code == 0 and json.loads(out)["patients"][0]["trd"]["status"] == "confirmed"
