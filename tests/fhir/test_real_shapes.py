"""Issue 15: every shape a real EHR export sends, read as docs/fhir-profile.md says.

The corpus (tests/fhir/real-shapes/, written by tests/fhir/real_shapes_corpus.py) tells one
patient story per input, with trial B written in the shape under test (see that module): read
right, B makes TRD ``confirmed``; B with an unknown fact makes it ``possible``; B ruled out or
lost makes it ``not-met``. The expectations below are worked out by hand from the profile and
the clinical reference (default policy, as-of 2026-01-15: minimum 6 weeks, adherence 0.80,
venlafaxine minimum 150 mg/day, HAM-D remission ≤ 7, PHQ-9 remission ≤ 4, response 50%), never
read back from the code. For every input, every resource is accounted for:
seen = mapped + not relevant + data issues, per resource type.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from reasoner.inputs import read_input
from reasoner.pipeline import Pipeline

CORPUS = Path(__file__).resolve().parent / "real-shapes"
AS_OF = "2026-01-15"


@dataclass
class Expect:
    """What one input must give (hand-written)."""

    status: str
    #: trial B (venlafaxine): adequacy, reasons, daily dose, adherence; None: no venlafaxine trial
    b: tuple[str, tuple[str, ...], float | None, float | None] | None
    left_out: frozenset = frozenset()  # (type, id) of resources left out with a data issue
    not_relevant: frozenset = frozenset()  # (type, id) of resources counted as not relevant
    kinds: tuple[str, ...] = ()  # kinds of the data issues on mapped resources (with repeats)
    extra: dict = field(default_factory=dict)  # further checks by name (see the test)


ADEQUATE = ("adequate", (), 150.0, 0.9)
LOST = frozenset({("MedicationStatement", "b1"), ("Observation", "ad-b1")})

EXPECTED: dict[str, Expect] = {
    # references: every form resolves, so B is read and TRD is confirmed
    "01-relative-references": Expect("confirmed", ADEQUATE),
    "02-absolute-references": Expect("confirmed", ADEQUATE),
    "03-transaction-urn-uuid": Expect("confirmed", ADEQUATE),
    "04-contained-medication": Expect("confirmed", ADEQUATE),
    "05-referenced-medication": Expect("confirmed", ADEQUATE),
    "06-identifier-subject": Expect("confirmed", ADEQUATE),
    "07-identifier-medication": Expect("confirmed", ADEQUATE),
    # a Medication not in the input: the drug is unknown, B is left out (and its adherence)
    "08-unresolvable-medication": Expect("not-met", None, left_out=LOST),
    # timing codes and repeats: 75 BID, 50 TID, 50 Q8H, 150 QD, 75 q12h, 525 twice a week = 150/day
    "09-timing-code-bid": Expect("confirmed", ADEQUATE),
    "10-timing-code-tid": Expect("confirmed", ADEQUATE),
    "11-timing-code-q8h": Expect("confirmed", ADEQUATE),
    "12-timing-code-qd": Expect("confirmed", ADEQUATE),
    "13-repeat-hours": Expect("confirmed", ADEQUATE),
    "14-repeat-week": Expect("confirmed", ADEQUATE),
    # the lower daily dose of a range: 75 mg once or twice a day -> 75; 150 mg every 1-2 days -> 75
    "15-frequency-max": Expect("not-met", ("inadequate", ("dose-below-minimum",), 75.0, 0.9), kinds=("dose assumption",)),
    "16-period-max": Expect("not-met", ("inadequate", ("dose-below-minimum",), 75.0, 0.9), kinds=("dose assumption",)),
    "17-when-only": Expect("confirmed", ADEQUATE, kinds=("dose assumption",)),
    # PRN: no regular daily dose -> dose unknown, B indeterminate, TRD possible
    "18-as-needed": Expect("possible", ("indeterminate", ("dose-unknown",), None, 0.9), kinds=("dose unknown",)),
    # dose units: 2 × 75 mg tablets, 1 × 150 mg capsule, 10 mL × 15 mg/mL, 10 mL × 75 mg/5 mL, 0.15 g
    "19-tablets-scd": Expect("confirmed", ADEQUATE),
    "20-capsule-er": Expect("confirmed", ADEQUATE),
    "21-oral-solution-ml": Expect("confirmed", ADEQUATE),
    "22-ingredient-strength-ml": Expect("confirmed", ADEQUATE),
    "23-dose-in-grams": Expect("confirmed", ADEQUATE),
    "24-dose-range": Expect("confirmed", ADEQUATE, kinds=("dose assumption",)),
    # an order of 30 days with 2 repeats covers 90 days; three 30-day dispenses cover all of it
    "25-order-repeats-three-dispenses": Expect("confirmed", ("adequate", (), 150.0, 1.0)),
    # one dispense of the three: PDC 30/90 -> adherence below 0.80 -> inadequate
    "26-order-repeats-one-dispense": Expect("not-met", ("inadequate", ("adherence-below-threshold",), 150.0, 0.333333)),
    "27-dispense-contained-no-unit": Expect("confirmed", ("adequate", (), 150.0, 1.0)),
    # refills without dispenses or adherence: one 90-day trial, adherence unknown
    "28-refills-without-dispenses": Expect("possible", ("indeterminate", ("adherence-unknown",), 150.0, None)),
    # text and NDC: matched by the ingredient the text names (said so), else left out
    "29-text-only-ingredient": Expect("confirmed", ADEQUATE, kinds=("matched by name",)),
    "30-text-only-brand": Expect("not-met", None, left_out=LOST),
    "31-ndc-with-display": Expect("confirmed", ADEQUATE, kinds=("matched by name",)),
    "32-ndc-without-display": Expect("not-met", None, left_out=LOST),
    "33-rxnorm-code-without-display": Expect("not-met", None, left_out=LOST),
    # a start in April 2025 (any day 04-01..04-30) to 07-07: at least 68 days = 9.714 weeks >= 6 on
    # every day: adequate; the trial starts (for the outcome) on its first day, 04-01: baseline HAM-D
    # 22 (03-15), endpoint 21 (07-05): non-response, failed
    "34-partial-start-month": Expect("confirmed", ("adequate", (), 150.0, 0.9), kinds=("imprecise date",),
                                     extra={"weeks": 9.714}),
    # a start in 2025 to 07-07: 0 to 26.7 weeks -> duration unknown; no baseline by 2025-01-01
    "35-partial-start-year": Expect("possible", ("indeterminate", ("duration-unknown",), 150.0, 0.9),
                                    kinds=("imprecise date",)),
    "36-datetime-offsets": Expect("confirmed", ADEQUATE, extra={"start": "2025-04-07", "end": "2025-07-07"}),
    # issue 16: 2025-02-30 is no date: B kept, start unknown -> duration unknown, no baseline
    "37-impossible-start-date": Expect("possible", ("indeterminate", ("duration-unknown",), 150.0, 0.9),
                                       kinds=("bad date",), extra={"start": None}),
    # onset only bounded by recordedDate: the diagnosis counts, no episode start (every trial counts)
    "38-recorded-date-only": Expect("confirmed", ADEQUATE, kinds=("imprecise date",), extra={"maudsley": None}),
    "39-onset-year-only": Expect("confirmed", ADEQUATE, kinds=("imprecise date",), extra={"maudsley": "set"}),
    # PHQ-9 20 -> 18 on B: 10% reduction, not remitted -> failed
    "40-phq9-value-quantity": Expect("confirmed", ADEQUATE),
    "41-phq9-value-string": Expect("confirmed", ADEQUATE),
    "42-phq9-effective-instant": Expect("confirmed", ADEQUATE),
    "43-phq9-panel-component": Expect("confirmed", ADEQUATE),
    "44-phq9-panel-member-total": Expect("confirmed", ADEQUATE),
    "45-phq9-panel-items": Expect("confirmed", ADEQUATE, kinds=("total summed", "total summed")),
    # 7 of 9 items and no total: no score -> B's outcome unknown -> possibly failed
    "46-phq9-panel-missing-items": Expect("possible", ADEQUATE,
                                          left_out=frozenset({("Observation", "pb0"), ("Observation", "pb1")})),
    "47-phq9-questionnaire-total": Expect("confirmed", ADEQUATE),
    "48-phq9-questionnaire-items": Expect("confirmed", ADEQUATE, kinds=("total summed", "total summed")),
    # a baseline dated 2025-04 (any day 04-01..04-30) is not on or before B's start (04-07) on
    # every day: no baseline, outcome unknown
    "49-phq9-partial-date": Expect("possible", ADEQUATE, kinds=("imprecise date",)),
    "50-snomed-single-episode": Expect("confirmed", ADEQUATE),
    # F32.A: the trials are the same whether or not the code maps (see test_f32a_… below)
    "51-icd10-f32a-unspecified": Expect("confirmed", ADEQUATE),
    # refuted / entered-in-error bipolar diagnoses are ignored (counted); a confirmed one excludes
    "52-bipolar-refuted": Expect("confirmed", ADEQUATE, not_relevant=frozenset({("Condition", "bp1")})),
    "53-bipolar-entered-in-error": Expect("confirmed", ADEQUATE, not_relevant=frozenset({("Condition", "bp1")})),
    "54-bipolar-confirmed": Expect("excluded", ADEQUATE),
    # an entered-in-error statement and a plan are no trials (counted as not relevant)
    "55-statement-entered-in-error": Expect("not-met", None, left_out=frozenset({("Observation", "ad-b1")}),
                                            not_relevant=frozenset({("MedicationStatement", "b1")})),
    "56-request-intent-plan": Expect("not-met", None, not_relevant=frozenset({("MedicationRequest", "rb1")})),
    # noncompliance evidence and no adherence number: below threshold (fhir-profile "Adherence" 3)
    "57-stopped-noncompliance": Expect("not-met", ("inadequate", ("adherence-below-threshold",), 150.0, None)),
    "58-noncompliance-condition": Expect("not-met", ("inadequate", ("adherence-below-threshold",), 150.0, None)),
    "59-noncompliance-observation-outside": Expect("possible", ("indeterminate", ("adherence-unknown",), 150.0, None)),
    # a searchset repeats its included Patient and carries an OperationOutcome
    "60-searchset-with-includes": Expect("confirmed", ADEQUATE, not_relevant=frozenset({
        ("Patient", "p1"), ("OperationOutcome", "oo1")})),
    "61-bulk-folder": Expect("confirmed", ADEQUATE),
    # issue 16: a truncated line is a data issue naming its file and line (and its patient)
    "62-bulk-truncated-line": Expect("not-met", None, left_out=frozenset({
        ("MedicationStatement", "MedicationStatement.ndjson:2"), ("Observation", "ad-b1")})),
}


def _inputs() -> list[str]:
    return sorted(p.name.removesuffix(".json") for p in CORPUS.iterdir())


def _path(name: str) -> Path:
    return CORPUS / name if (CORPUS / name).is_dir() else CORPUS / f"{name}.json"


def _resources_in(path: Path) -> Counter:
    """Resources per type in an input, counted without the importer (entries; NDJSON lines)."""
    seen: Counter = Counter()
    if path.is_dir():
        for f in sorted(path.glob("*.ndjson")):
            for line in f.read_text().splitlines():
                if line.strip():
                    seen[f.name.split(".")[0]] += 1
        return seen
    for entry in json.loads(path.read_text())["entry"]:
        seen[entry["resource"]["resourceType"]] += 1
    return seen


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline(policy="default", as_of=AS_OF)


@pytest.fixture(scope="module")
def assessed(pipeline):
    cache: dict[str, tuple] = {}

    def run(name: str):
        if name not in cache:
            data = read_input(_path(name), AS_OF)
            cache[name] = (data, pipeline.assess(data.graph, derived="none", issues=data.issues))
        return cache[name]
    return run


def test_the_corpus_has_one_input_per_shape_and_every_input_has_an_expectation():
    assert len(_inputs()) >= 40
    assert set(_inputs()) == set(EXPECTED)


def _expect(name: str) -> Expect:
    """The expectation of an input; F32.A's depends on whether this ontology maps the code yet."""
    expect = EXPECTED[name]
    if name == "51-icd10-f32a-unspecified":
        if _f32a_maps():
            return Expect(expect.status, expect.b, kinds=("code note",))
        return Expect(expect.status, expect.b, not_relevant=frozenset({("Condition", "dx1")}))
    return expect


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_resource_is_accounted_for(name, assessed):
    data, _ = assessed(name)
    [report] = data.reports
    seen = _resources_in(_path(name))
    assert {t: c.read for t, c in report.counts.items()} == dict(seen)
    for rtype, c in report.counts.items():
        assert c.read == c.mapped + c.notRelevant + c.issues, rtype
    assert report.consistent()
    expect = _expect(name)
    left_out = {(u.resourceType, u.id.rsplit("/", 1)[-1]) for u in report.unmapped if u.category == "data issue"}
    not_relevant = {(u.resourceType, u.id) for u in report.unmapped if u.category == "not relevant"}
    assert left_out == set(expect.left_out)
    assert not_relevant == set(expect.not_relevant)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_trials_adherence_and_trd_status(name, assessed):
    data, result = assessed(name)
    expect = _expect(name)
    [patient] = result.patients
    assert patient["id"] in ("p1", "7a1d0000-0000-4000-8000-000000000000")
    assert patient["trd"]["status"] == expect.status
    trials = {t["drug"]: t for t in patient["trials"]}
    sertraline = trials.pop("sertraline")  # trial A is the same in every input
    assert (sertraline["adequacy"], sertraline["failed"]) == ("adequate", True)
    if expect.b is None:
        assert "venlafaxine" not in trials
    else:
        b = trials["venlafaxine"]
        adequacy, reasons, dose, adherence = expect.b
        assert (b["adequacy"], tuple(b["reasons"])) == (adequacy, reasons)
        assert b["dailyDoseMg"] == (pytest.approx(dose) if dose is not None else None)
        assert b["adherence"] == (pytest.approx(adherence, abs=1e-5) if adherence is not None else None)
        for key in ("start", "end"):
            if key in expect.extra:
                assert b[key] == expect.extra[key]
        if "weeks" in expect.extra:
            assert b["weeksAtAdequateDose"] == pytest.approx(expect.extra["weeks"])
    if "maudsley" in expect.extra:
        maudsley = patient["stages"]["maudsley"]
        assert (maudsley is None) if expect.extra["maudsley"] is None else (maudsley is not None)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_data_issues_reach_the_assess_output(name, assessed):
    """Every import data issue is in the patient's dataIssues (resource or source, message, effect)."""
    data, result = assessed(name)
    expect = _expect(name)
    [patient] = result.patients
    imported = [i for i in patient["dataIssues"] if "effect" in i]
    assert len(imported) == len(data.issues)
    assert all(i["message"] and i["effect"] and (i.get("resource") or i.get("source")) for i in imported)
    left_out = [i for i in imported if i.get("kind") not in set(expect.kinds)]
    assert len(left_out) == len(expect.left_out)
    assert Counter(i["kind"] for i in imported if i.get("kind") in set(expect.kinds)) == Counter(expect.kinds)


