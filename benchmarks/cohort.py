"""Cohort benchmark (issue 6): generate synthetic cohorts, measure the pipeline against the naive stack.

Usage::

    python benchmarks/cohort.py generate --patients 100000 --out benchmarks/work/cohort-100000
    python benchmarks/cohort.py run [--full] [--sizes 1000,10000,100000] [--workers 2]

``run`` measures, in one run, side by side:

* the project's pipeline through ``run_cohort`` (Oxigraph + fast validator, sharded, results
  written to JSONL and the store) at each size, on Turtle input (and Bulk FHIR input up to
  ``--fhir-max``): wall time, patients/s, peak RSS of the whole process tree (parent + workers,
  sampled with psutil every 0.1 s), and time growth relative to the smallest size;
* the naive baseline on up to 1,000 of the same patients: one rdflib graph of the whole cohort,
  the same rules run by rdflib's SPARQL engine, pySHACL as validator, in one process;
* one patient through a warm pipeline (as a service would call it): median of 200 calls.

Each measurement runs in a fresh subprocess with a time cap; a capped run is reported as such,
never extrapolated silently. Results go to ``benchmarks/results/cohort.md``.

``processors`` (issue 17) measures the two shard processors side by side in one run, on the same
Bulk FHIR cohort with the default options of ``trd assess COHORT --out R`` (workers = cores, the
processor's shard size, no results store), and the floor (``json.loads`` of every line of the same
NDJSON): wall and CPU time (the run's process tree, from ``getrusage(RUSAGE_CHILDREN)``),
patients/s, peak RSS of the tree, the per-stage CPU table of the run's summary, and the load
average before and after each run; ``--large N`` adds one columnar run on N patients, ``--store-run``
one run of the default processor with ``--store`` (the results store's load rate). Results go
to ``benchmarks/results/cohort-columnar.md`` and ``.json``::

    python benchmarks/cohort.py processors [--patients 5040] [--large 100000] [--store-run]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: the repository root, for reasoner and benchmarks
    sys.path.insert(0, str(ROOT))
WORK = ROOT / "benchmarks" / "work"
RESULTS = ROOT / "benchmarks" / "results" / "cohort.md"
COLUMNAR_RESULTS = ROOT / "benchmarks" / "results" / "cohort-columnar.md"
SEED = 7


# --- generation ---------------------------------------------------------------------------------
def ensure_cohort(patients: int, work: Path = WORK, fhir: bool = True) -> Path:
    """A generated cohort of ``patients`` (reused when the same one exists already)."""
    from benchmarks.support.synthetic import generate_cohort

    out = work / f"cohort-{patients}"
    meta = out / "generation.json"
    if meta.exists():
        info = json.loads(meta.read_text())
        if info.get("patients") == patients and info.get("seed") == SEED and (not fhir or info.get("fhir_lines")):
            return out
    started = time.perf_counter()
    stats = generate_cohort(out, patients, seed=SEED, fhir=fhir)
    print(f"generated {stats.patients:,} patients ({stats.trials:,} trials) in {time.perf_counter() - started:.1f} s",
          file=sys.stderr)
    return out


# --- measuring a subprocess ---------------------------------------------------------------------
def measure(code: str, cap: float) -> dict[str, Any]:
    """Run ``python -c code`` with a time cap; wall time, peak tree RSS (and each process's own
    peak: "parent" and "child PID"), and its JSON stdout."""
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            cwd=str(ROOT), text=True)
    ps = psutil.Process(proc.pid)
    peak = 0
    by_process: dict[str, int] = {}
    capped = False
    while proc.poll() is None:
        try:
            tree = [ps, *ps.children(recursive=True)]
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            tree = []
        total = 0
        for p in tree:
            try:
                rss = p.memory_info().rss
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
            key = "parent" if p.pid == proc.pid else f"child {p.pid}"
            by_process[key] = max(by_process.get(key, 0), rss)
            total += rss
        peak = max(peak, total)
        if time.perf_counter() - started > cap:
            capped = True
            for p in ps.children(recursive=True):
                p.kill()
            proc.kill()
            break
        time.sleep(0.1)
    out, err = proc.communicate()
    wall = time.perf_counter() - started
    result: dict[str, Any] = {"wall": wall, "peak_rss": peak, "peak_rss_by_process": by_process, "capped": capped,
                              "returncode": proc.returncode}
    if not capped:
        try:
            result.update(json.loads(out.strip().splitlines()[-1]))
        except (ValueError, IndexError):
            result["error"] = (err.strip().splitlines() or ["no output"])[-1]
    return result


def pipeline_code(cohort: Path, kind: str, out_dir: Path, workers: int, shard_size: int, store: bool,
                  batch_size: int) -> str:
    """The subprocess that runs the project's pipeline on a cohort (fresh output each time)."""
    return f"""
import json, shutil, time
from pathlib import Path
from reasoner.cohort import run_cohort
out = Path({str(out_dir)!r})
shutil.rmtree(out, ignore_errors=True)
t = time.perf_counter()
s = run_cohort({str(cohort / kind)!r}, out, workers={workers}, shard_size={shard_size}, as_of="2026-01-15",
               resume=False, progress=False, store={store}, batch_size={batch_size})
print(json.dumps({{"seconds": time.perf_counter() - t, "patients": s.patients, "trd": s.trd}}))
"""


