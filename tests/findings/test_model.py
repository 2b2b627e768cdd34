"""The result model and its committed JSON Schema: every JSON output validates against it.

The schema in docs/schema/ is generated from reasoner/findings/model.py; a stale committed copy
fails here. Every example, every Turtle fixture's assessment and a generated cohort's JSON Lines
are validated against the committed files (not against the model), so what users validate with
is what is checked. The codes the outputs use are the ontology's notations.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from rdflib.namespace import SKOS

from reasoner.cli.main import cli
from reasoner.findings.model import JSONL_SCHEMA_FILE, SCHEMA_FILE, document_schema, jsonl_line_schema, schema_text

REPO = Path(__file__).resolve().parents[2]
AS_OF = "2026-01-15"


@pytest.fixture(scope="module")
def doc_validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def line_validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads(JSONL_SCHEMA_FILE.read_text(encoding="utf-8")))


def _assess(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["assess", *args, "--as-of", AS_OF, "--format", "json"])
    return result.exit_code, result.output


def test_committed_schemas_are_generated_from_the_model() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_text(document_schema()), \
        "docs/schema is stale: run `python -m reasoner.findings.model`"
    assert JSONL_SCHEMA_FILE.read_text(encoding="utf-8") == schema_text(jsonl_line_schema())


INPUTS = sorted(str(p.relative_to(REPO)) for p in [*REPO.glob("examples/*.ttl"), *REPO.glob("examples/*.json"),
                                                    *REPO.glob("tests/shapes/*/*/*.ttl"), *REPO.glob("tests/infer/core/fixtures/*.ttl")]
                if not p.name.endswith(".expected.ttl"))


@pytest.mark.parametrize("path", INPUTS)
def test_every_single_document_validates(path: str, doc_validator: jsonschema.Draft202012Validator) -> None:
    code, out = _assess(str(REPO / path))
    assert code in (0, 1), out
    errors = sorted(doc_validator.iter_errors(json.loads(out)), key=str)
    assert not errors, f"{path}: {errors[0].message} at {list(errors[0].path)}"


def test_every_cohort_line_validates(cohort_fhir_small: Path, tmp_path: Path,
                                     line_validator: jsonschema.Draft202012Validator) -> None:
    result = CliRunner().invoke(cli, ["assess", str(cohort_fhir_small), "--out", str(tmp_path / "out"), "--as-of", AS_OF])
    assert result.exit_code in (0, 1), result.output
    lines = (tmp_path / "out" / "patients.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) >= 40
    for line in lines:
        errors = list(line_validator.iter_errors(json.loads(line)))
        assert not errors, errors[0].message


def test_codes_of_the_outputs_are_notations_of_the_ontology(ontology_graph) -> None:
    notations = {str(n) for n in ontology_graph.objects(None, SKOS.notation)}
    code, out = _assess(str(REPO / "examples" / "trd-confirmed.ttl"), str(REPO / "examples" / "inadequate-trial.ttl"))
    doc = json.loads(out)
    used = set()
    for p in doc["patients"]:
        used.add(p["trd"]["status"])
        for t in p["trials"]:
            used |= {t["adequacy"], t["outcome"], *t["reasons"]} - {None}
        for section in ("pseudoResistance", "mechanisms", "options"):
            used |= {e["code"] for e in p[section]} | {e["status"] for e in p[section] if "status" in e}
    assert used and used <= notations, used - notations


@pytest.mark.parametrize("broken", [
    lambda d: d.pop("asOf"),
    lambda d: d["patients"][0].pop("trials"),
    lambda d: d["patients"][0]["trials"][0].update(failed="yes"),
    lambda d: d["patients"][0]["trd"].update(status="Confirmed!"),
    lambda d: d["patients"][0]["trials"][0]["evidence"].append({"kind": "opinion"}),
    lambda d: d["patients"][0]["dataIssues"].append({"severity": "fatal", "message": "x"}),
])
def test_the_schema_refuses_a_broken_document(broken, doc_validator: jsonschema.Draft202012Validator) -> None:
    code, out = _assess(str(REPO / "examples" / "trd-confirmed.ttl"))
    doc = json.loads(out)
    assert doc_validator.is_valid(doc)
    broken(doc)
    assert not doc_validator.is_valid(doc)


def test_a_non_finite_number_cannot_be_written() -> None:
    from reasoner.render.json import dumps

    with pytest.raises(ValueError):
        dumps({"dailyDoseMg": math.inf})
