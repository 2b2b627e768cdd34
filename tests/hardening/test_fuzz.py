"""Property-based fuzzing (Hypothesis) of the two untrusted inputs: FHIR resources and Turtle.

Hostile values — impossible or far dates, NaN/Infinity/huge/ill-typed numbers, ids with
separators, NUL, newlines and long runs, unicode (bidi controls, astral planes), deep nesting —
are put into a real FHIR Bundle (the repository's example, mutated leaf by leaf) and into a
Turtle patient graph. The invariants, for every generated input:

* no exception escapes but a :class:`~reasoner.errors.TrdError` (a one-line error, exit 2 by
  the contract) — anything else would be a traceback or an ``internal error`` for a user;
* the FHIR import report is consistent: read = mapped + not mapped per resource type, and every
  resource the Bundle holds is counted as read (no record silently dropped);
* the assessment is strict JSON (no NaN/Infinity) that validates against
  docs/schema/assess-output.schema.json, and the exit code follows from it (1 with a violation);
* a trial whose dose or adherence is no usable number is never ``adequate``.

The budget is fixed (``max_examples``, derandomized, no example database), so CI runs the same
inputs every time in well under a minute; ``TRD_FUZZ_EXAMPLES`` raises it for a longer local
run. Each test counts the inputs it was given (printed with ``pytest -s``).
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reasoner.errors import TrdError
from reasoner.io.numbers import usable_number

REPO = Path(__file__).resolve().parent.parent.parent
SCHEMA = json.loads((REPO / "docs" / "schema" / "assess-output.schema.json").read_text())
EXAMPLE_BUNDLE = json.loads((REPO / "examples" / "trd-confirmed.fhir.json").read_text())
AS_OF = "2026-01-15"
EXAMPLES = int(os.environ.get("TRD_FUZZ_EXAMPLES", "40"))
FUZZ = settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                       HealthCheck.data_too_large])
COUNTS: dict[str, int] = {}

# --- hostile values ------------------------------------------------------------------------------
HOSTILE_TEXT = ["", " ", "/", "..", "../../etc/passwd", "a b", "\x00", "a\nb", "<>", "\"'\\", "x" * 5000,
                "\u202eevil", "\U0001d518nicode", "%2F", "urn:uuid:", "Patient/", "#frag", "?q=1", "\ufeff"]
HOSTILE_DATES = ["2025-02-30", "10000-01-01", "0000-01-01", "yesterday", "2025-13-01", "2025-00-10", "2025",
                 "2025-02", "2025-02-03T25:00:00Z", "2025-02-03T10:00:00+99:00", "1899-12-31", "2101-01-01",
                 "-2025-01-01", "2025-1-1", "9999-12-31T23:59:59.999999999Z"]
HOSTILE_NUMBERS: list[Any] = [float("nan"), float("inf"), float("-inf"), 1e308, 1e-308, -1.0, 0, 0.0,
                              10 ** 400, -(10 ** 400), True, False, "ten", "NaN", "Infinity", "1e309", None,
                              [], {}, 5e-324, 2 ** 63, 2 ** 64 + 1]

text_values = st.one_of(st.sampled_from(HOSTILE_TEXT), st.text(st.characters(blacklist_categories=("Cs",)),
                                                               max_size=40))
date_values = st.one_of(st.sampled_from(HOSTILE_DATES), st.dates().map(lambda d: d.isoformat()), text_values)
number_values = st.one_of(st.sampled_from(HOSTILE_NUMBERS), st.floats(), st.integers(),
                          st.decimals(allow_nan=False, allow_infinity=False).map(float))
leaf_values = st.one_of(text_values, date_values, number_values)


def nested(depth: int) -> Any:
    """A value nested ``depth`` lists/objects deep."""
    value: Any = "deep"
    for level in range(depth):
        value = [value] if level % 2 else {"value": value}
    return value


hostile_values = st.one_of(leaf_values, st.integers(1, 200).map(nested))


def count(name: str) -> None:
    COUNTS[name] = COUNTS.get(name, 0) + 1


@pytest.fixture(scope="module", autouse=True)
def report_counts() -> Any:
    yield
    print(f"\nfuzz inputs generated: {dict(sorted(COUNTS.items()))}, total {sum(COUNTS.values())}")


@pytest.fixture(scope="module")
def pipeline() -> Any:
    from reasoner.pipeline import Pipeline

    return Pipeline(as_of=AS_OF, backend="oxigraph")


def strict_json(text: str) -> Any:
    def refuse(constant: str) -> None:
        raise ValueError(f"non-finite number {constant} in the output")
    return json.loads(text, parse_constant=refuse)


def assess_checked(pipeline: Any, graph: Any) -> dict[str, Any]:
    """Assess, render as ``--format json`` does, and hold the output to the contract."""
    from reasoner.render.json import dumps

    result = pipeline.assess(graph)
    doc = strict_json(dumps(result.document()))
    jsonschema.validate(doc, SCHEMA)
    has_violation = any(i["severity"] == "violation" for p in doc["patients"] for i in p["dataIssues"])
    has_violation = has_violation or any(i["severity"] == "violation" for i in doc.get("dataIssues", []))
    assert result.conforms is not has_violation   # the exit code (0 or 1) follows from the document
    return doc


# --- FHIR ----------------------------------------------------------------------------------------
def _leaf_paths(node: Any, path: tuple = ()) -> list[tuple]:
    if isinstance(node, dict):
        return [p for k, v in node.items() for p in _leaf_paths(v, path + (k,))] or [path]
    if isinstance(node, list):
        return [p for i, v in enumerate(node) for p in _leaf_paths(v, path + (i,))] or [path]
    return [path]


LEAVES = [p for p in _leaf_paths(EXAMPLE_BUNDLE) if p and p[0] == "entry" and p[-1] != "resourceType"]


def _set(doc: Any, path: tuple, value: Any) -> None:
    for key in path[:-1]:
        doc = doc[key]
    doc[path[-1]] = value


@st.composite
def hostile_bundles(draw: st.DrawFn) -> dict[str, Any]:
    """The example Bundle with 1–6 leaves (ids, dates, doses, codes, references) replaced."""
    bundle = copy.deepcopy(EXAMPLE_BUNDLE)
    for path in draw(st.lists(st.sampled_from(LEAVES), min_size=1, max_size=6, unique=True)):
        _set(bundle, path, draw(hostile_values))
    if draw(st.booleans()):   # a second Patient with the same id and another birthDate
        patient = copy.deepcopy(bundle["entry"][0])
        patient["resource"]["birthDate"] = draw(date_values)
        bundle["entry"].append(patient)
    return bundle


@FUZZ
@given(bundle=hostile_bundles())
def test_fhir_bundle(pipeline: Any, tmp_path_factory: pytest.TempPathFactory, bundle: dict[str, Any]) -> None:
    from reasoner.fhir import load_patient_graph

    count("fhir")
    path = tmp_path_factory.mktemp("fuzz") / "bundle.json"
    # allow_nan: the input itself may hold NaN/Infinity tokens, as a broken exporter writes them
    path.write_text(json.dumps(bundle, allow_nan=True, ensure_ascii=False), encoding="utf-8")
    try:
        graph, report = load_patient_graph(path, as_of=None)
    except TrdError:
        return   # unreadable as a whole: one line, exit 2 (the contract)
    assert report.consistent(), report
    entries = [e for e in bundle["entry"] if isinstance(e, dict) and isinstance(e.get("resource"), dict)]
    assert sum(c.read for c in report.counts.values()) == len(entries), "a resource was neither mapped nor reported"
    assess_checked(pipeline, graph)


# --- Turtle --------------------------------------------------------------------------------------
XSD = "http://www.w3.org/2001/XMLSchema#"
DATATYPES = [None, "decimal", "double", "float", "integer", "string", "boolean", "positiveInteger", "date"]
LEXICALS = st.one_of(
    st.sampled_from(["NaN", "INF", "-INF", "+INF", "1e309", "1e308", "1" + "0" * 400, "high", "ten", "true", "",
                     " 60", "60 ", "1e2", "60.", ".5", "+.5", "-0", "0.1234567890123456789012", "9223372036854775808",
                     "0x3C", "6E1", "60,5", "٦٠", "∞", "1_000"]),
    st.floats().map(repr), st.integers().map(str), st.decimals(allow_nan=True).map(str), text_values)


def _turtle_string(text: str) -> str:
    """A Turtle string literal for any text (control characters escaped, never raw)."""
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _literal(lexical: str, datatype: str | None) -> str:
    return _turtle_string(lexical) + (f"^^<{XSD}{datatype}>" if datatype else "")


@st.composite
def hostile_turtle(draw: st.DrawFn) -> tuple[str, dict[str, tuple[str, str | None]]]:
    """A patient with a diagnosis and one trial whose numbers and identifiers are hostile."""
    values = {prop: (draw(LEXICALS), draw(st.sampled_from(DATATYPES)))
              for prop in ("dailyDoseMg", "adherence", "weeksAtAdequateDose", "score")}
    ident = draw(text_values)
    start = draw(st.one_of(st.just("2025-05-05"), date_values))
    text = f"""@prefix trd: <https://w3id.org/trd-reasoner/ontology#> .
