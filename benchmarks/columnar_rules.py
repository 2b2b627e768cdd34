"""Benchmark: the columnar engine's rules and read-back stages, per twin, on a Turtle cohort (issue 17).

Usage::

    python benchmarks/columnar_rules.py run  [--turtle DIR] [--shard 2500] [--json OUT]
    python benchmarks/columnar_rules.py compare A B [--rounds 3] [--turtle DIR] [--shard 2500]

``run`` assesses the cohort's Turtle (default: the generated 5,000-patient cohort of benchmarks/work/) the way a columnar worker
does: one engine and validator (``warm``), then shard by shard (``--shard`` patients, as the
processor's shard size) load, rules, validate and read; it prints CPU ms per patient per stage and
per twin (CPU: ``time.process_time``, DuckDB runs one thread) next to wall, and a digest of the
patient objects so two checkouts can be checked to agree.

``compare A B`` runs ``run`` alternately with ``PYTHONPATH=A`` and ``PYTHONPATH=B`` (two
checkouts of the repository, e.g. main and a branch), ``--rounds`` times each, and writes
benchmarks/results/columnar-rules.md: the median of each figure side by side, the load average
before and after every run, and whether the digests agree. Why alternate in one invocation: the
machine is shared and noisy; figures taken minutes apart are not comparable.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
AS_OF = "2026-01-15"
RESULTS = REPO / "benchmarks" / "results" / "columnar-rules.md"


def _shards(table, shard: int):  # type: ignore[no-untyped-def]
    """The triples table cut into shards of ``shard`` patients (subjects grouped by their
    patient's IRI: the generator names every record ``<patient>-<suffix>``)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    subjects = table["s"].to_pylist()
    keys = [s.split("-", 1)[0] if s.startswith("https://example.org/trd/p") else "" for s in subjects]
    patients = sorted({k for k in keys if k})
    index = {p: i // shard for i, p in enumerate(patients)}
    group = pa.array([index.get(k, 0) for k in keys], pa.int32())
    return [table.filter(pc.equal(group, g)) for g in range((len(patients) + shard - 1) // shard)], len(patients)


def run(turtle: Path, shard: int) -> dict:
    """One assessment of the cohort, stage and twin CPU/wall seconds, and a digest of the output."""
    import pyoxigraph as ox

    from reasoner.columnar.tables import triples_table
    from reasoner.columnar.validate import ColumnarValidator
    from reasoner.findings.read import read_findings, rule_evidence
    from reasoner.knowledge.loader import ontology_graph, shapes_graph
    from reasoner.knowledge.policy import policy_graph
    from reasoner.columnar.engine import ColumnarEngine

    triples = [t for f in sorted(turtle.glob("*.ttl")) for t in ox.parse(path=str(f), format=ox.RdfFormat.TURTLE)]
    table = triples_table(triples)
    shards, n = _shards(table, shard)
    stages: dict[str, list[float]] = {}
    twins: dict[str, list[float]] = {}

    def add(into: dict, key: str, cpu: float, wall: float) -> None:
        acc = into.setdefault(key, [0.0, 0.0])
        acc[0] += cpu
        acc[1] += wall

    c, w = time.process_time(), time.perf_counter()
    engine = ColumnarEngine(policy="default", as_of=AS_OF)
    validator = ColumnarValidator(engine.con, engine.tables, shapes_graph(), ontology_graph(),
                                  policy_graph("default", AS_OF))
    evidence = rule_evidence(engine)
    add(stages, "warm", time.process_time() - c, time.perf_counter() - w)
    gc.freeze()  # as a columnar worker does after its warm-up (cohort.pipeline_processor._tune_gc)
    gc.set_threshold(50_000, 20, 20)
    digest = hashlib.sha256()
    for part in shards:
        c, w = time.process_time(), time.perf_counter()
        engine.tables.load_asserted(part)
        add(stages, "load", time.process_time() - c, time.perf_counter() - w)
        for rule, sql in engine._twins:
            c, w = time.process_time(), time.perf_counter()
            engine.tables.derive(sql, str(rule.iri))
            add(twins, rule.name, time.process_time() - c, time.perf_counter() - w)
        add(stages, "rules", sum(v[0] for v in twins.values()) - stages.get("rules", [0, 0])[0],
            sum(v[1] for v in twins.values()) - stages.get("rules", [0, 0])[1])
        c, w = time.process_time(), time.perf_counter()
        issues = validator.check_tables().issues
        add(stages, "validate", time.process_time() - c, time.perf_counter() - w)
        c, w = time.process_time(), time.perf_counter()
        patients, unattributed = read_findings(engine, issues, evidence)
        add(stages, "read", time.process_time() - c, time.perf_counter() - w)
        for p in sorted(patients, key=lambda p: json.dumps(p, sort_keys=True, default=str)):
            digest.update(json.dumps(p, sort_keys=True, default=str).encode())
        digest.update(json.dumps(unattributed, sort_keys=True, default=str).encode())
    return {"patients": n, "shards": len(shards), "stages": stages, "twins": twins, "digest": digest.hexdigest()}


def compare(a: Path, b: Path, rounds: int, turtle: Path, shard: int) -> None:
    """``run`` alternately on two checkouts; the medians side by side in RESULTS."""
    results: dict[str, list[dict]] = {"A": [], "B": []}
    loads: list[str] = []
    for r in range(rounds):
        for label, root in (("A", a), ("B", b)):
            before = os.getloadavg()[0]
            env = dict(os.environ, PYTHONPATH=str(root))
            out = subprocess.run([sys.executable, __file__, "run", "--turtle", str(turtle), "--shard", str(shard)],
                                 env=env, cwd=str(root), capture_output=True, text=True, check=True)
            got = json.loads(out.stdout.strip().splitlines()[-1])
            after = os.getloadavg()[0]
            results[label].append(got)
            loads.append(f"round {r + 1} {label}: {before:.2f} → {after:.2f}")
            print(f"round {r + 1} {label}: rules {1000 * got['stages']['rules'][0] / got['patients']:.3f} "
                  f"read {1000 * got['stages']['read'][0] / got['patients']:.3f} ms/patient; load "
                  f"{before:.2f} → {after:.2f}", file=sys.stderr)
    n = results["A"][0]["patients"]

    def median(label: str, section: str, key: str, i: int) -> float:
        return statistics.median(1000 * r[section].get(key, [0.0, 0.0])[i] / n for r in results[label])

    def sha(root: Path) -> str:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True,
                              text=True).stdout.strip()

    digests = {label: {r["digest"] for r in rs} for label, rs in results.items()}
    lines = ["# Columnar engine: rules and read-back stages, side by side (issue 17)", "",
             "<!-- generated by benchmarks/columnar_rules.py compare — do not edit -->", "",
             f"- date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; machine: {platform.platform()}, "
             f"Python {platform.python_version()}, {os.cpu_count()} cores, shared with other work (see the load averages)",
             f"- A: `{a}` at `{sha(a)}`; B: `{b}` at `{sha(b)}`",
             f"- cohort: {turtle} ({n:,} patients), shards of {shard} patients, as-of {AS_OF}, policy default; "
             f"{rounds} rounds, A and B alternating; medians",
             f"- patient objects identical between A and B: {'yes' if digests['A'] == digests['B'] and len(digests['A']) == 1 else 'NO'}",
             f"- load average (1 min) before → after each run: {'; '.join(loads)}", "",
             "## Stages (ms per patient)", "", "| stage | A CPU | B CPU | B/A | A wall | B wall |", "|---|---|---|---|---|---|"]
    for stage in ("warm", "load", "rules", "validate", "read"):
        ca, cb = median("A", "stages", stage, 0), median("B", "stages", stage, 0)
        lines.append(f"| {stage} | {ca:.3f} | {cb:.3f} | {cb / ca if ca else 0:.2f} | "
                     f"{median('A', 'stages', stage, 1):.3f} | {median('B', 'stages', stage, 1):.3f} |")
    lines += ["", "## Twins (CPU ms per patient, the 15 dearest in A)", "", "| twin | A | B |", "|---|---|---|"]
    names = sorted(results["A"][0]["twins"], key=lambda k: -median("A", "twins", k, 0))
    for name in names[:15]:
        lines.append(f"| {name} | {median('A', 'twins', name, 0):.4f} | {median('B', 'twins', name, 0):.4f} |")
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    one = sub.add_parser("run")
    two = sub.add_parser("compare")
    two.add_argument("a", type=Path)
    two.add_argument("b", type=Path)
    two.add_argument("--rounds", type=int, default=3)
    for p in (one, two):
        p.add_argument("--turtle", type=Path, default=None)
        p.add_argument("--shard", type=int, default=2500)
    args = parser.parse_args()
    if args.turtle is None:  # the benchmarks' 5,000-patient cohort, generated once (seeded)
        sys.path.insert(0, str(REPO))
        from benchmarks.cohort import ensure_cohort

        args.turtle = ensure_cohort(5000) / "turtle"
    if args.command == "run":
        if not os.environ.get("PYTHONPATH"):  # ``compare`` sets it to the checkout measured
            sys.path.insert(0, str(REPO))
        print(json.dumps(run(args.turtle, args.shard)))
    else:
        compare(args.a, args.b, args.rounds, args.turtle, args.shard)


if __name__ == "__main__":
    main()
