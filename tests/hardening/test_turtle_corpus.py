"""Every hostile Turtle value of tests/corpus/turtle (issue 16) through ``trd assess`` and
``trd validate``: both backends and both validators agree, the trial is indeterminate with the
reason its header names, the shapes report the value, the JSON is strict and valid against the
committed schema, and no traceback reaches the user.

Each file's header holds its hand-worked expectation (``# expect-exit``, ``# expect-trial: ID
ADEQUACY REASONS``, ``# expect-issue-value``: a case-insensitive regex of the reported value).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest


REPO = Path(__file__).resolve().parent.parent.parent
CORPUS = REPO / "tests" / "corpus" / "turtle"
SCHEMA = json.loads((REPO / "docs" / "schema" / "assess-output.schema.json").read_text())
CASES = sorted(p.stem for p in CORPUS.glob("*.ttl"))


def expectation(name: str) -> dict[str, str]:
    header = {}
    for line in (CORPUS / f"{name}.ttl").read_text().splitlines():
        match = re.match(r"# expect-([a-z-]+): (.*)", line)
        if match:
            header[match.group(1)] = match.group(2).strip()
    return header


def strict_json(text: str) -> dict:
    """Parse JSON refusing NaN and Infinity (Python's json accepts them by default)."""
    def refuse(constant: str) -> None:
        raise ValueError(f"non-finite number {constant} in the output")
    return json.loads(text, parse_constant=refuse)


@pytest.fixture(scope="module")
def documents() -> dict[str, dict]:
    """The path of ``trd assess --format json`` (input seam, pipeline, JSON renderer) on every
    corpus file at once, per backend: the patients are distinct, so each case reads its own.
    (One assessment per backend: the rdflib backend is the slow pure-Python reference.)"""
    from reasoner.inputs import load_inputs
    from reasoner.pipeline import Pipeline
    from reasoner.render.json import dumps

    graph = load_inputs([CORPUS / f"{name}.ttl" for name in CASES], "2026-01-15")
    return {backend: strict_json(dumps(Pipeline(as_of="2026-01-15", backend=backend).assess(graph).document()))
            for backend in ("oxigraph", "rdflib")}


@pytest.fixture(scope="module")
def pipelines() -> dict[str, object]:
    """Warm pipelines per validator (what ``trd validate --validator`` builds)."""
    from reasoner.pipeline import Pipeline

    return {name: Pipeline(as_of="2026-01-15", validator=name) for name in ("fast", "reference")}


def test_both_backends_write_schema_valid_json(documents) -> None:
    for doc in documents.values():
        jsonschema.validate(doc, SCHEMA)
        assert len(doc["patients"]) == len(CASES)


@pytest.mark.parametrize("backend", ["oxigraph", "rdflib"])
@pytest.mark.parametrize("name", CASES)
def test_assess(documents, name: str, backend: str) -> None:
    expect = expectation(name)
    (patient,) = [p for p in documents[backend]["patients"] if p["id"] == f"corpus-{name}"]
    violations = [i for i in patient["dataIssues"] if i["severity"] == "violation"]
    assert (1 if violations else 0) == int(expect["exit"])
    trial_id, adequacy, reasons = expect["trial"].split()
    (trial,) = [t for t in patient["trials"] if t["id"] == trial_id]
    assert trial["adequacy"] == adequacy
    assert trial.get("reasons", []) == ([] if reasons == "-" else reasons.split(","))
    if expect["issue-value"] != "-":
        assert any(re.fullmatch(expect["issue-value"], str(i.get("value")), re.IGNORECASE) for i in violations), violations


@pytest.mark.parametrize("validator", ["fast", "reference"])
@pytest.mark.parametrize("name", CASES)
def test_validate(pipelines, name: str, validator: str) -> None:
    """The path of ``trd validate`` with either validator (pySHACL crashed on NaN before)."""
    from reasoner.inputs import load_inputs

    result = pipelines[validator].validate(load_inputs([CORPUS / f"{name}.ttl"], "2026-01-15"))
    assert (0 if result.validation.conforms else 1) == int(expectation(name)["exit"])


@pytest.mark.parametrize("command", [["assess", "--format", "json"], ["validate", "--validator", "reference"]])
def test_whole_corpus_through_a_real_process(command: list[str]) -> None:
    """One real ``trd`` process over every file: exit 1 (violations), nothing on stderr."""
    done = subprocess.run([sys.executable, "-m", "reasoner.cli.main", command[0],
                           *(str(CORPUS / f"{name}.ttl") for name in CASES), "--as-of", "2026-01-15",
                           *command[1:]], capture_output=True, timeout=300,
                          env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 1, done.stderr.decode()[-2000:]
    assert done.stderr.decode() == ""
    if command[0] == "assess":
        doc = strict_json(done.stdout.decode())
        jsonschema.validate(doc, SCHEMA)
        assert len(doc["patients"]) == len(CASES)


@pytest.mark.parametrize("backend", ["oxigraph", "rdflib"])
def test_a_literal_over_16_mib(tmp_path: Path, backend: str) -> None:
    """issue 16: pyoxigraph's parser buffer ended in a traceback. Now: exit 2 and one line on
    Oxigraph; rdflib reads it (it has no such limit)."""
    path = tmp_path / "big.ttl"
    with open(path, "w") as handle:
        handle.write('@prefix trd: <https://w3id.org/trd-reasoner/ontology#> .\n'
                     '<https://example.org/trd/big> a trd:Patient ; trd:identifier "big" ; trd:gender "')
        handle.write("x" * (17 * 1024 * 1024))
        handle.write('" .\n')
    done = subprocess.run([sys.executable, "-m", "reasoner.cli.main", "assess", str(path), "--format", "json",
                           "--backend", backend], capture_output=True, timeout=600,
                          env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
    err = done.stderr.decode()
    assert "Traceback" not in err
    if backend == "oxigraph":
        assert done.returncode == 2 and err.startswith("trd: error:") and "16 MiB" in err
        assert len(err.strip().splitlines()) == 1
    else:
        assert done.returncode in (0, 1), err
        strict_json(done.stdout.decode())