def baseline_code(cohort: Path, patients: int) -> str:
    """The naive stack: one rdflib graph of the whole cohort, rdflib SPARQL rules, pySHACL."""
    return f"""
import json, time
from pathlib import Path
from rdflib import Graph
t0 = time.perf_counter()
from benchmarks.support.baseline import naive_assess
n, statuses = naive_assess(Path({str(cohort / 'turtle')!r}), {patients}, as_of="2026-01-15")
print(json.dumps({{"seconds": time.perf_counter() - t0, "patients": n, "trd": statuses}}))
"""


def warm_latency_code(cohort: Path, calls: int) -> str:
    """One patient at a time through a warm pipeline; the median of ``calls`` calls."""
    return f"""
import json
from pathlib import Path
from benchmarks.support.baseline import warm_latency
print(json.dumps(warm_latency(Path({str(cohort / 'turtle')!r}), {calls}, as_of="2026-01-15")))
"""


def _committed(out_dir: Path) -> int:
    """Patients committed in an output folder (read from its manifest)."""
    from reasoner.cohort.manifest import Manifest

    path = out_dir / "manifest.sqlite"
    if not path.exists():
        return 0
    manifest = Manifest(path)
    try:
        return int(manifest.totals().get("patients", 0))
    finally:
        manifest.close()


# --- report -------------------------------------------------------------------------------------
def _commit() -> str:
    marker = ROOT / "COMMIT"  # a snapshot of the tree (git archive) names its commit here
    if marker.exists():
        return marker.read_text().strip()
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                              text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _mib(n: int) -> str:
    return f"{n / 2**20:,.0f} MiB"