def test_a_truncated_line_names_its_file_and_line_and_its_patient(assessed):
    _, result = assessed("62-bulk-truncated-line")
    [patient] = result.patients
    [issue] = [i for i in patient["dataIssues"] if i.get("kind") == "unreadable line"]
    assert issue["source"] == "MedicationStatement.ndjson:2" and issue["severity"] == "warning"
    assert "not valid JSON" in issue["message"] and issue["effect"].startswith("record left out")


def test_noncompliance_is_the_evidence_of_adherence_below_threshold(assessed):
    _, result = assessed("58-noncompliance-condition")
    [patient] = result.patients
    b = next(t for t in patient["trials"] if t["drug"] == "venlafaxine")
    assert any(item.get("resource") == "Condition/nc1" for item in b["evidence"])
    assert "nonadherence" in {p["code"] for p in patient["pseudoResistance"]}


def test_imprecise_dates_are_explained(assessed):
    _, result = assessed("34-partial-start-month")
    [patient] = result.patients
    [issue] = [i for i in patient["dataIssues"] if i.get("kind") == "imprecise date"]
    assert issue["resource"] == "MedicationStatement/b1" and "2025-04-01 to 2025-04-30" in issue["message"]


def test_summed_items_are_said_so(assessed):
    _, result = assessed("48-phq9-questionnaire-items")
    [patient] = result.patients
    sums = sorted(i["message"] for i in patient["dataIssues"] if i.get("kind") == "total summed")
    assert sums == ["total summed from its 9 items (questionnaire answers): 18",
                    "total summed from its 9 items (questionnaire answers): 20"]


