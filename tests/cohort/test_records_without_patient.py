"""Regression: records of a Turtle cohort that reach no patient of their file are reported, not
dropped (a file without any trd:Patient was skipped by the index; a record whose trd:patient
named a patient of another file was left out when its file was cut into shards)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from cohort_helpers import read_jsonl
from reasoner.cohort import run_cohort
from reasoner.cohort.turtle_source import TurtleIndex, file_patients, group_by_patient, turtle_files
from reasoner.knowledge.paths import EXAMPLES_DIR

AS_OF = "2026-01-15"
PREFIXES = """@prefix trd: <https://w3id.org/trd-reasoner/ontology#> .
@prefix ex:  <https://example.org/trd/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""
#: A diagnosis of pat-001, whose patient node lives in another file, and a score of nobody.
ORPHANS = PREFIXES + """
ex:stray-dx a trd:MDDSingleEpisodeDiagnosis ; trd:patient ex:pat-001 ; trd:isActive true ;
    trd:onsetDate "2024-01-01"^^xsd:date ; trd:sourceCode "ICD10CM:F32.1" .
ex:stray-score a trd:Assessment ; trd:instrument trd:PHQ9 ; trd:score 12 ; trd:date "2025-01-01"^^xsd:date .
"""
#: Two patients in one file and a record pointing at a third patient that this file lacks.
TWO_PATIENTS = PREFIXES + """
ex:pat-101 a trd:Patient ; trd:identifier "pat-101" ; trd:birthDate "1980-01-01"^^xsd:date .
ex:pat-102 a trd:Patient ; trd:identifier "pat-102" ; trd:birthDate "1981-01-01"^^xsd:date .
ex:elsewhere-dx a trd:MDDSingleEpisodeDiagnosis ; trd:patient ex:pat-999 ; trd:isActive true ;
    trd:onsetDate "2024-01-01"^^xsd:date ; trd:sourceCode "ICD10CM:F32.1" .
"""


@pytest.fixture()
def cohort(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(EXAMPLES_DIR / "trd-confirmed.ttl", folder / "a-patient.ttl")
    (folder / "b-orphans.ttl").write_text(ORPHANS)
    (folder / "c-two-patients.ttl").write_text(TWO_PATIENTS)
    return folder


def _triples(text: str) -> list[ox.Triple]:
    return list(ox.parse(text.encode(), format=ox.RdfFormat.TURTLE))


def test_a_record_of_a_patient_of_another_file_is_an_orphan() -> None:
    groups, orphans, first = group_by_patient(_triples(TWO_PATIENTS))
    assert set(groups) == {"https://example.org/trd/pat-101", "https://example.org/trd/pat-102"}
    assert first == "https://example.org/trd/pat-101"
    assert {t.subject.value for t in orphans} == {"https://example.org/trd/elsewhere-dx"}


def test_only_the_first_patients_share_of_a_file_carries_its_orphans() -> None:
    data = TWO_PATIENTS.encode()
    units, orphans = file_patients(data, "turtle", ["https://example.org/trd/pat-101"])
    assert [iri for iri, _ in units] == ["https://example.org/trd/pat-101"] and b"elsewhere-dx" in orphans
    units, orphans = file_patients(data, "turtle", ["https://example.org/trd/pat-102"])
    assert [iri for iri, _ in units] == ["https://example.org/trd/pat-102"] and orphans == b""
    # a file without patients, taken whole, gives its records; the patients' data never hold them
    units, orphans = file_patients(ORPHANS.encode(), "turtle", None)
    assert units == [] and b"stray-dx" in orphans and b"stray-score" in orphans


def test_a_file_without_patients_is_an_index_unit(cohort: Path, tmp_path: Path) -> None:
    index = TurtleIndex(tmp_path / "index.sqlite", turtle_files(cohort))
    try:
        assert index.build() == 3 == index.patient_count()
        assert index.unit_count() == 4
        plans = [index.shard_plan(i, i + 1) for i in range(index.unit_count())]
    finally:
        index.close()
    orphan_plans = [p for p in plans if p[0][0].endswith("b-orphans.ttl")]
    assert orphan_plans == [[(str(cohort / "b-orphans.ttl"), [], True)]]


@pytest.mark.parametrize("shard_size", [1, 1000])
def test_every_record_is_reported_and_no_entry_counts_as_a_patient(cohort: Path, tmp_path: Path,
                                                                   shard_size: int) -> None:
    out = tmp_path / "out"
    summary = run_cohort(cohort, out, shard_size=shard_size, as_of=AS_OF, progress=False, workers=1)
    lines = read_jsonl(out / "patients.jsonl")
    ids = sorted(p["id"] for p in lines)
    patients = [i for i in ids if i != "(unattributed)"]
    assert patients == ["pat-001", "pat-101", "pat-102"]
    focus = {issue["focusNode"] for p in lines for issue in p["dataIssues"]}
    # the stray diagnosis (its patient is in another file), the score of nobody, the diagnosis of
    # a patient the file lacks: each validated and reported
    assert {"https://example.org/trd/stray-dx", "https://example.org/trd/stray-score",
            "https://example.org/trd/elsewhere-dx"} <= focus
    assert summary.patients == 3
    assert json.loads((out / "summary.json").read_text())["trd"].get("error", 0) == 0
    assert summary.data_issues["violation"] == sum(
        1 for p in lines for i in p["dataIssues"] if i["severity"] == "violation")


def test_a_file_that_changed_after_indexing_is_an_error_entry_not_a_crash() -> None:
    from reasoner.cohort.pipeline_processor import process_shard
    from reasoner.cohort.shards import TURTLE, ShardInput, TurtlePart
    from reasoner.cohort.worker import RunSettings

    good = TurtlePart("good.ttl", TWO_PATIENTS.encode(), "turtle",
                      ("https://example.org/trd/pat-101", "https://example.org/trd/pat-102"), True)
    broken = TurtlePart("broken.ttl", b"this is not turtle", "turtle", ("https://example.org/trd/pat-5",), True)
    nobody = TurtlePart("nobody.ttl", b"<a> <b>", "turtle", (), True)
    result = process_shard(ShardInput(0, TURTLE, parts=[good, broken, nobody], patients=3),
                           RunSettings(policy="default", as_of=AS_OF, store=False))
    lines = {p["id"]: p for p in (json.loads(line) for line in result.jsonl.splitlines())}
    assert set(lines) == {"pat-101", "pat-102", "pat-5", "(unattributed)"}
    assert lines["pat-5"]["trd"]["status"] == "error"
    assert "broken.ttl" in lines["pat-5"]["dataIssues"][0]["message"]
    # one (unattributed) line per shard: the unreadable file, and good.ttl's record of a patient
    # the file lacks
    assert result.jsonl.count(b'"id":"(unattributed)"') == 1
    issues = lines["(unattributed)"]["dataIssues"]
    assert any("nobody.ttl" in i["message"] for i in issues)
    assert "https://example.org/trd/elsewhere-dx" in {i["focusNode"] for i in issues}
    assert result.patients == 3   # the (unattributed) line is not a patient
