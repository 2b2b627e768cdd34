"""Benchmark: where the columnar processor's memory goes (issue 17: peak < 2 GiB at any size).

Usage::

    python benchmarks/columnar_memory.py stages [--cohort DIR] [--shard 2520] [--repeat 3]
    python benchmarks/columnar_memory.py tree   [--cohort DIR]

``stages`` runs the cohort ``--repeat`` times in ONE process (workers 1, ``--shard`` patients a
shard), so every shard goes through the same warm engine as in a worker, and prints after each
stage of each shard: the process's RSS, the Python heap (tracemalloc, live and the stage's peak),
Arrow's pool and DuckDB's own accounting (``duckdb_memory()``). A figure that grows shard after
shard is a leak; one that is high in one stage is that stage's working set.

``tree`` runs the cohort with the default options (workers = cores) in a subprocess and samples
the RSS of the parent and of each worker (``measure`` of benchmarks/cohort.py): the peak of each
and of their sum (what the 2 GiB target is about).

Both print the load average. tracemalloc slows ``stages`` down and adds its own bookkeeping to
the RSS (tens of bytes per live block): compare its RSS only with other runs of ``stages``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sys
import tempfile
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_COHORT = ROOT / "benchmarks" / "work" / "cohort-5040"
AS_OF = "2026-01-15"
MIB = 2 ** 20
sys.path.insert(0, str(ROOT))  # run as a script from a checkout: the package of this checkout


def stages(cohort: Path, shard: int, repeat: int) -> None:
    import pyarrow as pa

    import reasoner.cohort.columnar_processor as columnar
    from reasoner.cohort import run_cohort
    from reasoner.cohort.results import StageClock

    me = psutil.Process()

    class MeasuredClock(StageClock):
        @contextlib.contextmanager
        def __call__(self, name: str) -> Iterator[None]:
            tracemalloc.reset_peak()
            with super().__call__(name):
                yield
            live, peak = tracemalloc.get_traced_memory()
            con = columnar.assessor_for("default", AS_OF).engine.con
            duck = con.execute("SELECT sum(memory_usage_bytes)::BIGINT FROM duckdb_memory()").fetchall()[0][0] or 0
            print(f"  {name:9s} RSS {me.memory_info().rss / MIB:6.0f} MiB | Python live {live / MIB:5.0f}, "
                  f"stage peak {peak / MIB:5.0f} | Arrow {pa.total_allocated_bytes() / MIB:4.0f} | "
                  f"DuckDB {duck / MIB:4.0f}", flush=True)
            if name == "write":
                print("  -- shard done", flush=True)

    columnar.StageClock = MeasuredClock  # type: ignore[misc]
    tracemalloc.start(1)
    print(f"load average {os.getloadavg()}; cohort {cohort}; shards of {shard}; {repeat} passes in one process")
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(repeat):
            out = Path(tmp) / "out"
            shutil.rmtree(out, ignore_errors=True)
            run_cohort(str(cohort / "fhir"), out, processor="columnar", as_of=AS_OF, resume=False, progress=False,
                       workers=1, shard_size=shard)
    print(f"load average {os.getloadavg()}")


def tree(cohort: Path) -> None:
    from benchmarks.cohort import measure, processor_code

    load = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        result = measure(processor_code(cohort, Path(tmp) / "out", "columnar"), cap=24 * 3600)
    if "error" in result or result["returncode"] != 0:
        raise SystemExit(f"the run failed: {result.get('error', result['returncode'])}")
    print(f"load average {load} -> {os.getloadavg()}")
    print(f"{result['patients']:,} patients, {result['workers']} workers: {result['seconds']:.1f} s wall, "
          f"{result['patients'] / result['seconds']:.0f} patients/s, "
          f"{1000 * result['cpu_seconds'] / result['patients']:.2f} ms CPU per patient")
    print(f"peak RSS of the tree: {result['peak_rss'] / MIB:.0f} MiB")
    for key, rss in sorted(result["peak_rss_by_process"].items(), key=lambda kv: -kv[1]):
        print(f"  {key}: {rss / MIB:.0f} MiB")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("stages")
    s.add_argument("--cohort", type=Path, default=DEFAULT_COHORT)
    s.add_argument("--shard", type=int, default=2520)
    s.add_argument("--repeat", type=int, default=3)
    t = sub.add_parser("tree")
    t.add_argument("--cohort", type=Path, default=DEFAULT_COHORT)
    args = parser.parse_args(argv)
    if not (args.cohort / "fhir").is_dir():
        raise SystemExit(f"no Bulk FHIR cohort in {args.cohort}/fhir: generate one with "
                         "python benchmarks/cohort.py processors --patients N")
    if args.cmd == "stages":
        stages(args.cohort, args.shard, args.repeat)
    else:
        tree(args.cohort)
    return 0


if __name__ == "__main__":
    sys.exit(main())
