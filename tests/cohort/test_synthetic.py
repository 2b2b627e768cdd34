"""The synthetic cohort generator: deterministic per patient, ontology-driven, both formats alike."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pyoxigraph as ox

from benchmarks.support.synthetic import generate_cohort, generate_patient
from benchmarks.support.vocab import load_vocabulary
from reasoner.knowledge.namespaces import TRD

REF = dt.date(2026, 1, 15)


def test_a_patient_does_not_depend_on_the_cohort_size(tmp_path: Path) -> None:
    generate_cohort(tmp_path / "small", 30, seed=5, patients_per_turtle_file=30)
    generate_cohort(tmp_path / "large", 60, seed=5, patients_per_turtle_file=30)
    small = (tmp_path / "small" / "turtle" / "patients-00000.ttl").read_bytes()
    assert small == (tmp_path / "large" / "turtle" / "patients-00000.ttl").read_bytes()
    first = (tmp_path / "large" / "fhir" / "Patient.000.ndjson").read_text().splitlines()[:30]
    assert first == (tmp_path / "small" / "fhir" / "Patient.000.ndjson").read_text().splitlines()


def test_drugs_and_doses_come_from_the_ontology() -> None:
    vocab = load_vocabulary()
    minimum = {d.iri: d.min_dose for d in vocab.antidepressants}
    store = ox.Store()
    store.bulk_load(Path(__file__).resolve().parents[2].joinpath("ontology", "trd.ttl").read_bytes(),
                    format=ox.RdfFormat.TURTLE)
    for iri, dose in minimum.items():  # the ontology's own value, not a table of ours
        rows = list(store.query(f"SELECT ?m WHERE {{ <{iri}> <{TRD}minimumAdequateDailyDoseMg> ?m }}"))
        assert float(rows[0]["m"].value) == dose
    doses = [t.dose / t.drug.min_dose for i in range(300) for t in generate_patient(i, 3, vocab, REF).trials
             if t.drug is not None and t.dose is not None]
    assert min(doses) < 1 <= max(doses)  # some trials below the minimum, most at or above it
    assert sum(d >= 1 for d in doses) > len(doses) / 2


def test_population_mix_and_defects(tmp_path: Path) -> None:
    stats = generate_cohort(tmp_path, 1000, seed=9, turtle=False)
    records = [generate_patient(i, 9, load_vocabulary(), REF) for i in range(1000)]
    trials = [len(r.trials) for r in records]
    assert min(trials) >= 1 and max(trials) <= 6
    bipolar = sum(any(d[1][0] == "BipolarIIDiagnosis" for d in r.diagnoses) for r in records)
    assert 10 < bipolar < 100                         # some, not most
    assert 3 <= stats.malformed <= 25                 # about 1 %
    truth = [json.loads(line) for line in (tmp_path / "truth.jsonl").open()]
    assert len(truth) == sum(bool(r.malformed or r.fhir_only_breakage) for r in records)