def _f32a_maps() -> bool:
    from reasoner.fhir.context import get_context
    from reasoner.knowledge.namespaces import TRD

    return bool(get_context().codes.terms("ICD10CM", "F32.A", TRD.Diagnosis))


def test_f32a_counts_and_the_explanation_says_the_diagnosis_was_unspecified(assessed):
    """F32.A (fhir-profile Condition table). Its xref is added on another branch (arch-docs): until it
    is merged the code is unknown here and this test is an expected failure."""
    if not _f32a_maps():
        pytest.xfail("ICD-10-CM F32.A is not mapped in this ontology yet (its xref comes with the arch-docs branch)")
    _, result = assessed("51-icd10-f32a-unspecified")
    [patient] = result.patients
    [note] = [i for i in patient["dataIssues"] if i.get("kind") == "code note"]
    assert note["resource"] == "Condition/dx1" and "unspecified" in note["message"]
    assert patient["stages"]["maudsley"] is not None  # the diagnosis opens the episode


def test_a_code_note_explains_an_unspecified_diagnosis_once_its_code_maps(tmp_path):
    """The note mechanism itself, on a copy of the ontology where F32.A maps (as it will after the
    arch-docs merge): the diagnosis counts and an info issue says it was unspecified."""
    from reasoner.fhir.context import get_context
    from reasoner.fhir.convert import resources_to_graph
    from reasoner.knowledge.paths import ONTOLOGY_TTL as ONTOLOGY_FILE

    onto = tmp_path / "trd.ttl"
    onto.write_text(ONTOLOGY_FILE.read_text(encoding="utf-8")
                    + '\ntrd:DepressiveDisorderDiagnosis oboInOwl:hasDbXref "ICD10CM:F32.A" .\n', encoding="utf-8")
    bundle = json.loads((CORPUS / "51-icd10-f32a-unspecified.json").read_text())
    _, report = resources_to_graph([e["resource"] for e in bundle["entry"]], ctx=get_context(onto))
    assert report.counts["Condition"].mapped == 1
    [note] = [i for i in report.issues if i.kind == "code note"]
    assert (note.resourceType, note.id, note.severity) == ("Condition", "dx1", "info")
    assert note.message == "the diagnosis was unspecified (ICD-10-CM F32.A, depression, unspecified)"
    assert note.effect == "counted as a depressive disorder diagnosis"
