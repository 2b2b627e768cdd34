"""A realistic synthetic TRD cohort, written as Turtle (data-model §6) and as Bulk FHIR NDJSON.

Why synthetic: no real cohort can be shipped, and benchmarks and tests need large cohorts whose
shape is known. Each patient is drawn from its own random stream (seed + patient number), so a
patient is the same whatever the cohort size or chunking, and a million patients are written
one at a time (memory does not grow with the cohort).

The population (rough, plausible proportions, not epidemiology): an episode of major depression
with 1–6 sequential antidepressant trials; treatment stops after a remission; most trials at an
adequate dose, some too short, too low, poorly adhered to or stopped for intolerance; HAM-D,
MADRS or PHQ-9 around each trial; TSH, CRP, DST cortisol and AHI for some; CYP2C19/CYP2D6
phenotypes and ABCB1 genotypes for a few; some bipolar, hypothyroid, OSA, psychotic and
substance-use diagnoses; about 1% of patients carry a malformed record (a score out of range, an
adherence of 1.4, an end before a start, an unknown drug code) and a few FHIR lines are broken.
Most patients end up not meeting TRD criteria; a minority are confirmed.

Turtle and FHIR carry the same facts: trial ids equal MedicationStatement ids, patient ids
equal Patient ids, trial dates, doses (mg once daily), adherence (an adherence Observation) and
scores are identical. FHIR-only breakage (a truncated JSON line) is listed per patient in
``truth.jsonl`` so comparisons can leave those patients out.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from benchmarks.support.vocab import Drug, Vocabulary, load_vocabulary
from reasoner.knowledge.codes import prefix_systems
from reasoner.knowledge.namespaces import EX, TRD

#: FHIR's own code system of Condition.clinicalStatus (a FHIR-defined status, not a terminology
#: the ontology maps codes from, so it is not a ``trd:CodeSystem``; the importer ignores it).
CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
#: HGNC, the gene naming system of the genotype Observation's "gene studied" component
#: (docs/fhir-profile.md, ABCB1 genotype row); the importer reads the gene from the LOINC code.
HGNC = "http://www.genenames.org"

#: Diagnoses: (Turtle class, ICD-10-CM code). Codes from docs/fhir-profile.md Condition table.
DX_MDD_RECURRENT = ("MDDRecurrentDiagnosis", "F33.1")
DX_MDD_SINGLE = ("MDDSingleEpisodeDiagnosis", "F32.1")
DX_PSYCHOTIC = ("MDDWithPsychoticFeaturesDiagnosis", "F33.3")
DX_BIPOLAR = ("BipolarIIDiagnosis", "F31.81")
DX_HYPOTHYROID = ("HypothyroidismDiagnosis", "E03.9")
DX_OSA = ("ObstructiveSleepApneaDiagnosis", "G47.33")
DX_SUD = ("SubstanceUseDisorderDiagnosis", "F10.20")
#: SNOMED statusReason codes (fhir-profile.md): adverse effect -> intolerance; noncompliance.
STOP_INTOLERANCE = ("stop-intolerance", "59037007")
STOP_NONADHERENCE = ("stop-nonadherence", "129834002")

#: "Gene studied" component of a genotype Observation (fhir-profile.md, ABCB1 genotype row).
GENE_STUDIED_LOINC = "48018-6"

MALFORMED_KINDS = ("score-out-of-range", "adherence-out-of-range", "end-before-start", "unknown-drug")


@dataclass
class Trial:
    """One antidepressant trial as generated (the facts both formats carry)."""

    tid: str
    drug: Drug | None           # None: an unknown drug code (malformed)
    start: dt.date
    end: dt.date
    dose: float | None
    adherence: float | None
    stop: tuple[str, str] | None = None
    augment: Drug | None = None


@dataclass
class Record:
    """One generated patient."""

    pid: str
    birth: dt.date
    gender: str
    diagnoses: list[tuple[str, tuple[str, str], dt.date, bool]] = field(default_factory=list)
    trials: list[Trial] = field(default_factory=list)
    scores: list[tuple[str, str, int, dt.date]] = field(default_factory=list)       # id, instrument, score, date
    labs: list[tuple[str, str, float, dt.date]] = field(default_factory=list)       # id, analyte, value, date
    phenotypes: list[tuple[str, str, str, dt.date]] = field(default_factory=list)   # id, gene, level, date
    genotypes: list[tuple[str, str, str, dt.date]] = field(default_factory=list)    # id, variant, alleles, date
    malformed: list[str] = field(default_factory=list)
    fhir_only_breakage: list[str] = field(default_factory=list)


def _days(n: float) -> dt.timedelta:
    return dt.timedelta(days=int(n))


def generate_patient(index: int, seed: int, vocab: Vocabulary, ref_date: dt.date) -> Record:
    """Patient number ``index`` of the cohort with ``seed`` (deterministic, independent of others)."""
    rng = random.Random(f"{seed}:{index}")
    pid = f"p{index:07d}"
    rec = Record(pid, ref_date - _days(rng.uniform(18, 80) * 365.25), rng.choice(("female", "female", "male")))
    episode_months = rng.choice((3, 6, 9, 12, 18, 24, 30, 36, 48, 60))
    onset = ref_date - _days(episode_months * 30.44 + rng.uniform(0, 30))
    psychotic = rng.random() < 0.02
    dx = DX_PSYCHOTIC if psychotic else (DX_MDD_RECURRENT if rng.random() < 0.6 else DX_MDD_SINGLE)
    rec.diagnoses.append((f"{pid}-dx1", dx, onset, True))
    for n, (share, code) in enumerate(((0.04, DX_BIPOLAR), (0.06, DX_HYPOTHYROID), (0.05, DX_OSA),
                                       (0.03, DX_SUD)), start=2):
        if rng.random() < share:
            rec.diagnoses.append((f"{pid}-dx{n}", code, onset - _days(rng.uniform(30, 2000)), rng.random() < 0.85))

    instrument = rng.choices(("HAMD17", "MADRS", "PHQ9"), weights=(60, 25, 15))[0]
    inst = vocab.instruments[instrument]
    top = inst.max_score or 52
    # Baseline severity as a share of the scale's range: moderate to severe depression.
    n_trials = rng.choices((1, 2, 3, 4, 5, 6), weights=(30, 27, 19, 12, 7, 5))[0]
    drugs = rng.sample(vocab.antidepressants, min(n_trials, len(vocab.antidepressants)))
    start = onset + _days(rng.uniform(7, 60))
    sid = 0
    for t, drug in enumerate(drugs, start=1):
        weeks = rng.choices((rng.uniform(2, 5.5), rng.uniform(6.5, 16)), weights=(25, 75))[0]
        end = start + _days(weeks * 7)
        if end >= ref_date:
            if t > 1:
                break
            # Every patient has at least one trial: a recent episode's first trial ends a week
            # before the evaluation date (no extra random draw, so other patients are unchanged).
            end = ref_date - _days(7)
            start = min(start, end - _days(28))
        assert drug.min_dose is not None
        dose = drug.min_dose * rng.choices((0.5, 1.0, 1.5, 2.0), weights=(18, 45, 25, 12))[0]
        adherence = None if rng.random() < 0.12 else round(
            rng.uniform(0.85, 1.0) if rng.random() < 0.85 else rng.uniform(0.4, 0.79), 2)
        trial = Trial(f"{pid}-t{t}", drug, start, end, round(dose, 1), adherence)
        roll = rng.random()
        if roll < 0.08:
            trial.stop = STOP_INTOLERANCE
            trial.end = start + _days(rng.uniform(7, 30))
        elif roll < 0.11:
            trial.stop = STOP_NONADHERENCE
            trial.adherence = round(rng.uniform(0.3, 0.7), 2)  # stopped for nonadherence: doses missed
        if vocab.augmenting and rng.random() < 0.1:
            trial.augment = rng.choice(vocab.augmenting)
        rec.trials.append(trial)
        # Scores around the trial: baseline up to 20 days before, endpoint in its last week.
        baseline = int(top * rng.uniform(0.38, 0.6))
        outcome = rng.choices(("remission", "response", "partial", "none"), weights=(28, 14, 16, 42))[0]
        factor = {"remission": rng.uniform(0.05, 0.2), "response": rng.uniform(0.3, 0.5),
                  "partial": rng.uniform(0.52, 0.74), "none": rng.uniform(0.8, 1.05)}[outcome]
        if rng.random() > 0.05:
            sid += 1
            rec.scores.append((f"{pid}-s{sid}", instrument, baseline, trial.start - _days(rng.uniform(1, 20))))
        if rng.random() > 0.05:
            sid += 1
            rec.scores.append((f"{pid}-s{sid}", instrument, max(0, int(baseline * factor)),
                               trial.end - _days(rng.uniform(0, 6))))
        if outcome == "remission" and trial.stop is None:
            break  # a remitted patient's treatment goes on: no next trial to record
        start = trial.end + _days(rng.uniform(15, 60))  # > 14 days: a new trial, not a merge

    lab_date = onset + _days(rng.uniform(0, 60))
    lid = 0
    for analyte, share, draw in (
            ("TSH", 0.6, lambda: rng.choices((rng.uniform(0.4, 4.4), rng.uniform(4.6, 9.5), rng.uniform(10.5, 18)),
                                             weights=(92, 6, 2))[0]),
            ("CRP", 0.4, lambda: rng.choices((rng.uniform(0.2, 2.9), rng.uniform(3.1, 4.9), rng.uniform(5.1, 15)),
                                             weights=(72, 14, 14))[0]),
            ("DSTCortisol", 0.05, lambda: rng.choices((rng.uniform(0.5, 4.8), rng.uniform(5.2, 12)), weights=(70, 30))[0]),
            ("AHI", 0.08, lambda: rng.choices((rng.uniform(0, 4.5), rng.uniform(5.5, 40)), weights=(55, 45))[0])):
        if rng.random() < share:
            lid += 1
            rec.labs.append((f"{pid}-l{lid}", analyte, round(draw(), 2), lab_date + _days(lid)))
    for gene in ("CYP2C19", "CYP2D6"):
        if rng.random() < 0.1:
            level = rng.choices(("poor", "intermediate", "normal", "rapid", "ultrarapid"), weights=(5, 25, 45, 15, 10))[0]
            rec.phenotypes.append((f"{pid}-{gene.lower()}", gene, level, lab_date))
    if rng.random() < 0.05:
        variant, risk = rng.choice((("rs2032583", "T/T"), ("rs2235015", "G/G")))
        alleles = risk if rng.random() < 0.6 else rng.choice(("C/T", "C/C")) if variant == "rs2032583" else "G/T"
        rec.genotypes.append((f"{pid}-abcb1", variant, alleles, lab_date))

    if rng.random() < 0.01:
        _malform(rec, rng, inst.max_score)
    if rng.random() < 0.002 and (rec.scores or rec.labs):
        rec.fhir_only_breakage.append("truncated-json-line")
    return rec


def _malform(rec: Record, rng: random.Random, max_score: int | None) -> None:
    """Put one realistic defect into a record (the validator or importer must report it)."""
    kind = rng.choice(MALFORMED_KINDS)
    if kind == "score-out-of-range" and rec.scores and max_score is not None:
        sid, inst, _, date = rec.scores[0]
        rec.scores[0] = (sid, inst, max_score + 8, date)
    elif kind == "adherence-out-of-range" and rec.trials:
        rec.trials[0].adherence = 1.4
    elif kind == "end-before-start" and rec.trials:
        trial = rec.trials[0]
        trial.start, trial.end = trial.end, trial.start
    elif kind == "unknown-drug" and rec.trials:
        rec.trials[0].drug = None
    else:
        return
    rec.malformed.append(kind)


# --- Turtle -------------------------------------------------------------------------------------
TURTLE_PREFIXES = (f"@prefix trd: <{TRD}> .\n@prefix ex: <{EX}> .\n"
                   "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n\n")


def _local(iri: str) -> str:
    """``trd:name`` for an ontology IRI (all generated terms are in the trd: namespace)."""
    return "trd:" + iri[len(str(TRD)):] if iri.startswith(str(TRD)) else f"<{iri}>"


def _d(date: dt.date) -> str:
    return f'"{date.isoformat()}"^^xsd:date'


def to_turtle(rec: Record, vocab: Vocabulary) -> str:
    """The patient graph of one record (data-model §6; no prefixes: see TURTLE_PREFIXES)."""
    p = rec.pid
    out = [f'ex:{p} a trd:Patient ; trd:identifier "{p}" ; trd:birthDate {_d(rec.birth)} ; trd:gender "{rec.gender}" .']
    for did, (cls, code), onset, active in rec.diagnoses:
        out.append(f'ex:{did} a trd:{cls} ; trd:patient ex:{p} ; trd:onsetDate {_d(onset)} ; '
                   f'trd:isActive {"true" if active else "false"} ; trd:sourceCode "ICD10CM:{code}" .')
    for t in rec.trials:
        drug = _local(t.drug.iri) if t.drug else f"ex:unknown-drug-{t.tid}"
        parts = [f'ex:{t.tid} a trd:AntidepressantTrial ; trd:patient ex:{p} ; trd:identifier "{t.tid}"',
                 f"trd:drug {drug}", f"trd:startDate {_d(t.start)}", f"trd:endDate {_d(t.end)}"]
        if t.dose is not None:
            parts.append(f'trd:dailyDoseMg "{t.dose}"^^xsd:decimal')
        if t.adherence is not None:
            parts.append(f'trd:adherence "{t.adherence}"^^xsd:decimal')
        if t.stop is not None:
            parts.append(f"trd:stopReason trd:{t.stop[0]}")
        if t.augment is not None:
            parts.append(f"trd:augmentedWith {_local(t.augment.iri)}")
        out.append(" ;\n    ".join(parts) + " .")
    for sid, inst, score, date in rec.scores:
        out.append(f'ex:{sid} a trd:Assessment ; trd:patient ex:{p} ; trd:instrument trd:{inst} ; '
                   f'trd:score {score} ; trd:date {_d(date)} .')
    for lid, analyte, value, date in rec.labs:
        a = vocab.analytes[analyte]
        out.append(f'ex:{lid} a trd:LabMeasurement ; trd:patient ex:{p} ; trd:analyte trd:{analyte} ; '
                   f'trd:value "{value}"^^xsd:decimal ; trd:unit {_local(a.unit_iri or "")} ; trd:date {_d(date)} .')
    for gid, gene, level, date in rec.phenotypes:
        out.append(f'ex:{gid} a trd:PhenotypeResult ; trd:patient ex:{p} ; trd:gene trd:{gene} ; '
                   f'trd:phenotype trd:phenotype-{level} ; trd:date {_d(date)} .')
    for gid, variant, alleles, date in rec.genotypes:
        out.append(f'ex:{gid} a trd:GenotypeResult ; trd:patient ex:{p} ; trd:gene trd:ABCB1 ; '
                   f'trd:variant trd:{variant} ; trd:alleles "{alleles}" ; trd:date {_d(date)} .')
    return "\n".join(out) + "\n\n"


# --- FHIR ---------------------------------------------------------------------------------------
def _ref(pid: str) -> dict[str, str]:
    return {"reference": f"Patient/{pid}"}


def _cc(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    coding: dict[str, str] = {"system": system, "code": code}
    if display:
        coding["display"] = display
    return {"coding": [coding]}


def to_fhir(rec: Record, vocab: Vocabulary) -> Iterator[tuple[str, dict[str, Any]]]:
    """(resource type, resource) for one record (shaped per docs/fhir-profile.md).

    Code system URIs are the ontology's (``prefix_systems``): one table for importer and generator.
    """
    systems = prefix_systems()
    icd10, rxnorm, snomed, ucum = systems["ICD10CM"], systems["RXNORM"], systems["SNOMEDCT"], systems["UCUM"]
    p = rec.pid
    yield "Patient", {"resourceType": "Patient", "id": p, "birthDate": rec.birth.isoformat(), "gender": rec.gender}
    for did, (_, code), onset, active in rec.diagnoses:
        yield "Condition", {"resourceType": "Condition", "id": did, "subject": _ref(p),
                            "clinicalStatus": _cc(CLINICAL, "active" if active else "resolved"),
                            "code": _cc(icd10, code), "onsetDateTime": onset.isoformat()}
    for t in rec.trials:
        ms: dict[str, Any] = {
            "resourceType": "MedicationStatement", "id": t.tid, "status": "stopped" if t.stop else "completed",
            "subject": _ref(p),
            "medicationCodeableConcept": _cc(rxnorm, t.drug.rxnorm or "", t.drug.name) if t.drug
            else _cc(rxnorm, "0000000", "unknown product"),
            "effectivePeriod": {"start": t.start.isoformat(), "end": t.end.isoformat()}}
        if t.dose is not None:
            ms["dosage"] = [{"doseAndRate": [{"doseQuantity": {"value": t.dose, "unit": "mg", "system": ucum,
                                                               "code": "mg"}}],
                             "timing": {"repeat": {"frequency": 1, "period": 1, "periodUnit": "d"}}}]
        if t.stop is not None:
            ms["statusReason"] = [_cc(snomed, t.stop[1])]
        yield "MedicationStatement", ms
        if t.adherence is not None:
            yield "Observation", {"resourceType": "Observation", "id": f"{t.tid}-adh", "status": "final",
                                  "subject": _ref(p),
                                  "code": _cc(vocab.adherence.system, vocab.adherence.code) if vocab.adherence
                                  else _cc(systems["TRD"], "adherence"),
                                  "focus": [{"reference": f"MedicationStatement/{t.tid}"}],
                                  "effectiveDateTime": t.end.isoformat(),
                                  "valueQuantity": {"value": t.adherence, "unit": "1", "system": ucum, "code": "1"}}
        if t.augment is not None:
            yield "MedicationStatement", {
                "resourceType": "MedicationStatement", "id": f"{t.tid}-aug", "status": "completed", "subject": _ref(p),
                "medicationCodeableConcept": _cc(rxnorm, t.augment.rxnorm or "", t.augment.name),
                "effectivePeriod": {"start": (t.start + _days(7)).isoformat(), "end": t.end.isoformat()}}
    for sid, inst, score, date in rec.scores:
        c = vocab.instruments[inst]
        yield "Observation", {"resourceType": "Observation", "id": sid, "status": "final", "subject": _ref(p),
                              "code": _cc(c.system, c.code), "effectiveDateTime": date.isoformat(), "valueInteger": score}
    for lid, analyte, value, date in rec.labs:
        a = vocab.analytes[analyte]
        yield "Observation", {"resourceType": "Observation", "id": lid, "status": "final", "subject": _ref(p),
                              "code": _cc(a.system, a.code), "effectiveDateTime": date.isoformat(),
                              "valueQuantity": {"value": value, "unit": a.ucum or "", "system": ucum, "code": a.ucum or ""}}
    for gid, gene, level, date in rec.phenotypes:
        ph = vocab.phenotypes[level]
        g = vocab.genes.get(gene)
        if g is None:
            continue
        yield "Observation", {"resourceType": "Observation", "id": gid, "status": "final", "subject": _ref(p),
                              "code": _cc(g.system, g.code), "effectiveDateTime": date.isoformat(),
                              "valueCodeableConcept": _cc(ph.system, ph.code, level)}
    for gid, variant, alleles, date in rec.genotypes:
        g = vocab.genotype
        if g is None:
            continue
        yield "Observation", {"resourceType": "Observation", "id": gid, "status": "final", "subject": _ref(p),
                              "code": _cc(g.system, g.code), "effectiveDateTime": date.isoformat(),
                              "component": [{"code": _cc(systems["LOINC"], GENE_STUDIED_LOINC, "gene studied"),
                                             "valueCodeableConcept": _cc(HGNC, "HGNC:40", "ABCB1")}],
                              "valueCodeableConcept": {"text": f"{variant} {alleles}"}}


# --- writing ------------------------------------------------------------------------------------
@dataclass
class GenerationStats:
    """What was written, for the benchmark log."""

    patients: int = 0
    trials: int = 0
    turtle_files: int = 0
    fhir_lines: int = 0
    malformed: int = 0
    fhir_broken_lines: int = 0


def generate_cohort(out_dir: Path | str, patients: int, seed: int = 7, ref_date: dt.date = dt.date(2026, 1, 15),
                    turtle: bool = True, fhir: bool = True, patients_per_turtle_file: int = 1000,
                    patients_per_fhir_file: int = 250_000, vocab: Vocabulary | None = None) -> GenerationStats:
    """Write ``patients`` patients to ``out_dir/turtle/*.ttl`` and ``out_dir/fhir/*.ndjson``.

    Streams: one patient in memory at a time, files appended as they go. ``truth.jsonl`` lists
    the patients with a malformed record or FHIR-only breakage (for tests that compare formats).
    """
    vocab = vocab or load_vocabulary()
    out = Path(out_dir)
    for sub, suffix in (("turtle", ".ttl"), ("fhir", ".ndjson")):
        (out / sub).mkdir(parents=True, exist_ok=True)
        for old in (out / sub).glob(f"*{suffix}"):  # files are appended to: start clean
            old.unlink()
    stats = GenerationStats()
    ttl: IO[str] | None = None
    fhir_files: dict[str, IO[str]] = {}
    with open(out / "truth.jsonl", "w") as truth:
        try:
            for i in range(patients):
                rec = generate_patient(i, seed, vocab, ref_date)
                stats.patients += 1
                stats.trials += len(rec.trials)
                if rec.malformed or rec.fhir_only_breakage:
                    stats.malformed += bool(rec.malformed)
                    truth.write(json.dumps({"id": rec.pid, "malformed": rec.malformed,
                                            "fhirOnly": rec.fhir_only_breakage}) + "\n")
                if turtle:
                    if i % patients_per_turtle_file == 0:
                        if ttl is not None:
                            ttl.close()
                        ttl = open(out / "turtle" / f"patients-{i // patients_per_turtle_file:05d}.ttl", "w")
                        ttl.write(TURTLE_PREFIXES)
                        stats.turtle_files += 1
                    assert ttl is not None
                    ttl.write(to_turtle(rec, vocab))
                if fhir:
                    if i % patients_per_fhir_file == 0:
                        for handle in fhir_files.values():
                            handle.close()
                        fhir_files.clear()
                    part = i // patients_per_fhir_file
                    broken = bool(rec.fhir_only_breakage)
                    for rtype, resource in to_fhir(rec, vocab):
                        handle = fhir_files.get(rtype)
                        if handle is None:
                            handle = fhir_files[rtype] = open(out / "fhir" / f"{rtype}.{part:03d}.ndjson", "a")
                        line = json.dumps(resource, separators=(",", ":"))
                        if broken and rtype == "Observation":
                            line, broken = line[: len(line) // 2], False  # a transfer cut mid-line
                            stats.fhir_broken_lines += 1
                        handle.write(line + "\n")
                        stats.fhir_lines += 1
        finally:
            if ttl is not None:
                ttl.close()
            for handle in fhir_files.values():
                handle.close()
    (out / "generation.json").write_text(json.dumps({**stats.__dict__, "seed": seed,
                                                      "refDate": ref_date.isoformat()}, indent=2))
    return stats


__all__ = ["Record", "Trial", "generate_patient", "to_turtle", "to_fhir", "generate_cohort", "GenerationStats",
           "TURTLE_PREFIXES", "MALFORMED_KINDS"]
