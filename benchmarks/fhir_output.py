"""FHIR output benchmark (issue 19): a 1,000-patient cohort's FHIR NDJSON against its JSON Lines.

Usage::

    python benchmarks/fhir_output.py [--patients 1000] [--out benchmarks/results/fhir-output.md]

In one run, on one synthetic Bulk FHIR cohort (benchmarks/support/synthetic.py):

1. ``trd assess COHORT --out RESULTS`` (``run_cohort``): the whole run, whose product is the JSON
   Lines file (and the store): wall time;
2. the FHIR NDJSON of the same run (``reasoner.cohort.outputs.write_fhir``, the step
   ``--format fhir`` adds after the run): wall time, resources written;
3. serialisation alone, from the same patient objects: JSON Lines (``render.jsonl.to_jsonl``)
   against FHIR NDJSON (``render.fhir.ndjson_lines``), median of 3.

The load average is recorded before and after (other processes share the machine).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.support.synthetic import generate_cohort  # noqa: E402
from reasoner.cohort import outputs, run_cohort  # noqa: E402
from reasoner.render.fhir import ndjson_lines  # noqa: E402
from reasoner.render.jsonl import to_jsonl  # noqa: E402


def _median(fn, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=1000)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "fhir-output.md")
    args = parser.parse_args()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="trd-fhir-bench-") as tmp:
        cohort, results = Path(tmp) / "cohort", Path(tmp) / "results"
        generate_cohort(cohort, args.patients, turtle=False, fhir=True)
        start = time.perf_counter()
        summary = run_cohort(cohort / "fhir", results, as_of="2026-01-15", progress=False)
        run_seconds = time.perf_counter() - start
        start = time.perf_counter()
        written = outputs.write_fhir(results)
        fhir_seconds = time.perf_counter() - start
        entries = list(outputs.patients(results))
        jsonl_bytes = len(to_jsonl(entries))
        fhir_bytes = sum(len(line) for _, line in ndjson_lines(entries, "2026-01-15", "default"))
        jsonl_only = _median(lambda: to_jsonl(entries))
        fhir_only = _median(lambda: sum(1 for _ in ndjson_lines(entries, "2026-01-15", "default")))
    load_after = os.getloadavg()
    lines = [
        "# FHIR output against JSON Lines (issue 19)", "",
        f"Measured by `python benchmarks/fhir_output.py --patients {args.patients}` on {platform.node() or 'this machine'} "
        f"({os.cpu_count()} cores, Python {platform.python_version()}), one synthetic Bulk FHIR cohort.",
        f"Load average (1/5/15 min) before: {load_before[0]:.2f} / {load_before[1]:.2f} / {load_before[2]:.2f}; "
        f"after: {load_after[0]:.2f} / {load_after[1]:.2f} / {load_after[2]:.2f} (other engineers' tests share the machine).",
        "", "| step | seconds | output |", "|---|---:|---|",
        f"| cohort run (`trd assess --out`: JSON Lines + store) | {run_seconds:.1f} | {summary.patients} patients, "
        f"{jsonl_bytes / 1e6:.1f} MB JSON Lines |",
        f"| FHIR NDJSON of the same run (`--format fhir` adds this step) | {fhir_seconds:.1f} | "
        f"{sum(written.values())} resources, {fhir_bytes / 1e6:.1f} MB: "
        + ", ".join(f"{k} {v}" for k, v in sorted(written.items())) + " |",
        f"| serialise JSON Lines only (median of 3) | {jsonl_only:.2f} | |",
        f"| serialise FHIR NDJSON only (median of 3) | {fhir_only:.2f} | |",
        "", f"FHIR output adds {fhir_seconds / run_seconds:.1%} to the run's time; serialising FHIR costs "
        f"{fhir_only / jsonl_only:.1f}× serialising JSON Lines from the same patient objects.", "",
    ]
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    print(json.dumps({"run": run_seconds, "fhir": fhir_seconds}))


if __name__ == "__main__":
    main()
