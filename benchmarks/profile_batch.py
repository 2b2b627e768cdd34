"""Where one batch's time goes, stage by stage, and what a warm one-patient call cannot go below.

Usage::

    python benchmarks/profile_batch.py [--cohort DIR] [--batch N] [--patients 1000] [--results PATH]

Prints JSON and writes ``benchmarks/results/profile.json`` (or ``--results``):

* ``batch``: CPU milliseconds per patient of each stage of the pipeline on batches of
  ``--batch`` patients in one store (load, rules, validation, JSON read-back: the pipeline's
  stage methods ``derive``/``check``/``read``, called and timed here; the product has no
  clock), plus the cohort
  stages around it (the results-store N-Quads of ``pipeline_processor.store_nquads`` and the
  RocksDB ``bulk_load`` the single writer does), medians over the batches;
* ``single``: the same stages for one patient per call through the warm pipeline (median of 100);
* ``compile_floor``: the time Oxigraph spends compiling the SPARQL texts one call issues (each
  text run on an empty store: parsing and planning, no data), by stage. pyoxigraph has no
  prepared queries, so a warm one-patient call pays this every time.

The cohort comes from ``benchmarks/cohort.py generate`` (Turtle, one file per shard).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: the repository root, for reasoner and benchmarks
    sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "benchmarks" / "results" / "profile.json"


def _stages(pipe: Any, data: bytes, with_store: bool) -> tuple[dict[str, float], list[dict[str, Any]]]:
    """CPU seconds of each stage of one pipeline call, and the patients it found.

    The stages are the pipeline's own methods (``derive``, ``check``, ``read``), called here one
    by one as ``Pipeline.assess`` calls them; the clock is this benchmark's, not the product's.
    ``load`` is getting the workspace plus loading the batch into it. ``with_store``: a fresh
    workspace kept for the results-store N-Quads, as the cohort's batches get; else the
    pipeline's warm workspace, as one-patient service calls get (``Pipeline._workspace_for``:
    the product's own reuse policy, so that the warm path measured is the one that runs).
    """
    from reasoner.cohort.pipeline_processor import store_nquads

    times: dict[str, float] = {}
    last = time.process_time()

    def lap(stage: str) -> None:
        nonlocal last
        now = time.process_time()
        times[stage] = now - last
        last = now

    with pipe._workspace_for(with_store) as ws:
        ws.add_asserted(data, "nt")
        lap("load")
        pipe.derive(ws)
        lap("rules")
        validation = pipe.check(ws)
        lap("validate")
        patients, _unattributed = pipe.read(ws, validation)
        lap("json")
        if with_store:
            nquads = store_nquads(ws)
            lap("store_nquads")
            times["quads"] = nquads.count(b"\n")
            times["_nquads"] = nquads  # type: ignore[assignment]
    return times, patients


def _compile_floor(pipe: Any, data: bytes) -> dict[str, Any]:
    """Record the SPARQL texts of one warm call, stage by stage, then time each on an empty store.

    Every text a stage issues goes through a query method of the workspace's class or the fast
    validator's run (``_Run.select``); those are wrapped for the one recorded call, and the
    stage a text belongs to is the stage method running when it was issued.
    """
    from reasoner.validate import fast as shacl_fast

    texts: dict[str, list[str]] = {"rules": [], "validate": [], "json": []}
    current = ["rules"]
    with pipe._workspace_for(False) as ws:
        classes = [(type(ws), name) for name in ("select", "select_values", "ask", "construct", "derive")]
        classes.append((shacl_fast._Run, "select"))
        originals = [(cls, name, cls.__dict__[name]) for cls, name in classes if name in cls.__dict__]

        def recording(method: Any) -> Any:
            def wrapper(self: Any, query: str, *args: Any, **kwargs: Any) -> Any:
                texts[current[0]].append(query)
                return method(self, query, *args, **kwargs)
            return wrapper

        for cls, name, method in originals:
            setattr(cls, name, recording(method))
        try:
            ws.add_asserted(data, "nt")
            pipe.derive(ws)
            current[0] = "validate"
            validation = pipe.check(ws)
            current[0] = "json"
            pipe.read(ws, validation)
        finally:
            for cls, name, method in originals:
                setattr(cls, name, method)
    empty = ox.Store()
    out: dict[str, Any] = {}
    for stage, queries in texts.items():
        total = 0.0
        for q in queries:
            runs = []
            for _ in range(7):
                started = time.perf_counter()
                answer = empty.query(q, use_default_graph_as_union=True)
                if not isinstance(answer, ox.QueryBoolean):  # an ASK answer is no iterator
                    list(answer)
                runs.append(time.perf_counter() - started)
            total += statistics.median(runs)
        out[stage] = {"texts": len(queries), "ms": round(total * 1000, 2)}
    out["total_ms"] = round(sum(v["ms"] for v in out.values()), 2)
    return out


def main(argv: list[str] | None = None) -> None:
    from benchmarks.support.baseline import patient_units
    from reasoner.cohort.pipeline_processor import pipeline_for
    from reasoner.cohort.worker import DEFAULT_BATCH_SIZE, RunSettings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cohort", default=str(ROOT / "benchmarks" / "work" / "cohort-1000"))
    parser.add_argument("--batch", type=int, default=DEFAULT_BATCH_SIZE)
    parser.add_argument("--patients", type=int, default=1000)
    parser.add_argument("--results", default=str(RESULTS))
    args = parser.parse_args(argv)
    units = [data for _iri, data in patient_units(Path(args.cohort) / "turtle", args.patients)]
    # the cohort worker's warm pipeline (and its GC settings), as a shard would get it
    pipe = pipeline_for(RunSettings(policy="default", as_of="2026-01-15"))
    # warm-up, and the proof that the stages called here find what one assess call finds
    expected = pipe.assess(b"".join(units[:args.batch])).patients
    if _stages(pipe, b"".join(units[:args.batch]), with_store=True)[1] != expected:
        raise SystemExit("the stages called one by one disagree with Pipeline.assess: fix the benchmark")
    per_batch: list[dict[str, float]] = []
    store_dir = Path(tempfile.mkdtemp(prefix="trd-profile-"))
    store = ox.Store(str(store_dir / "store"))
    for start in range(0, len(units), args.batch):
        chunk = units[start:start + args.batch]
        stages, _patients = _stages(pipe, b"".join(chunk), with_store=True)
        nquads = stages.pop("_nquads")
        began = time.perf_counter()
        store.bulk_load(nquads, format=ox.RdfFormat.N_QUADS, lenient=True)  # as ResultWriter.write loads them
        stages["store_write"] = time.perf_counter() - began   # wall: RocksDB uses threads of its own
        per_batch.append({k: v / len(chunk) for k, v in stages.items()})
    del store
    shutil.rmtree(store_dir, ignore_errors=True)
    batch = {k: round(statistics.median(b[k] for b in per_batch) * (1 if k == "quads" else 1000), 3)
             for k in per_batch[0]}
    batch["pipeline_ms"] = round(sum(batch[k] for k in ("load", "rules", "validate", "json")), 3)
    single_runs = [_stages(pipe, u, with_store=False)[0] for u in units[:100]]
    single = {k: round(statistics.median(r[k] for r in single_runs) * 1000, 2) for k in single_runs[0]}
    single["total_ms"] = round(sum(single.values()), 2)
    result = {"cohort": args.cohort, "batch_size": args.batch, "patients": len(units),
              "batch_ms_per_patient": batch, "single_patient_ms": single,
              "compile_floor_ms": _compile_floor(pipe, units[0]),
              "note": "CPU time per stage (store_write: wall); 2 cores shared with other work while measured"}
    Path(args.results).parent.mkdir(parents=True, exist_ok=True)
    Path(args.results).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
