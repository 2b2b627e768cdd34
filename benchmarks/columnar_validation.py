"""Benchmark: the columnar engine's SHACL validator (reasoner/columnar/validate.py) on a generated cohort.

Usage: python benchmarks/columnar_validation.py [N] [--fast] [--threads T]   (default 10000 patients)
Writes benchmarks/results/columnar-validation.json and prints it. The cohort is the Turtle of
benchmarks/support/synthetic.py (about 1% malformed records); the columnar engine derives with
every rule's SQL twin, then the validator checks the whole cohort as one shard. CPU is the
process's (DuckDB's threads included), the best of three checks; the machine's load average is
recorded before and after. ``--fast``: also the fast validator on an Oxigraph workspace holding
the same cohort (same rules), for comparison. ``--threads T``: DuckDB's threads for the check
(default: DuckDB's own, the number of cores).
"""

from __future__ import annotations

import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import pyoxigraph as ox

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.support.synthetic import generate_cohort  # noqa: E402
from reasoner.columnar.engine import ColumnarEngine  # noqa: E402
from reasoner.columnar.tables import triples_table  # noqa: E402
from reasoner.columnar.validate import ColumnarValidator  # noqa: E402
from reasoner.knowledge.loader import ontology_graph, shapes_graph  # noqa: E402
from reasoner.knowledge.policy import policy_graph  # noqa: E402

AS_OF = "2026-01-15"


def clock(fn):
    """(CPU seconds of the process, wall seconds, result)."""
    c, w = time.process_time(), time.perf_counter()
    result = fn()
    return time.process_time() - c, time.perf_counter() - w, result


def main(n: int, with_fast: bool, threads: int | None) -> None:
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        generate_cohort(Path(tmp) / "cohort", n, seed=17, fhir=False)
        files = sorted((Path(tmp) / "cohort" / "turtle").glob("*.ttl"))
        triples = [t for f in files for t in ox.parse(path=str(f), format=ox.RdfFormat.TURTLE)]
        engine = ColumnarEngine(policy="default", as_of=AS_OF)  # every rule has its twin
        table = triples_table(triples)
        derive_cpu, derive_wall, _ = clock(lambda: engine.derive(table))
        compile_cpu, compile_wall, validator = clock(lambda: ColumnarValidator(
            engine.con, engine.tables, shapes_graph(), ontology_graph(), policy_graph("default", AS_OF)))
        if threads:
            engine.con.execute(f"SET threads = {threads}")
        runs = [clock(validator.check_tables) for _ in range(3)]
        prepare = min(clock(validator._prepare)[:2] for _ in range(3))
        cpu, wall, validation = min(runs, key=lambda r: r[0])
        row = {
            "patients": n, "asserted_triples": len(triples), "records": len(validation.records),
            "violations": len(validation.violations),
            "compile_cpu_s": round(compile_cpu, 3), "compile_wall_s": round(compile_wall, 3),
            "check_cpu_s": round(cpu, 3), "check_wall_s": round(wall, 3),
            "check_cpu_ms_per_patient": round(1000 * cpu / n, 4),
            "check_wall_ms_per_patient": round(1000 * wall / n, 4),
            "of_which_prepare_cpu_s (literal forms, instances, focus nodes)": round(prepare[0], 3),
            "all_check_cpu_s": [round(r[0], 3) for r in runs],
            "engine_derive_cpu_s (not validation)": round(derive_cpu, 3),
            "duckdb_threads": engine.con.execute("SELECT current_setting('threads')").fetchone()[0],
        }
        if with_fast:
            from reasoner.pipeline import Pipeline

            nt = b"".join(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) for _ in [0])
            pipe = Pipeline(policy="default", as_of=AS_OF)
            result = pipe.assess(nt, derived="none", keep_workspace=True)
            fast_cpu, fast_wall, fast = clock(lambda: pipe.validator.check(result.workspace))
            row.update({"fast_check_cpu_s": round(fast_cpu, 3), "fast_check_wall_s": round(fast_wall, 3),
                        "fast_check_cpu_ms_per_patient": round(1000 * fast_cpu / n, 4),
                        "fast_records": len(fast.records),
                        "same_records_as_fast": fast.records == validation.records and fast.conforms == validation.conforms})
    row["load_average_before"] = [round(x, 2) for x in load_before]
    row["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    out = {"benchmark": "columnar_validation", "python": platform.python_version(), "duckdb": duckdb.__version__,
           "machine": f"{os.cpu_count()} cores, shared (other jobs running; see the load averages)", "rows": [row]}
    dest = REPO / "benchmarks" / "results" / "columnar-validation.json"
    previous = json.loads(dest.read_text()) if dest.exists() else {"rows": []}
    out["rows"] = [r for r in previous.get("rows", []) if (r["patients"], r["duckdb_threads"]) != (n, row["duckdb_threads"])] + [row]
    dest.write_text(json.dumps(out, indent=2) + "\n")
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("patients", nargs="?", type=int, default=10_000)
    parser.add_argument("--fast", action="store_true", help="also the fast validator on the same data")
    parser.add_argument("--threads", type=int, default=None, help="DuckDB threads for the check")
    options = parser.parse_args()
    main(options.patients, options.fast, options.threads)