def write_report(rows: list[dict[str, Any]], baselines: list[dict[str, Any]], latency: dict[str, Any] | None,
                 args: argparse.Namespace, path: Path = RESULTS) -> None:
    """benchmarks/results/cohort.md: machine, commit, date, the table and the targets."""
    mem = psutil.virtual_memory().total
    lines = [
        "# Cohort benchmark (issue 6)", "",
        "<!-- generated by benchmarks/cohort.py run — do not edit; the analysis is in cohort-analysis.md -->", "",
        f"- date: {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC; commit `{_commit()}`",
        f"- machine: {platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} cores, "
        f"{mem / 2**30:.0f} GiB RAM (shared with other work while measured: numbers are conservative)",
        f"- command: `python benchmarks/cohort.py run {' '.join(sys.argv[2:])}`",
        f"- cohort: generated by `benchmarks.support.synthetic` (seed {SEED}), as-of 2026-01-15, shard size "
        f"{args.shard_size}, workers {args.workers}",
        "", "| run | input | patients | wall s | patients/s | peak RSS (tree) | time vs smallest | note |",
        "|---|---|---|---|---|---|---|---|",
    ]
    smallest: dict[str, float] = {}
    for r in rows:
        note = r.get("error", "")
        if r.get("capped"):
            done = r.get("patients_done", 0)
            note = f"CAPPED at {r['cap']:.0f} s: {done:,} patients committed ({done / r['cap']:,.0f}/s incl. start-up)"
        secs = r.get("seconds", r["wall"])
        key = r["input"]
        ratio = ""
        if not r.get("capped") and "error" not in r:
            smallest.setdefault(key, secs)
            ratio = f"{secs / smallest[key]:.1f}×"
        rate = f"{r['patients_n'] / secs:,.0f}" if not r.get("capped") and "error" not in r else "—"
        lines.append(f"| pipeline | {key} | {r['patients_n']:,} | {secs:,.1f} | {rate} | {_mib(r['peak_rss'])} | "
                     f"{ratio} | {note} |")
    first_base: float | None = None
    for baseline in baselines:
        secs = baseline.get("seconds", baseline["wall"])
        note = "CAPPED at %.0f s" % baseline["cap"] if baseline.get("capped") else baseline.get("error", "")
        ok = not baseline.get("capped") and "error" not in baseline
        rate = f"{baseline['patients_n'] / secs:,.1f}" if ok else "—"
        ratio = ""
        if ok:
            first_base = first_base if first_base is not None else secs
            ratio = f"{secs / first_base:.1f}×"
        lines.append(f"| naive baseline (rdflib + pySHACL, one graph) | turtle | {baseline['patients_n']:,} | "
                     f"{secs:,.1f} | {rate} | {_mib(baseline['peak_rss'])} | {ratio} | {note} |")
    lines.append("")
    if latency is not None:
        if "median_ms" in latency:
            lines.append(f"Warm one-patient latency (Pipeline reused, one patient's graph per call, {latency.get('calls')} "
                         f"calls): median **{latency['median_ms']:.1f} ms**, p90 {latency.get('p90_ms', 0):.1f} ms.")
        else:
            lines.append(f"Warm one-patient latency: not measured ({latency.get('error', 'capped')}).")
        lines.append("")
    lines += targets(rows, baselines, latency)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    print(path.read_text())


