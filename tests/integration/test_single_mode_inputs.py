"""What README and FEATURES promise about single-patient mode's inputs and formats.

A folder of Turtle files is one input (the one input seam, ``reasoner/inputs.py``), read as if its
files were given one by one; ``--format jsonl`` writes the document's patients one a line, then
the ``"(unattributed)"`` line for issues of records that belong to no patient. Expected values
are the examples' own (examples/*.ttl: pat-001 confirmed, pat-002 not met, pat-003 not met with
one record, ex:orphan-hamd, that names no patient).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
from click.testing import CliRunner

from reasoner.cli.main import cli
from reasoner.findings.model import JSONL_SCHEMA_FILE

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = [REPO / "examples" / name for name in ("trd-confirmed.ttl", "inadequate-trial.ttl", "malformed.ttl")]


def _assess(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["assess", *args, "--as-of", "2026-01-15"])
    return result.exit_code, result.output


def test_a_folder_of_turtle_files_is_read_like_its_files(tmp_path: Path) -> None:
    folder = tmp_path / "graphs"
    (folder / "nested").mkdir(parents=True)
    shutil.copy(EXAMPLES[0], folder / "trd-confirmed.ttl")
    shutil.copy(EXAMPLES[1], folder / "nested" / "inadequate-trial.ttl")   # searched recursively
    (folder / "notes.txt").write_text("not a patient graph", encoding="utf-8")  # other files are not inputs
    code, out = _assess(str(folder), "--format", "json")
    assert code == 0, out
    from_folder = json.loads(out)
    code, out = _assess(str(EXAMPLES[0]), str(EXAMPLES[1]), "--format", "json")
    assert code == 0, out
    assert from_folder == json.loads(out)
    assert [(p["id"], p["trd"]["status"]) for p in from_folder["patients"]] == [("pat-001", "confirmed"),
                                                                                ("pat-002", "not-met")]


def test_jsonl_is_the_documents_patients_one_a_line(tmp_path: Path) -> None:
    paths = [str(p) for p in EXAMPLES]
    code, out = _assess(*paths, "--format", "json")
    assert code == 1, out  # malformed.ttl violates shapes: exit 1, output still written
    document = json.loads(out)
    code, out = _assess(*paths, "--format", "jsonl")
    assert code == 1, out
    lines = [json.loads(line) for line in out.splitlines()]
    assert lines[:-1] == document["patients"]
    assert [p["id"] for p in lines] == ["pat-001", "pat-002", "pat-003", "(unattributed)"]
    assert lines[-1]["dataIssues"] == document["dataIssues"]
    assert [i["focusNode"] for i in lines[-1]["dataIssues"]] == ["https://example.org/trd/orphan-hamd"]
    validator = jsonschema.Draft202012Validator(json.loads(JSONL_SCHEMA_FILE.read_text(encoding="utf-8")))
    assert all(not list(validator.iter_errors(line)) for line in lines)
