"""Sharding, the Bulk FHIR index, resume and writing, with a simple counting processor.

The processor (cohort_test_processors.echo) reports each patient's resource or triple count, so
these tests see a lost, duplicated or mixed-up patient; the pipeline has its own tests.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from cohort_helpers import CRASH, ECHO, HERE, read_jsonl
from reasoner.cohort import run_cohort
from reasoner.fhir.bulk_index import FhirIndex
from reasoner.cohort.manifest import Manifest, ResumeError
from reasoner.errors import InputError


def _lines(folder: Path) -> int:
    return sum(1 for p in folder.glob("*.ndjson") for line in p.open("rb") if line.strip())


def test_index_accounts_for_every_line(cohort_250: Path, tmp_path: Path) -> None:
    index = FhirIndex(tmp_path / "i.sqlite", cohort_250 / "fhir")
    stats = index.build()
    groups = [(pid, lines) for pid, lines, _shared, _broken in index.read_group(0, index.patient_count())]
    generated = json.loads((cohort_250 / "generation.json").read_text())
    assert index.patient_count() == 250
    assert sum(len(lines) for _, lines in groups) + stats.bad_lines == _lines(cohort_250 / "fhir")
    broken = 0
    for pid, lines in groups:  # every line in a group is that patient's
        for line in lines:
            try:
                doc = json.loads(line)
            except ValueError:  # a truncated line whose subject was still readable: kept with
                broken += 1     # its patient, so the worker reports it as that patient's issue
                assert f'"Patient/{pid}"'.encode() in line
                continue
            owner = doc["id"] if doc["resourceType"] == "Patient" else doc["subject"]["reference"].split("/")[-1]
            assert owner == pid
    assert broken + stats.bad_lines == generated["fhir_broken_lines"] > 0


def test_index_urn_uuid_references_and_shared_medication(tmp_path: Path) -> None:
    export = tmp_path / "export"
    export.mkdir()
    (export / "Patient.ndjson").write_text(
        json.dumps({"resourceType": "Patient", "id": "a"}) + "\n" + json.dumps({"resourceType": "Patient", "id": "b"}) + "\n")
    (export / "Medication.ndjson").write_text(json.dumps({"resourceType": "Medication", "id": "m1"}) + "\n")
    (export / "MedicationStatement.ndjson").write_text(
        json.dumps({"resourceType": "MedicationStatement", "id": "s1", "subject": {"reference": "urn:uuid:b"},
                    "medicationReference": {"reference": "Medication/m1"}}) + "\n"
        + json.dumps({"resourceType": "MedicationStatement", "id": "s2",
                      "subject": {"display": "x", "reference": "https://h/fhir/Patient/a"}}) + "\n"
        + "{not json\n")
    (export / "log.ndjson").write_text('{"exportId": "x"}\n')
    index = FhirIndex(tmp_path / "i.sqlite", export)
    stats = index.build()
    groups = {pid: sorted(json.loads(x)["id"] for x in lines + shared) for pid, lines, shared, _broken in index.read_group(0, 2)}
    assert groups == {"a": ["a", "s2"], "b": ["b", "m1", "s1"]}
    # the Medication belongs to no patient: it is a loose line too (counted once, after the patients)
    assert [json.loads(x)["id"] for x in index.read_loose(0, index.loose_count())] == ["m1"]
    assert stats.bad_lines == 1 and index.bad_lines()[0][1:] == (3, "not valid JSON")


@pytest.mark.parametrize("kind", ["fhir", "turtle"])
def test_shard_size_does_not_change_results(cohort_250: Path, tmp_path: Path, kind: str) -> None:
    # Shards of 37 cut across the Turtle files of 100 patients: patients are picked out of files.
    whole = run_cohort(cohort_250 / kind, tmp_path / "a", shard_size=250, processor=ECHO, progress=False, workers=1)
    cut = run_cohort(cohort_250 / kind, tmp_path / "b", shard_size=37, processor=ECHO, progress=False, workers=1)
    assert whole.patients == cut.patients == 250 and cut.shards == 7
    assert read_jsonl(tmp_path / "a" / "patients.jsonl") == read_jsonl(tmp_path / "b" / "patients.jsonl")
    assert whole.trd == cut.trd and sum(whole.trd.values()) == 250


def test_workers_give_the_same_lines(cohort_250: Path, tmp_path: Path) -> None:
    serial = run_cohort(cohort_250 / "fhir", tmp_path / "s", shard_size=40, processor=ECHO, progress=False, workers=1)
    pooled = run_cohort(cohort_250 / "fhir", tmp_path / "p", shard_size=40, workers=2, processor=ECHO, progress=False)
    assert serial.trd == pooled.trd
    assert read_jsonl(tmp_path / "s" / "patients.jsonl") == read_jsonl(tmp_path / "p" / "patients.jsonl")


def test_store_holds_every_patient_once(cohort_250: Path, tmp_path: Path) -> None:
    run_cohort(cohort_250 / "turtle", tmp_path / "o", shard_size=64, processor=ECHO, progress=False, workers=1, store=True)
    store = ox.Store.read_only(str(tmp_path / "o" / "store"))
    rows = list(store.query("SELECT (COUNT(DISTINCT ?p) AS ?n) (COUNT(?p) AS ?m) "
                            "WHERE { GRAPH ?g { ?p <https://w3id.org/trd-reasoner/ontology#testSize> ?s } }"))
    assert int(rows[0]["n"].value) == int(rows[0]["m"].value) == 250


def test_resume_after_a_failed_shard(cohort_250: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reference = run_cohort(cohort_250 / "fhir", tmp_path / "ref", shard_size=30, processor=ECHO, progress=False, workers=1)
    monkeypatch.setenv("TRD_TEST_CRASH_SHARD", "3")
    with pytest.raises(RuntimeError, match="simulated crash"):
        run_cohort(cohort_250 / "fhir", tmp_path / "run", shard_size=30, processor=CRASH, progress=False, workers=1)
    assert Manifest(tmp_path / "run" / "manifest.sqlite").done() == {0, 1, 2}
    monkeypatch.delenv("TRD_TEST_CRASH_SHARD")
    resumed = run_cohort(cohort_250 / "fhir", tmp_path / "run", shard_size=30, processor=CRASH, progress=False, workers=1)
    assert resumed.shards_run == resumed.shards - 3
    assert read_jsonl(tmp_path / "run" / "patients.jsonl") == read_jsonl(tmp_path / "ref" / "patients.jsonl")
    assert resumed.trd == reference.trd and resumed.patients == 250


def test_crash_between_write_and_commit_leaves_no_duplicate(cohort_250: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    run_cohort(cohort_250 / "turtle", tmp_path / "ref", shard_size=50, processor=ECHO, progress=False, workers=1)
    real_commit = Manifest.commit
    calls = {"n": 0}

    def failing_commit(self, *args, **kwargs):  # the JSONL lines of shard 3 are already written
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real_commit(self, *args, **kwargs)

    monkeypatch.setattr(Manifest, "commit", failing_commit)
    with pytest.raises(KeyboardInterrupt):
        run_cohort(cohort_250 / "turtle", tmp_path / "run", shard_size=50, processor=ECHO, progress=False, workers=1)
    # 2 committed + 1 uncommitted shard in the partial file; no patients.jsonl until the run is complete
    assert len(read_jsonl(tmp_path / "run" / "patients.jsonl.partial")) == 150
    assert not (tmp_path / "run" / "patients.jsonl").exists()
    monkeypatch.setattr(Manifest, "commit", real_commit)
    run_cohort(cohort_250 / "turtle", tmp_path / "run", shard_size=50, processor=ECHO, progress=False, workers=1)
    got = read_jsonl(tmp_path / "run" / "patients.jsonl")
    assert len({p["id"] for p in got}) == len(got) == 250
    assert got == read_jsonl(tmp_path / "ref" / "patients.jsonl")


def test_resume_after_a_killed_process(cohort_250: Path, tmp_path: Path) -> None:
    script = (f"import sys; sys.path.insert(0, {str(HERE)!r})\n"
              "from reasoner.cohort import run_cohort\n"
              f"run_cohort({str(cohort_250 / 'fhir')!r}, {str(tmp_path / 'run')!r}, shard_size=25, "
              f"processor={CRASH!r}, progress=False, workers=1)\n")
    env = {**os.environ, "TRD_TEST_CRASH_SHARD": "4", "TRD_TEST_HARD_EXIT": "1"}
    proc = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, timeout=120)
    assert proc.returncode == 3
    resumed = run_cohort(cohort_250 / "fhir", tmp_path / "run", shard_size=25, processor=CRASH, progress=False, workers=1)
    assert resumed.shards_run == 6
    got = read_jsonl(tmp_path / "run" / "patients.jsonl")
    assert len({p["id"] for p in got}) == len(got) == 250


def test_resume_refuses_other_settings(cohort_250: Path, tmp_path: Path) -> None:
    run_cohort(cohort_250 / "fhir", tmp_path / "o", shard_size=100, processor=ECHO, progress=False, workers=1)
    with pytest.raises(ResumeError, match="shard_size"):
        run_cohort(cohort_250 / "fhir", tmp_path / "o", shard_size=50, processor=ECHO, progress=False, workers=1)
    again = run_cohort(cohort_250 / "fhir", tmp_path / "o", shard_size=50, processor=ECHO, progress=False, workers=1, resume=False)
    assert again.patients == 250 and again.shards_run == 5


def test_missing_input_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        run_cohort(tmp_path / "nope", tmp_path / "o", processor=ECHO, progress=False, workers=1)
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no Bulk FHIR"):
        run_cohort(tmp_path / "empty", tmp_path / "o2", processor=ECHO, progress=False, workers=1)


def test_small_cohort_is_cut_for_every_worker_and_resumes_with_other_workers(cohort_250: Path, tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRD_TEST_CRASH_SHARD", "1")
    with pytest.raises(RuntimeError):
        run_cohort(cohort_250 / "fhir", tmp_path / "o", shard_size=1000, workers=2, processor=CRASH, progress=False)
    monkeypatch.delenv("TRD_TEST_CRASH_SHARD")
    summary = run_cohort(cohort_250 / "fhir", tmp_path / "o", shard_size=1000, workers=1, processor=CRASH,
                         progress=False)
    assert summary.shards == 4  # 250 patients, 2 workers: 4 shards of 63, not 1 of 1,000
    got = read_jsonl(tmp_path / "o" / "patients.jsonl")
    assert len({p["id"] for p in got}) == len(got) == 250


def test_resume_refuses_a_truncated_jsonl(cohort_250: Path, tmp_path: Path) -> None:
    run_cohort(cohort_250 / "fhir", tmp_path / "o", shard_size=100, processor=ECHO, progress=False, workers=1)
    jsonl = tmp_path / "o" / "patients.jsonl"
    jsonl.write_bytes(jsonl.read_bytes()[:100])
    with pytest.raises(ResumeError, match="shorter than its committed shards"):
        run_cohort(cohort_250 / "fhir", tmp_path / "o", shard_size=100, processor=ECHO, progress=False, workers=1)


def test_a_killed_worker_is_a_clear_error_and_the_run_resumes(cohort_250: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from reasoner.errors import TrdError

    monkeypatch.setenv("TRD_TEST_CRASH_SHARD", "2")
    monkeypatch.setenv("TRD_TEST_HARD_EXIT", "1")  # the worker process exits without a word
    with pytest.raises(TrdError, match="run the same command again to resume"):
        run_cohort(cohort_250 / "fhir", tmp_path / "o", shard_size=25, workers=2, processor=CRASH, progress=False)
    monkeypatch.delenv("TRD_TEST_CRASH_SHARD")
    summary = run_cohort(cohort_250 / "fhir", tmp_path / "o", shard_size=25, workers=2, processor=CRASH,
                         progress=False)
    got = read_jsonl(tmp_path / "o" / "patients.jsonl")
    assert summary.patients == len(got) == len({p["id"] for p in got}) == 250
