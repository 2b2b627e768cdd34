"""Competency questions (queries/report/*.rq): each is a documented SELECT, and each answers its
question on assessed scenario patients, in agreement with the findings the rules derived."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib.plugins.sparql import prepareQuery

from infer.pseudo.cases import EX, assess, assess_ws
from reasoner.knowledge.paths import REPORT_DIR
from reasoner.questions import select

QUERIES = sorted(REPORT_DIR.glob("*.rq"))
SHARD = ("two-classes", "two-classes-crp", "crp-5.1", "ich", "bipolar-history", "one-class", "dose-49",
         "dose-50", "days-41", "tsh-4.6", "abcb1-tt")


def run(name: str, engine: str = "oxigraph") -> list[dict[str, str]]:
    names, rows = select(assess_ws(SHARD, "default", engine), (REPORT_DIR / name).read_text(), name)
    return [{k: str(v) for k, v in r.items()} for r in rows]


def pid(iri: str) -> str:
    return iri[len(EX):]


@pytest.mark.parametrize("path", QUERIES, ids=[p.name for p in QUERIES])
def test_query_is_a_documented_select(path: Path) -> None:
    text = path.read_text()
    for field in ("intent", "inputs", "source"):
        assert re.search(rf"^#\s*{field}:\s*\S", text, re.MULTILINE), f"{path.name}: no '# {field}:'"
    assert prepareQuery(text).algebra.name == "SelectQuery"


def test_at_least_the_five_competency_questions() -> None:
    assert {p.stem for p in QUERIES} >= {"trd-with-inflammation", "inadequate-trials", "esketamine-candidates",
                                         "pseudo-resistance", "options"}


@pytest.mark.parametrize("engine", ["oxigraph", pytest.param("rdflib", marks=pytest.mark.slow)])
def test_confirmed_trd_with_inflammation(engine: str) -> None:
    rows = run("trd-with-inflammation.rq", engine)
    assert {pid(r["patient"]) for r in rows} == {"two-classes-crp"}   # not TRD-only, not CRP-only
    assert float(rows[0]["crpMgPerL"]) == 4.0 and rows[0]["lab"] == EX + "two-classes-crp-crp"


def test_inadequate_trials_and_why() -> None:
    rows = run("inadequate-trials.rq")
    why = {(pid(r["patient"]), r["reason"]) for r in rows}
    assert ("dose-49", "dose-below-minimum") in why and ("days-41", "duration-too-short") in why
    assert not any(p == "dose-50" for p, _ in why)
    dose = next(r for r in rows if r["reason"] == "dose-below-minimum")
    assert (float(dose["observed"]), float(dose["threshold"]), dose["drug"]) == (49.0, 50.0, "sertraline")


def test_esketamine_candidates() -> None:
    rows = run("esketamine-candidates.rq")
    assert {pid(r["patient"]) for r in rows} == {"two-classes", "two-classes-crp"}
    assert {r["trdStatus"] for r in rows} == {"confirmed"}


def test_pseudo_resistance_per_patient_matches_the_findings() -> None:
    rows = run("pseudo-resistance.rq")
    found = assess(SHARD)
    by_patient: dict[str, set[tuple[str, str]]] = {}
    for r in rows:
        by_patient.setdefault(pid(r["patient"]), set()).add((r["cause"], r.get("action", "")))
    expected = {p: {(c, a) for c, acts in f.pseudo.items() for a in acts} for p, f in found.items() if f.pseudo}
    assert by_patient == expected
    assert ("hypothyroidism", "levothyroxine") in by_patient["tsh-4.6"]


def test_options_per_patient_with_one_status_each() -> None:
    rows = run("options.rq")
    statuses: dict[tuple[str, str], set[str]] = {}
    for r in rows:
        statuses.setdefault((pid(r["patient"]), r["option"]), set()).add(r["status"])
    assert all(len(s) == 1 for s in statuses.values())
    found = assess(SHARD)
    assert {k: next(iter(v)) for k, v in statuses.items()} == \
           {(p, o): f.status(o) for p, f in found.items() for o in f.options}
    assert statuses[("ich", "esketamine")] == {"contraindicated"}
