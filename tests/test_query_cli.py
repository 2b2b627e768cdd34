"""``trd query``: a SELECT over patient data (rules run first) or over an existing Oxigraph store;
table/CSV/JSON output; SERVICE, non-SELECT and bad input refused with one line and exit code 2."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import pytest

from reasoner.cli.main import main
from reasoner.knowledge.paths import REPORT_DIR

sys.path.insert(0, str(Path(__file__).resolve().parent))   # the scenario builder of tests/infer
from infer.pseudo.cases import AS_OF, assess_ws, turtle  # noqa: E402

PIDS = ("two-classes", "ich", "tsh-4.6")
OPTIONS = str(REPORT_DIR / "options.rq")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(argv))
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("query") / "patients.ttl"
    path.write_text(turtle(PIDS))
    return path


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An on-disk Oxigraph store with the named graphs of an assessment (as a cohort run leaves it)."""
    import pyoxigraph as ox
    directory = tmp_path_factory.mktemp("store") / "store"
    source = assess_ws(PIDS).store
    disk = ox.Store(str(directory))
    disk.bulk_extend(source.quads_for_pattern(None, None, None, None))
    disk.flush()
    del disk
    return directory


def test_json_over_data_runs_the_rules_first(capsys, data: Path) -> None:
    code, out, err = run(capsys, "query", OPTIONS, str(data), "--as-of", AS_OF, "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["variables"][:4] == ["patient", "id", "option", "status"]
    status = {(r["id"], r["option"]): r["status"] for r in doc["rows"]}
    assert status[("ich", "esketamine")] == "contraindicated"
    assert status[("two-classes", "esketamine")] == "recommended"
    assert status[("tsh-4.6", "levothyroxine")] == "consider"


def test_csv_and_table_formats(capsys, data: Path) -> None:
    code, out, _ = run(capsys, "query", OPTIONS, str(data), "--as-of", AS_OF, "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {r["option"] for r in rows if r["id"] == "ich"} >= {"esketamine", "psychotherapy", "vns"}
    code, out, _ = run(capsys, "query", OPTIONS, str(data), "--as-of", AS_OF)
    assert code == 0
    assert out.splitlines()[0].split()[:4] == ["patient", "id", "option", "status"]
    assert out.rstrip().endswith(f"({len(rows)} rows)")


def test_store_gives_the_same_answer_as_the_data(capsys, data: Path, store: Path) -> None:
    _, from_data, _ = run(capsys, "query", OPTIONS, str(data), "--as-of", AS_OF, "--format", "json")
    code, from_store, err = run(capsys, "query", OPTIONS, "--store", str(store), "--format", "json")
    assert code == 0, err
    assert json.loads(from_store) == json.loads(from_data)
    assert len(json.loads(from_store)["rows"]) > 0


@pytest.mark.parametrize(("text", "message"), [
    ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", "SERVICE"),
    ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "only SELECT"),
    ("ASK { ?s ?p ?o }", "only SELECT"),
    ("SELECT ?s WHERE { ?s ?p }", "not valid SPARQL"),
])
def test_bad_queries_are_refused_with_one_line(capsys, tmp_path: Path, store: Path, text: str, message: str) -> None:
    q = tmp_path / "q.rq"
    q.write_text(text)
    code, out, err = run(capsys, "query", str(q), "--store", str(store))
    assert code == 2 and message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1 and out == ""


def test_service_is_refused_before_any_data_is_read(capsys, tmp_path: Path) -> None:
    q = tmp_path / "q.rq"
    q.write_text("SELECT * WHERE { service <http://example.org/sparql> { ?s ?p ?o } }")
    code, _, err = run(capsys, "query", str(q), str(tmp_path / "missing.ttl"))
    assert code == 2 and "SERVICE" in err


@pytest.mark.parametrize("args", [
    lambda d, s: [],                               # neither DATA nor --store
    lambda d, s: [str(d), "--store", str(s)],      # both
    lambda d, s: ["--store", str(d.parent / "no-such-store")],
    lambda d, s: [str(d.parent / "missing.ttl")],
])
def test_usage_errors_exit_2(capsys, data: Path, store: Path, args) -> None:
    code, _, err = run(capsys, "query", OPTIONS, *args(data, store))
    assert code == 2 and err.startswith("trd: error:")
