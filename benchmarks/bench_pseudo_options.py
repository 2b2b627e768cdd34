"""Throughput of the pseudo-resistance, mechanism, option and P-gp rules at cohort scale.

Why: the cohort runner evaluates ~1,000 patients in one Oxigraph store, so every rule must stay
patient-local (its cost linear in the number of patients). This benchmark replicates the rule
tests' scenario patients (:mod:`benchmarks.support.scenarios.pseudo`: ~70 varied patients) to N
patients, runs the whole rule set once on Oxigraph, and reports the time of each rule of this area
(pseudo-*, mechanism-*, option-*, pgp-*) and of the whole run, for two sizes so that the growth
exponent shows whether a rule is linear.

Why the scenarios and not the synthetic cohort: a growth exponent says something only for a rule
that has data to join. The synthetic population has no IL-6, plasma drug concentrations, vascular
diagnoses, ECT courses or noncompliance findings: the P-gp occupancy rule and the
contraindicated-diagnosis option rule derive nothing from it at any size, and other rules of the
area miss the branches that read those facts. On the scenarios every rule of the area derives.

    python benchmarks/bench_pseudo_options.py [N ...]      # default: 500 1000 2000
    python benchmarks/bench_pseudo_options.py 10 20 --results /tmp/pseudo.json   # smoke run
Results: benchmarks/results/pseudo-options-rules.json (or ``--results``) and a table on stdout.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: the repository root, for reasoner and benchmarks
    sys.path.insert(0, str(ROOT))

from benchmarks.support.scenarios.pseudo import AS_OF, PREFIX, SCENARIOS  # noqa: E402
from reasoner.pipeline import Pipeline  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "pseudo-options-rules.json"

MINE = ("pseudo-", "mechanism-", "option-", "pgp-")


def cohort(n: int) -> bytes:
    """n patients: the scenario patients repeated with distinct ids."""
    parts = [PREFIX]
    for i in range(n):
        s = SCENARIOS[i % len(SCENARIOS)]
        parts.append(replace(s, pid=f"{s.pid}-n{i}").turtle())
    return "\n".join(parts).encode()


def run(n: int) -> dict[str, float]:
    pipe = Pipeline(policy="default", as_of=AS_OF, backend="oxigraph", validator=None)
    ws = pipe.workspace()
    ws.add_asserted(cohort(n), "turtle")
    times: dict[str, float] = {}
    start = time.perf_counter()
    for rule in pipe.rules.rules:          # one pass in dependency order (what the engine does)
        t = time.perf_counter()
        ws.add_derived(ws.construct(rule.text))
        times[rule.name] = time.perf_counter() - t
    times["__total__"] = time.perf_counter() - start
    return times


def main(sizes: list[int], dest: Path = RESULTS) -> None:
    results = {n: run(n) for n in sizes}
    small, large = sizes[0], sizes[-1]
    rows = []
    for name in results[large]:
        if not (name.startswith(MINE) or name == "__total__"):
            continue
        a, b = results[small][name], results[large][name]
        k = math.log(b / a) / math.log(large / small) if a > 0 and b > 0 and large != small else float("nan")
        rows.append({"rule": name, **{f"seconds_n{n}": round(results[n][name], 4) for n in sizes}, "growth_k": round(k, 2)})
    mine_total = {n: round(sum(t for r, t in results[n].items() if r.startswith(MINE)), 3) for n in sizes}
    out = {"engine": "oxigraph", "sizes": sizes, "area_rules_total_seconds": mine_total,
           "all_rules_total_seconds": {n: round(results[n]["__total__"], 3) for n in sizes},
           "patients_per_second_all_rules": {n: round(n / results[n]["__total__"], 1) for n in sizes},
           "rules": rows}
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(json.dumps(out, indent=2) + "\n")
    for r in sorted(rows, key=lambda r: -r[f"seconds_n{large}"]):
        print(f"{r['rule']:40s} " + " ".join(f"{r[f'seconds_n{n}']:8.3f}" for n in sizes) + f"  k={r['growth_k']}")
    print("area total", mine_total, "all rules", out["all_rules_total_seconds"], "patients/s", out["patients_per_second_all_rules"])


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[500, 1000, 2000], help="patients per run")
    parser.add_argument("--results", type=Path, default=RESULTS, help="where the JSON goes")
    args = parser.parse_args()
    main(args.sizes, args.results)
