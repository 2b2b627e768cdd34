"""Benchmark of the rule engine + core rules + JSON output on synthetic shards (not a test).

The scenario patients of tests/infer/core/scenarios.py (47 small patients covering every core
code) are copied k times into one shard; the pipeline assesses the shard in one Oxigraph store.
Reports wall and CPU time (the machine is shared, so CPU time is the steadier number), the time
of the core rules vs all rules, the JSON read-back, and a warm single-patient latency.

    python benchmarks/core_rules.py [copies ...]      # default: 1 5 21 (47, 235, 987 patients)
Results are appended to benchmarks/results/core_rules.txt.
"""

from __future__ import annotations

import copy
import datetime as dt
import sys
import time
from pathlib import Path

HOME = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HOME))

from reasoner.findings.read import read_findings  # noqa: E402
from reasoner.pipeline import Pipeline  # noqa: E402
from tests.infer.core.scenarios import PREFIX, SCENARIOS  # noqa: E402

CORE = {p.stem for p in (HOME / "queries" / "infer").glob("*.rq")
        if not p.stem.startswith(("pseudo-", "mechanism-", "option-", "pgp-"))}


def shard(copies: int) -> bytes:
    parts = []
    for k in range(copies):
        for s in SCENARIOS:
            s2 = copy.copy(s)
            s2.pid = f"{s.pid}-{k}"
            parts.append(s2.turtle())
    return (PREFIX + "\n".join(parts)).encode()


def measure(pipe: Pipeline, copies: int) -> str:
    data = shard(copies)
    n = copies * len(SCENARIOS)
    wall, cpu = time.perf_counter(), time.process_time()
    ws = pipe.workspace()
    ws.add_asserted(data, "turtle")
    load = time.perf_counter() - wall
    stats = pipe.rules.run(ws)
    rules = time.perf_counter() - wall - load
    core = sum(v for k, v in stats.seconds.items() if k in CORE)
    t = time.perf_counter()
    read_findings(ws)
    out = time.perf_counter() - t
    total, cpu_total = time.perf_counter() - wall, time.process_time() - cpu
    return (f"{n:>6} patients: total {total:6.2f} s wall / {cpu_total:6.2f} s CPU = {n / cpu_total:6.0f} patients/CPU-s; "
            f"load {load:.2f} s, rules {rules:.2f} s (core {core:.2f} s, {len(CORE)} rules), json {out:.2f} s")


def main(argv: list[str]) -> None:
    copies = [int(a) for a in argv] or [1, 5, 21]
    t = time.perf_counter()
    pipe = Pipeline(policy="default", as_of="2026-01-15", validator=None)
    lines = [f"# {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC, {len(pipe.rules.rules)} rules, "
             f"pipeline start {time.perf_counter() - t:.2f} s"]
    one = shard(1).split(b"\n\n")[0]
    single = SCENARIOS[31].turtle()   # two-classes: TRD confirmed
    pipe.assess((PREFIX + single).encode(), format="turtle", derived="nquads")  # warm-up
    t = time.perf_counter()
    for _ in range(10):
        pipe.assess((PREFIX + single).encode(), format="turtle", derived="nquads")
    lines.append(f"warm single patient (TRD confirmed): {(time.perf_counter() - t) / 10 * 1000:.0f} ms per assess")
    del one
    for c in copies:
        lines.append(measure(pipe, c))
    text = "\n".join(lines)
    print(text)
    out = HOME / "benchmarks" / "results" / "core_rules.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("a", encoding="utf-8") as f:
        f.write(text + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
