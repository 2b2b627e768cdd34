"""The columnar processor's "parse" stage (issue 17): Bulk FHIR shard -> Arrow triples table.

Usage::

    python benchmarks/columnar_parse.py                       # 5,000 generated patients (benchmarks/work/), 3 rounds
    python benchmarks/columnar_parse.py --baseline ../other-checkout  # also the N-Triples path of another tree
    python benchmarks/columnar_parse.py --source DIR --shard-size 500 --rounds 1 --no-write   # smoke run

Paths, on the same shards (the columnar processor's shard size by default) and in one run:

* ``floor``: ``json.loads`` of every line the shards hold (patient groups and shared lines);
* ``nt``: the N-Triples path: ``ShardImport.units`` (the importer writing N-Triples: what the
  pipeline processor pays, reported as *import*) then ``parse_ntriples`` + ``quarantine_numbers``;
* ``table``: ``ShardImport.units(form="table")`` (the importer's triples straight into Arrow)
  + ``quarantine_numbers``: what the columnar processor does now;
* ``nt@baseline`` (``--baseline TREE``): the ``nt`` path with ``reasoner`` imported from TREE.

Each path runs in a fresh process (``--child``) after a warm-up import of a few patients (the
lookup tables, once per worker in a run) and the worker's GC settings; the paths alternate round
by round, so a busy neighbour costs each about alike. CPU time (``time.process_time``) is the
figure to compare on a shared machine; wall time and the load average (before and after each
measurement) are written beside it. Each child also reports a digest of the triples table it
made: the paths must agree (``nt`` and ``table`` row for row).

Not part of the test suite: speed figures live here, never in unit tests.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "columnar-parse.md"


def default_source() -> Path:
    """The Bulk FHIR folder of the benchmarks' 5,000-patient cohort (generated once, seeded)."""
    sys.path.insert(0, str(ROOT))
    from benchmarks.cohort import ensure_cohort

    return ensure_cohort(5000) / "fhir"
AS_OF = "2026-01-15"


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _digest(table: Any) -> str:
    import pyarrow as pa

    sink = pa.BufferOutputStream()
    combined = table.combine_chunks()
    with pa.ipc.new_stream(sink, combined.schema) as writer:
        writer.write_table(combined)
    return hashlib.sha256(sink.getvalue().to_pybytes()).hexdigest()[:16]


def child(mode: str, index_db: str, source: str, shard_size: int) -> dict[str, Any]:
    """One path over every shard of the export, in this process (reasoner from sys.path)."""
    import gc
    import json as json_

    import pyarrow as pa

    from reasoner.cohort.pipeline_processor import ShardImport
    from reasoner.cohort.shards import FHIR, ShardSpec, materialize
    from reasoner.cohort.worker import RunSettings
    from reasoner.columnar.tables import parse_ntriples, quarantine_numbers
    from reasoner.fhir.bulk_index import FhirIndex
    from reasoner.knowledge.loader import numeric_properties

    index = FhirIndex(Path(index_db), Path(source))
    total = index.unit_count()
    index.close()
    shards = [materialize(ShardSpec(i, FHIR, index_db, source, first, min(first + shard_size, total)))
              for i, first in enumerate(range(0, total, shard_size))]
    patients = sum(len(s.groups) for s in shards)
    settings = RunSettings(policy="default", as_of=AS_OF)
    numeric = numeric_properties()
    ShardImport(shards[0], settings).units(shards[0].groups[:20])  # warm: lookup tables, as a worker's first shard
    gc.freeze()  # the worker's settings (pipeline_processor._tune_gc)
    gc.set_threshold(50_000, 20, 20)
    out: dict[str, Any] = {"mode": mode, "patients": patients, "shards": len(shards), "load_before": _load()}
    cpu = wall = cpu_import = 0.0
    tables = []
    for shard in shards:
        c0, w0 = time.process_time(), time.perf_counter()
        if mode == "floor":
            for _, lines in shard.groups:
                for line in lines:
                    json_.loads(line)
            for lines in shard.shared.values():
                for line in lines:
                    json_.loads(line)
        elif mode == "nt":
            units = ShardImport(shard, settings).units(shard.groups)
            cpu_import += time.process_time() - c0
            tables.append(quarantine_numbers(parse_ntriples(b"".join(u.data for u in units if u.error is None)),
                                             numeric))
        elif mode == "table":
            from reasoner.columnar.fhir_table import join_tables

            units = ShardImport(shard, settings).units(shard.groups, form="table")
            cpu_import += time.process_time() - c0
            tables.append(quarantine_numbers(join_tables([u.data for u in units if u.error is None]), numeric))
        else:
            raise SystemExit(f"unknown mode {mode}")
        cpu += time.process_time() - c0
        wall += time.perf_counter() - w0
    out.update(load_after=_load(), cpu_ms=cpu * 1000 / patients, wall_ms=wall * 1000 / patients,
               import_ms=cpu_import * 1000 / patients)
    if tables:
        table = pa.concat_tables(tables)
        out.update(rows=table.num_rows, digest=_digest(table))
    return out