def targets(rows: list[dict[str, Any]], baselines: list[dict[str, Any]], latency: dict[str, Any] | None) -> list[str]:
    """The issue's targets, each marked met / not met / not measured from the rows above."""
    ok = [r for r in rows if not r.get("capped") and "error" not in r and r["input"] == "turtle"]
    by_n = {r["patients_n"]: r for r in ok}
    out = ["## Targets (issue 6)", ""]

    def verdict(cond: bool | None) -> str:
        return "not measured" if cond is None else ("**met**" if cond else "**not met**")

    r100 = by_n.get(100_000)
    rate100 = r100["patients_n"] / r100["seconds"] if r100 else None
    capped100 = next((r for r in rows if r["input"] == "turtle" and r["patients_n"] == 100_000 and r.get("capped")), None)
    if rate100 is None and capped100 is not None and capped100.get("patients_done"):
        partial = capped100["patients_done"] / capped100["cap"]
        out.append(f"- ≥ 1,000 patients/s end to end at 100,000: {verdict(partial >= 1000)} (run capped at "
                   f"{capped100['cap']:.0f} s after {capped100['patients_done']:,} patients: {partial:,.0f}/s)")
    else:
        out.append(f"- ≥ 1,000 patients/s end to end at 100,000: {verdict(None if rate100 is None else rate100 >= 1000)}"
                   + (f" ({rate100:,.0f}/s)" if rate100 else ""))
    r1 = by_n.get(1000)
    measured = [b for b in baselines if not b.get("capped") and "error" not in b]
    baseline = measured[-1] if measured else (baselines[-1] if baselines else None)
    base_ok = bool(measured)
    if r1 and baseline is not None:
        pipe_rate = r1["patients_n"] / r1["seconds"]
        if base_ok:
            base_rate = baseline["patients_n"] / baseline["seconds"]
            per_patient = [f"{b['patients_n']:,}: {b['seconds'] / b['patients_n'] * 1000:,.0f} ms" for b in measured]
            # seen to grow: at least two sizes, the time per patient never falling between them
            growing = len(measured) > 1 and all(a["seconds"] / a["patients_n"] <= b["seconds"] / b["patients_n"]
                                                for a, b in zip(measured, measured[1:]))
            same = baseline["patients_n"] >= r1["patients_n"]
            reason = ("on the same patients" if same else
                      f"pipeline at {r1['patients_n']:,} patients vs baseline at {baseline['patients_n']:,}, the largest "
                      f"measured; the baseline's time per patient grows with the cohort ({'; '.join(per_patient)}), "
                      f"so on the same {r1['patients_n']:,} patients the ratio is larger still"
                      if growing else
                      f"pipeline at {r1['patients_n']:,} patients vs baseline at {baseline['patients_n']:,}; the "
                      "baseline's growth with the cohort was not measured, so this ratio is not for the same patients")
            met = pipe_rate / base_rate >= 100 if (same or growing) else None
            out.append(f"- ≥ 100× the naive baseline on the same patients: {verdict(met)} "
                       f"({pipe_rate / base_rate:,.0f}×: {reason})")
        else:
            lower = pipe_rate / (baseline["patients_n"] / baseline["cap"])
            out.append(f"- ≥ 100× the naive baseline: baseline capped at {baseline['cap']:.0f} s, so the speed-up is "
                       f"at least {lower:,.0f}× ({verdict(lower >= 100) if lower >= 100 else 'undetermined'})")
    else:
        out.append("- ≥ 100× the naive baseline: not measured")
    if r1 and r100:
        growth = r100["seconds"] / r1["seconds"]
        out.append(f"- linear growth, 1k → 100k ≤ 110× the time: {verdict(growth <= 110)} ({growth:.0f}×)")
    else:
        rates = []
        for r in rows:
            if r["input"] != "turtle" or "error" in r:
                continue
            if r.get("capped"):
                rates.append(f"{r['patients_n']:,} (capped): {r.get('patients_done', 0) / r['cap']:,.0f}/s")
            else:
                rates.append(f"{r['patients_n']:,}: {r['patients_n'] / r['seconds']:,.0f}/s")
        out.append("- linear growth 1k → 100k: not measured end to end; throughput by cohort size "
                   "(flat throughput = linear time): " + "; ".join(rates))
    if r100:
        out.append(f"- peak memory < 2 GiB at 100,000: {verdict(r100['peak_rss'] < 2 * 2**30)} ({_mib(r100['peak_rss'])}; "
                   "flat across sizes: " + ", ".join(f"{n:,}: {_mib(r['peak_rss'])}" for n, r in sorted(by_n.items())) + ")")
    elif capped100 is not None:
        out.append(f"- peak memory < 2 GiB at 100,000: {verdict(capped100['peak_rss'] < 2 * 2**30)} while running "
                   f"(capped after {capped100.get('patients_done', 0):,} patients): {_mib(capped100['peak_rss'])}; by size: "
                   + ", ".join(f"{n:,}: {_mib(r['peak_rss'])}" for n, r in sorted(by_n.items())))
    else:
        out.append("- peak memory < 2 GiB at 100,000: not measured")
    med = latency.get("median_ms") if latency else None
    out.append(f"- warm one-patient median < 20 ms: {verdict(None if med is None else med < 20)}"
               + (f" ({med:.1f} ms)" if med is not None else ""))
    return out