@prefix ex: <https://example.org/trd/fuzz/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:p a trd:Patient ; trd:identifier {_turtle_string(ident)} ; trd:birthDate "1975-09-12"^^xsd:date .
ex:dx a trd:MDDSingleEpisodeDiagnosis ; trd:patient ex:p ; trd:onsetDate "2025-01-15"^^xsd:date ;
    trd:isActive true ; trd:sourceCode "ICD10CM:F32.2" .
ex:t1 a trd:AntidepressantTrial ; trd:patient ex:p ; trd:identifier "t1" ; trd:drug trd:duloxetine ;
    trd:startDate {_literal(start, "date")} ; trd:endDate "2025-06-30"^^xsd:date ;
    trd:dailyDoseMg {_literal(*values["dailyDoseMg"])} ; trd:adherence {_literal(*values["adherence"])} .
ex:a1 a trd:Assessment ; trd:patient ex:p ; trd:instrument trd:MADRS ; trd:score {_literal(*values["score"])} ;
    trd:date "2025-05-01"^^xsd:date .
"""
    if draw(st.booleans()):
        text += f"ex:t1 trd:weeksAtAdequateDose {_literal(*values['weeksAtAdequateDose'])} .\n"
    return text, values


def _usable(value: tuple[str, str | None]) -> bool:
    lexical, datatype = value
    return datatype in ("decimal", "double", "float", "integer", "positiveInteger") and usable_number(
        lexical, XSD + datatype)


@FUZZ
@given(case=hostile_turtle())
def test_turtle_patient(pipeline: Any, tmp_path_factory: pytest.TempPathFactory,
                        case: tuple[str, dict[str, tuple[str, str | None]]]) -> None:
    from reasoner.inputs import load_inputs

    count("turtle")
    text, values = case
    path = tmp_path_factory.mktemp("fuzz") / "patient.ttl"
    path.write_text(text, encoding="utf-8")
    try:
        graph = load_inputs([path], AS_OF)
    except TrdError:
        return   # not Turtle at all (the parser refused it): one line, exit 2
    doc = assess_checked(pipeline, graph)
    trials = [t for p in doc["patients"] for t in p["trials"] if t["id"] == "t1"]
    if not (_usable(values["dailyDoseMg"]) and _usable(values["adherence"])):
        assert all(t["adequacy"] != "adequate" for t in trials), (values, trials)


@settings(max_examples=max(4, EXAMPLES // 15), derandomize=True, database=None, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(case=hostile_turtle())
def test_turtle_through_the_cli(capsys: pytest.CaptureFixture[str], tmp_path_factory: pytest.TempPathFactory,
                                case: tuple[str, dict[str, tuple[str, str | None]]]) -> None:
    """A few of the same inputs through ``trd assess`` itself: the exit code per the contract."""
    from reasoner.cli.main import main

    count("turtle-cli")
    path = tmp_path_factory.mktemp("fuzz") / "patient.ttl"
    path.write_text(case[0], encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        main(["assess", str(path), "--as-of", AS_OF, "--format", "json"])
    out, err = capsys.readouterr()
    code = int(exit_info.value.code or 0)
    assert "Traceback" not in err and "internal error" not in err
    if code == 2:
        assert err.startswith("trd: error:") and len(err.strip().splitlines()) == 1 and out == ""
        return
    doc = strict_json(out)
    jsonschema.validate(doc, SCHEMA)
    violation = any(i["severity"] == "violation" for p in doc["patients"] for i in p["dataIssues"])
    assert code == (1 if violation else 0)