def _run_child(mode: str, tree: Path, index_db: Path, source: Path, shard_size: int) -> dict[str, Any]:
    env = dict(os.environ, PYTHONPATH=str(tree))
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", mode, "--index", str(index_db),
           "--source", str(source), "--shard-size", str(shard_size)]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=None,
                        help="a Bulk FHIR export folder (default: the generated 5,000-patient cohort)")
    parser.add_argument("--shard-size", type=int, default=2500, help="patients per shard (columnar default 2500)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds (every path once a round)")
    parser.add_argument("--baseline", type=Path, help="another tree whose N-Triples path runs beside (e.g. main)")
    parser.add_argument("--index", type=Path, help="the export's index (built in a temporary folder if absent)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, str(args.index), str(args.source), args.shard_size)))
        return 0
    sys.path.insert(0, str(ROOT))
    from reasoner.fhir.bulk_index import FhirIndex

    if args.source is None:
        args.source = default_source()
    tmp = tempfile.TemporaryDirectory(prefix="columnar-parse-")
    index_db = args.index or Path(tmp.name) / "index.sqlite"
    index = FhirIndex(index_db, args.source)
    if not index.is_built():
        index.build()
    index.close()
    paths = [("floor", ROOT), ("nt", ROOT), ("table", ROOT)]
    if args.baseline:
        paths.insert(1, ("nt@baseline", args.baseline))
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name, _ in paths}
    for round_ in range(args.rounds):
        for name, tree in paths:
            got = _run_child(name.split("@")[0], tree, index_db, args.source, args.shard_size)
            runs[name].append(got)
            print(f"round {round_ + 1} {name:12} cpu {got['cpu_ms']:.3f} ms/patient  wall {got['wall_ms']:.3f}  "
                  f"import {got['import_ms']:.3f}  load {got['load_before']} -> {got['load_after']}", flush=True)
    digests = {name: {r.get("digest") for r in rs} for name, rs in runs.items() if name != "floor"}
    agree = len({d for ds in digests.values() for d in ds}) == 1
    report = _report(args, runs, agree)
    print(report)
    if not args.no_write:
        args.out.write_text(report)
        print(f"written: {args.out}")
    tmp.cleanup()
    return 0 if agree else 1


def _report(args: argparse.Namespace, runs: dict[str, list[dict[str, Any]]], agree: bool) -> str:
    first = next(iter(runs.values()))[0]
    lines = [
        "# Columnar processor: the parse stage (Bulk FHIR shard -> Arrow triples table)",
        "",
        (f"`python benchmarks/columnar_parse.py` on {args.source} ({first['patients']} patients, {first['shards']} "
         f"shards of {args.shard_size}), {args.rounds} rounds, each path in a fresh process per round, the paths "
         f"alternating; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {platform.python_version()}, "
         f"{os.cpu_count()} CPUs (shared: the load average is given with every figure)."),
        "",
        ("CPU ms per patient (median of the rounds; min in brackets); *import*: ShardImport.units alone "
         "(N-Triples for `nt`, Arrow tables for `table`); *stage*: the whole parse stage (units + "
         "parse_ntriples when N-Triples + quarantine_numbers)."),
        "",
        "| path | stage CPU ms/patient | import CPU ms/patient | stage wall ms/patient | load average (1, 5, 15 min) per round |",
        "|---|---|---|---|---|",
    ]
    for name, rs in runs.items():
        cpu = [r["cpu_ms"] for r in rs]
        imp = [r["import_ms"] for r in rs]
        wall = [r["wall_ms"] for r in rs]
        loads = "; ".join(f"{r['load_before']} -> {r['load_after']}" for r in rs)
        imp_text = "" if name == "floor" else f"{statistics.median(imp):.3f} ({min(imp):.3f})"
        lines.append(f"| {name} | {statistics.median(cpu):.3f} ({min(cpu):.3f}) | {imp_text} | "
                     f"{statistics.median(wall):.3f} ({min(wall):.3f}) | {loads} |")
    lines += ["", "Tables: " + ("every path made the same triples table (same rows, same digest)." if agree else
                               "**the paths made different tables** (digests: " + ", ".join(
                                   f"{n} {sorted({r.get('digest') for r in rs})}" for n, rs in runs.items()
                                   if n != "floor") + ")."), ""]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