# --- commands -----------------------------------------------------------------------------------
def cmd_generate(args: argparse.Namespace) -> None:
    from benchmarks.support.synthetic import generate_cohort

    started = time.perf_counter()
    stats = generate_cohort(Path(args.out), args.patients, seed=args.seed, fhir=not args.no_fhir,
                            turtle=not args.no_turtle)
    print(json.dumps({**stats.__dict__, "seconds": round(time.perf_counter() - started, 1)}))


def cmd_run(args: argparse.Namespace) -> None:
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.full and 1_000_000 not in sizes:
        sizes.append(1_000_000)
    work = Path(args.work)
    rows: list[dict[str, Any]] = []
    deadline = time.perf_counter() + args.total_cap
    for n in sizes:
        if time.perf_counter() > deadline:
            print(f"total time cap reached; {n:,} not run", file=sys.stderr)
            break
        cohort = ensure_cohort(n, work, fhir=n <= args.fhir_max)
        runs = [("turtle", True)] + ([("fhir", True)] if n <= args.fhir_max else []) \
            + ([("turtle", False)] if n == sizes[0] else [])
        for kind, store in runs:
            cap = min(args.cap, max(10.0, deadline - time.perf_counter()))
            out_dir = Path(tempfile.mkdtemp(prefix=f"trd-bench-{n}-", dir=work))
            r = measure(pipeline_code(cohort, kind, out_dir, args.workers, args.shard_size, store, args.batch_size), cap)
            r.update(input=kind if store else f"{kind}, no store", patients_n=n, cap=cap)
            if r.get("capped"):  # what was committed before the cap: a throughput, not a guess
                r["patients_done"] = _committed(out_dir)
            rows.append(r)
            print(json.dumps({k: v for k, v in r.items() if k != "trd"}), file=sys.stderr)
            shutil.rmtree(out_dir, ignore_errors=True)
    baselines: list[dict[str, Any]] = []
    if not args.no_baseline:
        cohort = ensure_cohort(sizes[0], work)
        for n in sorted({min(int(b), sizes[0]) for b in str(args.baseline_patients).split(",")}):
            baseline = measure(baseline_code(cohort, n), args.baseline_cap)
            baseline.update(patients_n=n, cap=args.baseline_cap)
            print(json.dumps(baseline), file=sys.stderr)
            baselines.append(baseline)
            if baseline.get("capped") or "error" in baseline:
                break  # a larger size would be capped too
    latency = None
    if not args.no_latency:
        latency = measure(warm_latency_code(ensure_cohort(sizes[0], work), 200), 300)
        print(json.dumps(latency), file=sys.stderr)
    write_report(rows, baselines, latency, args, Path(args.results))


# --- the two processors side by side (issue 17) ----------------------------------------------------
def processor_code(cohort: Path, out_dir: Path, processor: str, extra: str = "") -> str:
    """A cohort run with the default options of ``trd assess COHORT --out R`` and one processor."""
    return f"""
import json, shutil
from pathlib import Path
from reasoner.cohort import run_cohort
out = Path({str(out_dir)!r})
shutil.rmtree(out, ignore_errors=True)
s = run_cohort({str(cohort / 'fhir')!r}, out, processor={processor!r}, as_of="2026-01-15", resume=False,
               progress=False{extra})
print(json.dumps({{"seconds": s.seconds, "patients": s.patients, "trd": s.trd, "stages": s.stages,
                  "cpu_seconds": s.cpu_seconds, "workers": s.workers}}))
"""


def floor_code(cohort: Path) -> str:
    """``json.loads`` of every line of the cohort's NDJSON: the least any reader of it must do."""
    return f"""
import json, time
from pathlib import Path
cpu, t = time.process_time(), time.perf_counter()
n = 0
for path in sorted(Path({str(cohort / 'fhir')!r}).glob("*.ndjson")):
    with open(path, "rb") as lines:
        for line in lines:
            if line.strip():
                try:
                    json.loads(line)
                except ValueError:
                    pass
                n += 1
print(json.dumps({{"seconds": time.perf_counter() - t, "cpu": time.process_time() - cpu, "lines": n}}))
"""


