"""Benchmark: one patient — warm in-process ``assess`` and the cold ``trd assess`` command (issue 17).

Targets (issue 17): a single warm patient (``assess`` in-process) < 10 ms; a cold CLI
``trd assess example`` < 2 s. Measured side by side in one run, with their floors:

- warm, in-process: the example patient (``examples/trd-confirmed.ttl``) through a warm
  :class:`~reasoner.pipeline.Pipeline` (Oxigraph rules + fast validator + findings read-back), the
  engine of ``trd assess``; and, when every rule has its SQL twin, through a warm
  :class:`~reasoner.columnar.engine.ColumnarEngine` (rules + read-back, no validation). Median of
  ``--calls`` calls after a warm-up. Floor: parsing the same Turtle with pyoxigraph.
- cold: ``python -m reasoner.cli.main assess examples/trd-confirmed.ttl`` as a new process,
  median of ``--runs`` runs. Floors: ``python -c pass`` and ``python -c "import reasoner.cli.main"``.

Wall and CPU time are both reported (CPU of the child processes for the cold runs), with the
load average before and after: the machine is shared.

    python -m benchmarks.single_patient [--calls 50] [--runs 5] [--write]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "single-patient.md"
EXAMPLE = ROOT / "examples" / "trd-confirmed.ttl"
AS_OF = "2026-01-15"


def _median_ms(call: Callable[[], object], n: int) -> tuple[float, float]:
    """(median wall ms, median CPU ms) of ``n`` calls, after one warm-up call."""
    call()
    walls, cpus = [], []
    for _ in range(n):
        c0, w0 = time.process_time(), time.perf_counter()
        call()
        walls.append((time.perf_counter() - w0) * 1000)
        cpus.append((time.process_time() - c0) * 1000)
    return statistics.median(walls), statistics.median(cpus)


def _child_ms(argv: list[str], runs: int) -> tuple[float, float]:
    """(median wall ms, median CPU ms of the child) of ``runs`` runs of a new process."""
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        w0 = time.perf_counter()
        done = subprocess.run(argv, cwd=ROOT, capture_output=True, check=False, timeout=120)
        walls.append((time.perf_counter() - w0) * 1000)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append((after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000)
        if done.returncode not in (0, 1):  # 1: the example's data violates a shape (a verdict, not a failure)
            raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.decode()[-400:]}")
    return statistics.median(walls), statistics.median(cpus)


def measure(calls: int, runs: int) -> list[tuple[str, str]]:
    """The table rows: (what, figures)."""
    import pyoxigraph as ox

    from reasoner.pipeline import Pipeline

    data = EXAMPLE.read_bytes()
    nt = b"".join(f"{q.subject} {q.predicate} {q.object} .\n".encode()
                  for q in ox.parse(data, format=ox.RdfFormat.TURTLE))
    rows: list[tuple[str, str]] = []
    wall, cpu = _median_ms(lambda: list(ox.parse(data, format=ox.RdfFormat.TURTLE)), calls)
    rows.append(("floor: parse the example's Turtle (pyoxigraph)", f"{wall:.2f} ms wall, {cpu:.2f} ms CPU"))
    pipe = Pipeline(policy="default", as_of=AS_OF)
    wall, cpu = _median_ms(lambda: pipe.assess(nt, format="nt", derived="none"), calls)
    rows.append(("warm assess, Pipeline (Oxigraph rules + fast validator + read-back)",
                 f"{wall:.1f} ms wall, {cpu:.1f} ms CPU (target < 10 ms)"))
    try:
        from reasoner.columnar.engine import ColumnarEngine

        engine = ColumnarEngine(policy="default", as_of=AS_OF)
    except Exception as exc:  # noqa: BLE001 — reported in the table, not hidden
        rows.append(("warm assess, ColumnarEngine (rules + read-back)", f"not measured: {exc}"))
    else:
        wall, cpu = _median_ms(lambda: engine.assess(nt), calls)
        rows.append(("warm assess, ColumnarEngine (rules + read-back, no validation)",
                     f"{wall:.1f} ms wall, {cpu:.1f} ms CPU (target < 10 ms)"))
    python = sys.executable
    wall, cpu = _child_ms([python, "-c", "pass"], runs)
    rows.append(("floor: python -c pass", f"{wall:.0f} ms wall, {cpu:.0f} ms CPU"))
    wall, cpu = _child_ms([python, "-c", "import reasoner.cli.main"], runs)
    rows.append(("floor: python -c 'import reasoner.cli.main'", f"{wall:.0f} ms wall, {cpu:.0f} ms CPU"))
    wall, cpu = _child_ms([python, "-m", "reasoner.cli.main", "assess", str(EXAMPLE), "--as-of", AS_OF], runs)
    rows.append(("cold CLI: trd assess examples/trd-confirmed.ttl",
                 f"{wall:.0f} ms wall, {cpu:.0f} ms CPU (target < 2 s)"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=50, help="warm calls per engine (median)")
    parser.add_argument("--runs", type=int, default=5, help="cold process runs (median)")
    parser.add_argument("--write", action="store_true", help=f"append to {RESULTS.relative_to(ROOT)}")
    args = parser.parse_args()
    load_before = os.getloadavg()
    rows = measure(args.calls, args.runs)
    load_after = os.getloadavg()
    lines = [f"## {dt.datetime.now(dt.timezone.utc):%Y-%m-%dT%H:%M} UTC", "",
             "| what | figure |", "|---|---|",
             f"| machine | {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()} |",
             f"| load average before (1, 5, 15 min) | {', '.join(f'{x:.2f}' for x in load_before)} |",
             f"| load average after | {', '.join(f'{x:.2f}' for x in load_after)} |",
             *(f"| {what} | {figure} |" for what, figure in rows), ""]
    text = "\n".join(lines)
    print(text)
    if args.write:
        header = "" if RESULTS.exists() else ("# Single patient: warm in-process assess and cold CLI\n\n"
                                              "Written by `python -m benchmarks.single_patient --write`.\n\n")
        with RESULTS.open("a", encoding="utf-8") as out:
            out.write(header + text + "\n")


if __name__ == "__main__":
    main()
