"""Benchmark of the rule engine + core rules + findings read-back on scenario shards (not a test).

Patients: the core rules' scenario patients (:mod:`benchmarks.support.scenarios.core`, 47 small
patients that between them produce every core code of clinical-reference §1), copied k times into
one shard that the pipeline assesses in one Oxigraph store. Why these and not the synthetic
cohort: this benchmark compares the time of the core rules with that of all rules, so every
branch of every core rule should have data to join; the synthetic population makes every core
rule fire but holds no dose periods, ECT courses, MDQ screens, asserted weeks at dose or dose
optimisation, so the staging and adequacy branches that read them never match. The realistic mix
is measured end to end by ``benchmarks/cohort.py``; the same scenarios since this benchmark
began keep its results comparable over time.

Reports wall and CPU time (the machine is shared, so CPU time is the steadier number), the time
of the core rules vs all rules, the findings read-back, and a warm single-patient latency. The
stages are the pipeline's own (``Pipeline.workspace/derive/read``), timed here.

    python benchmarks/core_rules.py [copies ...]      # default: 1 5 21 (47, 235, 987 patients)
    python benchmarks/core_rules.py 1 --results /tmp/core_rules.txt    # smoke run
Results are appended to benchmarks/results/core_rules.txt (or ``--results``).
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: the repository root, for reasoner and benchmarks
    sys.path.insert(0, str(ROOT))

from benchmarks.support.scenarios.core import BY_ID, PREFIX, SCENARIOS  # noqa: E402
from reasoner.knowledge.paths import INFER_DIR  # noqa: E402
from reasoner.pipeline import Pipeline  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "core_rules.txt"
CORE = {p.stem for p in INFER_DIR.glob("*.rq")
        if not p.stem.startswith(("pseudo-", "mechanism-", "option-", "pgp-"))}


def shard(copies: int) -> bytes:
    """Every scenario patient ``copies`` times, each copy with its own patient id."""
    parts = []
    for k in range(copies):
        for s in SCENARIOS:
            s2 = copy.copy(s)
            s2.pid = f"{s.pid}-{k}"
            parts.append(s2.turtle())
    return (PREFIX + "\n".join(parts)).encode()


def measure(pipe: Pipeline, copies: int) -> str:
    """One shard through the stages: load, rules (core share), read-back; one line of results."""
    data = shard(copies)
    n = copies * len(SCENARIOS)
    wall, cpu = time.perf_counter(), time.process_time()
    ws = pipe.workspace()
    ws.add_asserted(data, "turtle")
    load = time.perf_counter() - wall
    stats = pipe.derive(ws)
    rules = time.perf_counter() - wall - load
    core = sum(v for k, v in stats.seconds.items() if k in CORE)
    t = time.perf_counter()
    pipe.read(ws, None)
    out = time.perf_counter() - t
    total, cpu_total = time.perf_counter() - wall, time.process_time() - cpu
    return (f"{n:>6} patients: total {total:6.2f} s wall / {cpu_total:6.2f} s CPU = {n / cpu_total:6.0f} patients/CPU-s; "
            f"load {load:.2f} s, rules {rules:.2f} s (core {core:.2f} s, {len(CORE)} rules), json {out:.2f} s")


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("copies", nargs="*", type=int, default=[1, 5, 21], help="copies of the scenario set per shard")
    parser.add_argument("--results", type=Path, default=RESULTS, help="the file the lines are appended to")
    args = parser.parse_args(argv)
    t = time.perf_counter()
    pipe = Pipeline(policy="default", as_of="2026-01-15", validator=None)
    lines = [f"# {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC, {len(pipe.rules.rules)} rules, "
             f"pipeline start {time.perf_counter() - t:.2f} s"]
    single = (PREFIX + BY_ID["two-classes"].turtle()).encode()   # TRD confirmed
    pipe.assess(single, format="turtle", derived="nquads")  # warm-up
    t = time.perf_counter()
    for _ in range(10):
        pipe.assess(single, format="turtle", derived="nquads")
    lines.append(f"warm single patient (TRD confirmed): {(time.perf_counter() - t) / 10 * 1000:.0f} ms per assess")
    for c in args.copies:
        lines.append(measure(pipe, c))
    text = "\n".join(lines)
    print(text)
    args.results.parent.mkdir(parents=True, exist_ok=True)
    with args.results.open("a", encoding="utf-8") as f:
        f.write(text + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