def measured_run(code: str, cap: float) -> dict[str, Any]:
    """:func:`measure`, plus the CPU time of the run's process tree and the load average around it."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load_before = os.getloadavg()
    result = measure(code, cap)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result["tree_cpu"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    result["load_before"], result["load_after"] = load_before, os.getloadavg()
    return result


def cmd_processors(args: argparse.Namespace) -> None:
    from reasoner.cohort.worker import DEFAULT_PROCESSOR

    work = Path(args.work)
    cohort = ensure_cohort(args.patients, work)
    runs: list[dict[str, Any]] = []
    floor = measured_run(floor_code(cohort), args.cap)
    floor.update(run="floor: json.loads of the NDJSON", patients_n=args.patients)
    runs.append(floor)
    print(json.dumps(floor), file=sys.stderr)
    plan = [(p, args.patients, False) for p in ("columnar", "pipeline")]
    if args.store_run:
        plan.append((DEFAULT_PROCESSOR, args.patients, True))
    if args.large:
        plan.append(("columnar", args.large, False))
    for processor, n, store in plan:
        source = ensure_cohort(n, work)
        out_dir = Path(tempfile.mkdtemp(prefix=f"trd-bench-{processor}-{n}-", dir=work))
        r = measured_run(processor_code(source, out_dir, processor, ", store=True" if store else ""), args.cap)
        r.update(run=f"{processor} --store" if store else processor, patients_n=n, cap=args.cap)
        if r.get("capped"):
            r["patients_done"] = _committed(out_dir)
        runs.append(r)
        print(json.dumps({k: v for k, v in r.items() if k not in ("trd", "stages")}), file=sys.stderr)
        shutil.rmtree(out_dir, ignore_errors=True)
    write_processors_report(runs, args, Path(args.results))


def write_processors_report(runs: list[dict[str, Any]], args: argparse.Namespace, path: Path) -> None:
    """benchmarks/results/cohort-columnar.md (+ .json): the side-by-side table and the stage table."""
    mem = psutil.virtual_memory().total
    lines = [
        "# Cohort benchmark: columnar vs pipeline processor (issue 17)", "",
        "<!-- generated by benchmarks/cohort.py processors — do not edit -->", "",
        f"- date: {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC; commit `{_commit()}`",
        f"- machine: {platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} cores, "
        f"{mem / 2**30:.0f} GiB RAM, shared with other work while measured (see the load averages)",
        f"- command: `python benchmarks/cohort.py processors {' '.join(sys.argv[2:])}`",
        f"- cohort: Bulk FHIR generated by `benchmarks.support.synthetic` (seed {SEED}), as-of 2026-01-15; "
        "default options of `trd assess COHORT --out R` (workers = cores, the processor's shard size, no store)",
        "", "| run | patients | wall s | patients/s (wall) | CPU s (tree) | CPU ms/patient | peak RSS (tree) | "
        "load 1-min before → after | note |", "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in runs:
        n = r["patients_n"]
        ok = not r.get("capped") and "error" not in r and r.get("returncode") == 0
        secs = r.get("seconds", r["wall"])
        note = r.get("error", "")
        if r.get("capped"):
            note = f"CAPPED at {r['cap']:.0f} s after {r.get('patients_done', 0):,} patients"
        rate = f"{n / secs:,.0f}" if ok else "—"
        lines.append(f"| {r['run']} | {n:,} | {secs:,.1f} | {rate} | {r['tree_cpu']:,.1f} | "
                     f"{1000 * r['tree_cpu'] / n:,.2f} | {_mib(r['peak_rss'])} | "
                     f"{r['load_before'][0]:.2f} → {r['load_after'][0]:.2f} | {note} |")
    lines += ["", "Wall time of a run is its `summary.json` seconds (the run itself, after the interpreter started); "
              "CPU is the whole process tree (parent, spawned workers, interpreter start).", ""]
    for r in runs:
        store = (r.get("stages") or {}).get("store")
        if store and store.get("quads") and store["wall"] > 0:
            lines += [f"Results store of the `{r['run']}` run, built after it (Oxigraph bulk load of the staged "
                      f"N-Quads): {store['quads']:,.0f} quads in {store['wall']:,.1f} s wall / {store['cpu']:,.1f} s "
                      f"CPU = **{store['quads'] / store['wall']:,.0f} quads/s** (target ≥ 200,000).", ""]
    staged = [r for r in runs if r.get("stages")]
    if staged:
        names: list[str] = []
        for r in staged:
            for name in r["stages"].get("shard stages", {}):
                if name not in names:
                    names.append(name)
        lines += ["## CPU per stage (ms per patient; the shards' stages summed over workers)", "",
                  "| stage | " + " | ".join(f"{r['run']} {r['patients_n']:,}" for r in staged) + " |",
                  "|---|" + "---|" * len(staged)]
        for name in ("index", *(f"shard: {n}" for n in names), "commit", "store"):
            cells = []
            for r in staged:
                stage = (r["stages"].get("shard stages", {}).get(name[7:]) if name.startswith("shard: ")
                         else r["stages"].get(name))
                cells.append(f"{1000 * stage['cpu'] / r['patients_n']:.3f}" if stage else "—")
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        lines.append("")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    path.with_suffix(".json").write_text(json.dumps(runs, indent=1, default=str) + "\n")
    print(path.read_text())


def main(argv: list[str] | None = None) -> None:
    from reasoner.cohort.worker import DEFAULT_BATCH_SIZE

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    g = sub.add_parser("generate", help="write a synthetic cohort (Turtle + Bulk FHIR)")
    g.add_argument("--patients", type=int, default=1000)
    g.add_argument("--out", required=True)
    g.add_argument("--seed", type=int, default=SEED)
    g.add_argument("--no-fhir", action="store_true")
    g.add_argument("--no-turtle", action="store_true")
    g.set_defaults(func=cmd_generate)
    r = sub.add_parser("run", help="measure the pipeline and the naive baseline; write results/cohort.md")
    r.add_argument("--sizes", default="1000,10000,100000")
    r.add_argument("--full", action="store_true", help="add 1,000,000 patients")
    r.add_argument("--workers", type=int, default=2)
    r.add_argument("--shard-size", type=int, default=1000)
    r.add_argument("--fhir-max", type=int, default=10_000, help="largest size also run from Bulk FHIR")
    r.add_argument("--cap", type=float, default=1200, help="time cap of one pipeline run (s)")
    r.add_argument("--baseline-cap", type=float, default=600, help="time cap of the naive baseline (s)")
    r.add_argument("--total-cap", type=float, default=3000, help="no new size is started after this (s)")
    r.add_argument("--baseline-patients", default="1000",
                   help="patients for the naive baseline (≤ 1,000), or several sizes: 25,50,100")
    r.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE, help="patients per pipeline call inside a shard")
    r.add_argument("--no-baseline", action="store_true")
    r.add_argument("--no-latency", action="store_true")
    r.add_argument("--work", default=str(WORK))
    r.add_argument("--results", default=str(RESULTS), help="where to write the Markdown table")
    r.set_defaults(func=cmd_run)
    c = sub.add_parser("processors", help="columnar vs pipeline processor side by side; results/cohort-columnar.md")
    c.add_argument("--patients", type=int, default=5040)
    c.add_argument("--large", type=int, default=0, help="also run the columnar processor on this many patients")
    c.add_argument("--store-run", action="store_true",
                   help="also run the default processor with --store: the results store's load rate (quads/s)")
    c.add_argument("--cap", type=float, default=1800, help="time cap of one run (s)")
    c.add_argument("--work", default=str(WORK))
    c.add_argument("--results", default=str(COLUMNAR_RESULTS))
    c.set_defaults(func=cmd_processors)
    args = parser.parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main()
