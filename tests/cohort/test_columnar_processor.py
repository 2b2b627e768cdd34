"""The columnar shard processor gives the pipeline processor's output, line for line.

The same cohort through ``run_cohort`` with ``processor="pipeline"`` (SPARQL rules on Oxigraph,
the fast validator) and ``processor="columnar"`` (the SQL twins over the whole shard, the columnar
validator): ``patients.jsonl`` must be the same bytes, ``summary.json`` the same apart from what
legitimately differs (the timing fields ``seconds``, ``cpu_seconds``, ``stages``; the run's own
``processor``, ``workers`` and ``out_dir``), and the Parquet findings tables the same rows. Cohorts: the
SMART Bulk FHIR sample (real export shapes), 250 generated patients as Bulk FHIR (malformed
records and broken lines included) under all four policies, and the same as Turtle.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pyoxigraph as ox
import pytest

from cohort_helpers import read_jsonl
from reasoner.cohort import run_cohort
from reasoner.cohort.tables import TABLES, findings_tables

AS_OF = "2026-01-15"
POLICIES = ("default", "fda-ema", "athf-strict", "eu-pearl")
SMART = Path(__file__).resolve().parents[1] / "data" / "smart-bulk-fhir-10"
#: summary.json keys that differ between two correct runs: timing, and which run it was
NOT_COMPARED = ("seconds", "cpu_seconds", "stages", "processor", "workers", "out_dir")


def _both(source: Path, out: Path, policy: str = "default", **options) -> tuple[Path, Path]:
    runs = []
    for processor in ("pipeline", "columnar"):
        target = out / processor
        run_cohort(source, target, processor=processor, policy=policy, as_of=AS_OF, progress=False, workers=1,
                   **options)
        runs.append(target)
    return runs[0], runs[1]


def _summary(run: Path) -> dict:
    data = json.loads((run / "summary.json").read_text())
    return {k: v for k, v in data.items() if k not in NOT_COMPARED}


def assert_same_output(pipeline: Path, columnar: Path) -> None:
    expected = (pipeline / "patients.jsonl").read_bytes().splitlines()
    got = (columnar / "patients.jsonl").read_bytes().splitlines()
    assert len(got) == len(expected)
    for line_a, line_b in zip(expected, got):
        if line_a != line_b:
            a, b = json.loads(line_a), json.loads(line_b)
            keys = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
            raise AssertionError(f"patient {a.get('id')}: {keys} differ\n  pipeline {[a.get(k) for k in keys]}"
                                 f"\n  columnar {[b.get(k) for k in keys]}")
    assert _summary(columnar) == _summary(pipeline)
    for table in TABLES:
        assert pq.read_table(columnar / "findings" / table).to_pylist() == \
            pq.read_table(pipeline / "findings" / table).to_pylist(), table


def test_the_smart_bulk_sample(tmp_path: Path) -> None:
    assert_same_output(*_both(SMART, tmp_path))


@pytest.mark.slow
@pytest.mark.parametrize("policy", POLICIES)
def test_generated_bulk_fhir_under_every_policy(cohort_250: Path, tmp_path: Path, policy: str) -> None:
    pipeline, columnar = _both(cohort_250 / "fhir", tmp_path, policy)
    assert len(read_jsonl(columnar / "patients.jsonl")) >= 250
    assert_same_output(pipeline, columnar)


@pytest.mark.slow
def test_generated_turtle(cohort_250: Path, tmp_path: Path) -> None:
    assert_same_output(*_both(cohort_250 / "turtle", tmp_path))


def test_findings_tables_agree_with_the_lines(tmp_path: Path) -> None:
    """Each Parquet table, read back with DuckDB, holds exactly the rows the JSON Lines flatten to."""
    import duckdb

    out = tmp_path / "run"
    run_cohort(SMART, out, as_of=AS_OF, progress=False, workers=1)
    patients = read_jsonl(out / "patients.jsonl")
    expected = findings_tables(patients)
    for table in TABLES:
        got = duckdb.sql(f"SELECT * FROM read_parquet('{out}/findings/{table}/*.parquet')").to_arrow_table()
        assert sorted(map(str, got.to_pylist())) == sorted(map(str, expected[table].to_pylist())), table
    ids = {p["id"] for p in patients if p["id"] != "(unattributed)"}
    rows = duckdb.sql(f"SELECT patient_id, trd_status FROM '{out}/findings/patients/*.parquet'").fetchall()
    assert dict(rows) == {p["id"]: p["trd"]["status"] for p in patients if p["id"] in ids}
    options = duckdb.sql(f"SELECT count(*) FROM '{out}/findings/options/*.parquet'").fetchall()[0][0]
    assert options == sum(len(p.get("options") or []) for p in patients if p["id"] in ids)


def test_no_store_unless_asked(tmp_path: Path) -> None:
    run_cohort(SMART, tmp_path / "plain", as_of=AS_OF, progress=False, workers=1, processor="columnar")
    assert not (tmp_path / "plain" / "store").exists() and not (tmp_path / "plain" / "quads").exists()
    summary = json.loads((tmp_path / "plain" / "summary.json").read_text())
    assert summary["processor"] == "columnar" and "store" not in summary["stages"]
    shard_stages = summary["stages"]["shard stages"]
    assert {"parse", "load", "rules", "validate", "read", "write"} <= set(shard_stages)
    assert all(t["cpu"] >= 0 and t["wall"] >= 0 for t in shard_stages.values())


def test_cli_processor_choices_are_the_registry() -> None:
    from reasoner.cli.assess import COHORT_PROCESSORS
    from reasoner.cohort.worker import DEFAULT_PROCESSOR, PROCESSORS

    assert set(COHORT_PROCESSORS) == set(PROCESSORS) and COHORT_PROCESSORS[0] == DEFAULT_PROCESSOR


@pytest.mark.slow
def test_dask_local_cluster_runs_the_columnar_processor(cohort_60: Path, tmp_path: Path) -> None:
    """Two Dask worker processes on loopback, each with its warm columnar engine: the same output as serial.

    The same shards (15 patients: what a cluster run cuts 60 patients into), so the same lines; they
    arrive in the order shards finish, so the lines are compared sorted."""
    from distributed import LocalCluster

    serial = tmp_path / "serial"
    run_cohort(cohort_60 / "fhir", serial, processor="columnar", shard_size=15, as_of=AS_OF, progress=False,
               workers=1)
    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        summary = run_cohort(cohort_60 / "fhir", tmp_path / "dask", processor="columnar", shard_size=15,
                             as_of=AS_OF, progress=False, scheduler=cluster.scheduler_address)
    assert summary.shards == 4 and summary.patients == 60
    assert sorted((tmp_path / "dask" / "patients.jsonl").read_bytes().splitlines()) == \
        sorted((serial / "patients.jsonl").read_bytes().splitlines())
    assert _summary(tmp_path / "dask") == _summary(serial)
    assert summary.stages["shard stages"]["rules"]["cpu"] > 0   # the workers' stage times came back


def _quads(store_dir: Path) -> set[tuple[str, str, str, str]]:
    import pyoxigraph as ox

    store = ox.Store.read_only(str(store_dir))
    term = lambda t: "_" if isinstance(t, ox.BlankNode) else str(t)  # noqa: E731  (labels differ by engine)
    return {(term(q.subject), term(q.predicate), term(q.object), str(q.graph_name)) for q in store}


def test_the_results_store_is_the_same_and_answers_trd_query(tmp_path: Path) -> None:
    """``--store``: built after the run, the same quads from both processors; ``trd query --store`` reads it."""
    from click.testing import CliRunner

    from reasoner.cli.main import cli

    pipeline, columnar = _both(SMART, tmp_path, store=True)
    assert not (columnar / "quads").exists()            # the staged N-Quads are gone once loaded
    assert _quads(columnar / "store") == _quads(pipeline / "store")
    # the summary says how many quads the store was built from (N-Quads lines read; a quad staged
    # twice, e.g. a record two shards share, is stored once), so its load rate is quads / wall
    store = ox.Store.read_only(str(columnar / "store"))
    data_quads = sum(1 for q in store if "ontology" not in str(q.graph_name))
    del store
    stage = json.loads((columnar / "summary.json").read_text())["stages"]["store"]
    assert stage["quads"] >= data_quads > 0 and stage["wall"] > 0
    query = tmp_path / "statuses.rq"
    query.write_text("PREFIX trd: <https://w3id.org/trd-reasoner/ontology#>\n"
                     "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
                     "SELECT ?id ?code WHERE { ?f a trd:TRDStatusFinding ; trd:aboutPatient ?p ; trd:trdStatus ?s .\n"
                     "  ?s skos:notation ?code . ?p trd:identifier ?id }")
    result = CliRunner().invoke(cli, ["query", str(query), "--store", str(columnar / "store"), "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    rows = {r["id"]: r["code"] for r in doc["rows"]} if "rows" in doc else {}
    patients = [p for p in read_jsonl(columnar / "patients.jsonl") if p["id"] != "(unattributed)"]
    assert rows == {p["id"]: p["trd"]["status"] for p in patients}
