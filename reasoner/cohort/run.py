"""``run_cohort``: assess a whole cohort, shard by shard, with bounded memory and resume.

The steps, each in a module of its own:

1. index the input (``reasoner.fhir.bulk_index`` for a Bulk FHIR folder, ``turtle_source`` for patient graphs)
   into ``out_dir/index.sqlite``: one streaming pass, patients numbered;
2. plan shards of ``shard_size`` patients, skipping those the manifest says are committed;
3. run them (``executors``: this process, local processes, or a Dask cluster);
4. write each result as it arrives (``writer``: Parquet findings tables, staged N-Quads, JSONL,
   manifest commit);
5. with ``store``: bulk-load the staged N-Quads into the Oxigraph results store, after the run
   (off the hot path; its time is reported apart);
6. sum the manifest's per-shard counts into a :class:`Summary` (with CPU and wall time per stage);
   publish ``patients.jsonl`` and ``summary.json`` (each renamed into place whole,
   :mod:`reasoner.cohort.files`).

The whole run holds an exclusive lock on ``out_dir``, taken before anything in it is touched: a
second run on the same folder fails at once and changes nothing. A failure of the environment
(read-only or full folder) is an :class:`~reasoner.cohort.files.OutputError` (exit 2); what was
committed stays, and the same command resumes.

Memory is bounded by (shards in flight) × (shard size), never by the cohort size.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import time
from concurrent.futures.process import BrokenProcessPool
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from reasoner.errors import InputError, TrdError
from reasoner.cohort.executors import run_dask, run_processes, run_serial
from reasoner.fhir.bulk_index import FhirIndex
from reasoner.inputs import FHIR_BULK, input_kind
from reasoner.cohort.manifest import Manifest
from reasoner.cohort.progress import CohortProgress
from reasoner.cohort.shards import FHIR, TURTLE, plan_shards
from reasoner.cohort.summary import Summary
from reasoner.cohort.turtle_source import TurtleIndex, turtle_files
from reasoner.cohort.results import add_stage
from reasoner.cohort.tables import FINDINGS_DIR
from reasoner.cohort.outputs import FHIR_DIR, REPORTS_DIR, SUMMARY_HTML
from reasoner.cohort.worker import DEFAULT_BATCH_SIZE, DEFAULT_PROCESSOR, PROCESSORS, RunSettings
from reasoner.cohort.files import OutputError, describe, exclusive, output_errors
from reasoner.cohort.writer import JSONL_NAME, PARTIAL_NAME, QUADS_DIR, STORE_NAME, ResultWriter

INDEX_NAME = "index.sqlite"
MANIFEST_NAME = "manifest.sqlite"
SUMMARY_NAME = "summary.json"
#: Everything run_cohort creates in out_dir, and the only things ``resume=False`` removes, in the
#: order it removes them: the summary first, so no summary outlives the results it describes.
OWN_OUTPUTS = (SUMMARY_NAME, f".{SUMMARY_NAME}.tmp", JSONL_NAME, PARTIAL_NAME, f".{JSONL_NAME}.tmp",
               MANIFEST_NAME, MANIFEST_NAME + "-wal", MANIFEST_NAME + "-shm",
               INDEX_NAME, INDEX_NAME + "-wal", INDEX_NAME + "-shm", STORE_NAME, QUADS_DIR, FINDINGS_DIR,
               FHIR_DIR, REPORTS_DIR, SUMMARY_HTML)
#: Shards per worker when a small cohort is cut so that every worker gets work, for a processor
#: given as ``module:function`` (the registered ones say their own, ``worker.PROCESSORS``).
SHARDS_PER_WORKER = 2
#: Shard size of a processor given as ``module:function``.
SHARD_SIZE = 1000


def default_workers() -> int:
    """The cores this process may run on (its CPU affinity where the system has one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _single_input(inputs: Path | str | Sequence[Path | str]) -> Path:
    """The one input path (a Bulk folder, a Turtle folder or a Turtle file)."""
    if isinstance(inputs, (str, Path)):
        return Path(inputs)
    items = list(inputs)
    if len(items) != 1:
        raise InputError(f"a cohort run takes one input (a folder or file), got {len(items)}")
    return Path(items[0])


def _clear_outputs(out_dir: Path) -> None:
    """Remove the outputs of an earlier run (only our own files: out_dir may hold others)."""
    for name in OWN_OUTPUTS:
        target = out_dir / name
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()


def _index(source: Path, out_dir: Path) -> tuple[str, FhirIndex | TurtleIndex, list]:
    """Build (or reuse) the input index; returns (kind, index, bad input lines)."""
    db = out_dir / INDEX_NAME
    if input_kind(source) == FHIR_BULK:  # the one input seam decides, as in single-patient mode
        fhir = FhirIndex(db, source)
        fhir.build()
        return FHIR, fhir, fhir.bad_lines()
    files = turtle_files(source)
    turtle = TurtleIndex(db, files)
    turtle.build()
    return TURTLE, turtle, []


#: Lines of no patient per committed unit. Fixed, not the shard size: a small cohort cut into
#: shards of a few patients must not commit its Practitioners and Organizations a few at a time.
LOOSE_LINES_PER_UNIT = 5000


def _loose_units(total: int, broken: bool, size: int = LOOSE_LINES_PER_UNIT) -> list[tuple[int, int]]:
    """The (first, end) line ranges of the units of ``total`` loose lines; one empty unit when only
    unreadable lines of no patient are there (``broken``: they are reported with the first unit)."""
    return [(first, min(first + size, total)) for first in range(0, max(total, 1 if broken else 0), size)]


def _account_loose(index: FhirIndex, writer: ResultWriter, manifest: Manifest, settings: RunSettings,
                   n_shards: int) -> tuple[int, int]:
    """Count (or report) the export's lines that belong to no patient, once, after the patients.

    They are committed like shards (ids after the last shard), so a resumed run neither repeats
    nor loses them; they run in this process because they need to know which shared resources
    (Medications) the patients used, which the shards report. Returns (units committed now, units).
    """
    from reasoner.cohort.pipeline_processor import process_loose

    done = manifest.done()
    used = frozenset(manifest.totals().get("usedShared", {}))
    committed = 0
    broken = index.broken_loose()  # unreadable lines that name no patient: with the first unit
    units = _loose_units(index.loose_count(), bool(broken))
    for unit, (first, end) in enumerate(units):
        shard_id = n_shards + unit
        if shard_id in done:
            continue
        writer.write(process_loose(shard_id, index.read_loose(first, end), settings, used,
                                   broken if unit == 0 else []))
        committed += 1
    return committed, len(units)


def run_cohort(inputs: Path | str | Sequence[Path | str], out_dir: Path | str, workers: int | None = None,
               scheduler: Any = None, policy: str = "default", as_of: str | dt.date | None = None,
               shard_size: int | None = None, resume: bool = True, progress: bool = True,
               processor: str = DEFAULT_PROCESSOR, store: bool = False,
               batch_size: int = DEFAULT_BATCH_SIZE, tables: bool = True) -> Summary:
    """Assess every patient of ``inputs``; results go to ``out_dir`` (see module docstring).

    ``workers`` (default: the cores of this machine) > 1 runs shards on local processes;
    ``scheduler`` (a Dask scheduler address or a ``distributed.Client``) runs them on a cluster.
    ``resume`` continues an interrupted run in ``out_dir`` (same input and settings), otherwise
    earlier outputs are replaced. ``processor``: ``pipeline`` (default), ``columnar``, or a
    ``module:function`` (tests inject their own); ``shard_size`` defaults to the processor's.
    ``store=True`` builds the Oxigraph results store after the run; ``tables=False`` skips the
    Parquet findings tables; ``batch_size`` is the number of patients per pipeline call inside a
    shard (pipeline processor).
    """
    started, started_cpu = time.perf_counter(), time.process_time()
    if workers is None:
        workers = default_workers()
    if shard_size is None:
        shard_size = PROCESSORS[processor][1] if processor in PROCESSORS else SHARD_SIZE
    source = _single_input(inputs)
    if not source.exists():
        raise InputError(f"{source}: no such file or folder")
    if shard_size < 1 or workers < 1 or batch_size < 1:
        raise InputError("shard_size, batch_size and workers must be at least 1")
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{out}: cannot create the output folder ({describe(exc)})") from exc
    with exclusive(out), output_errors(out):
        return _run_locked(source, out, workers, scheduler, policy, as_of, shard_size, resume, progress,
                           processor, store, batch_size, tables, (started, started_cpu))


def _run_locked(source: Path, out: Path, workers: int, scheduler: Any, policy: str, as_of: str | dt.date | None,
                shard_size: int, resume: bool, progress: bool, processor: str, store: bool, batch_size: int,
                tables: bool, started_at: tuple[float, float]) -> Summary:
    """The run proper, once the lock on ``out`` is held (see :func:`run_cohort`)."""
    if not resume:
        _clear_outputs(out)

    manifest = Manifest(out / MANIFEST_NAME)
    try:
        bound = manifest.bind({
            "input": source.resolve(), "policy": policy,
            "as_of": as_of.isoformat() if isinstance(as_of, dt.date) else as_of,
            "shard_size": shard_size, "processor": processor, "store": store, "batch_size": batch_size})
        if "as_of" not in bound:
            # A new run without --as-of: fix today's date now, so a resume tomorrow is the same run.
            bound = manifest.bind({"as_of": dt.date.today().isoformat()})
        settings = RunSettings(policy=policy, as_of=bound["as_of"], store=store, batch_size=batch_size,
                               tables=tables)
        stages: dict[str, dict[str, float]] = {}   # CPU and wall seconds per stage, this call only
        shard_stages: dict[str, dict[str, float]] = {}

        cpu, wall = time.process_time(), time.perf_counter()
        kind, index, bad_lines = _index(source, out)
        add_stage(stages, "index", time.process_time() - cpu, time.perf_counter() - wall)
        total = index.unit_count()   # patients (and Turtle files without one): what shards are cut from
        # Enough shards to keep every worker busy on a small cohort (a cohort of 300 patients
        # in one shard of 1,000 would leave all workers but one idle). Fixed by the first run:
        # a resumed run cuts the same shards, with any number of workers.
        parallel = workers if scheduler is None else max(workers, 4)
        if "effective_shard_size" in manifest.params():
            shard_size = int(manifest.params()["effective_shard_size"])
        elif parallel > 1:
            per_worker = PROCESSORS[processor][2] if processor in PROCESSORS else SHARDS_PER_WORKER
            shard_size = max(1, min(shard_size, -(-total // (parallel * per_worker))))
        # The same path with other content is another cohort: never mix the two in one output.
        manifest.bind({"input_fingerprint": hashlib.sha256(index.fingerprint().encode()).hexdigest()})
        manifest.bind({"effective_shard_size": shard_size})
        done = manifest.done()
        n_shards = -(-total // shard_size)
        specs = plan_shards(kind, index, out / INDEX_NAME, source, shard_size, skip=done)
        already = manifest.totals().get("patients", 0)

        writer = ResultWriter(out, manifest, store=store)
        shards_run = 0
        shards_wall = time.perf_counter()
        try:
            if scheduler is not None:
                results = run_dask(specs, settings, processor, scheduler)
            elif workers > 1:
                results = run_processes(specs, settings, processor, workers)
            else:
                results = run_serial(specs, settings, processor)
            with CohortProgress(index.patient_count(), already, enabled=progress) as bar:
                try:
                    for result in results:
                        cpu, wall = time.process_time(), time.perf_counter()
                        writer.write(result)
                        add_stage(stages, "commit", time.process_time() - cpu, time.perf_counter() - wall)
                        for name, spent in result.stages.items():
                            add_stage(shard_stages, name, spent["cpu"], spent["wall"])
                        shards_run += 1
                        bar.advance(result.patients)
                except BrokenProcessPool as exc:  # a worker was killed (out of memory, signal)
                    raise TrdError(f"a worker process died ({exc}); {shards_run} shards were committed: "
                                   "run the same command again to resume") from exc
            if isinstance(index, FhirIndex):
                committed, units = _account_loose(index, writer, manifest, settings, n_shards)
                shards_run += committed
                n_shards += units  # the total the summary gives counts them too
            writer.finish()
            add_stage(stages, "shards", sum(s["cpu"] for s in shard_stages.values()),
                      time.perf_counter() - shards_wall)
            if store:
                cpu, wall = time.process_time(), time.perf_counter()
                quads = writer.build_store()
                add_stage(stages, "store", time.process_time() - cpu, time.perf_counter() - wall)
                stages["store"]["quads"] = float(quads)
        finally:
            writer.close()
            index.close()

        totals = manifest.totals()
        summary = Summary(
            out_dir=str(out), input_kind=kind, patients=totals.get("patients", 0), shards=n_shards,
            shards_run=shards_run, seconds=time.perf_counter() - started_at[0], trd=totals.get("trd", {}),
            pseudo_resistance=totals.get("pseudoResistance", {}), data_issues=totals.get("dataIssues", {}),
            data_issue_kinds=totals.get("dataIssueKinds", {}),
            patients_with_data_issues=totals.get("patientsWithDataIssues", 0),
            bad_input_lines=[tuple(x) for x in bad_lines],
            unreadable_lines_of_patients=totals.get("unreadableLines", 0), as_of=settings.as_of, policy=policy,
            resources=totals.get("resources", {}), processor=processor, workers=workers,
            stages={**stages, "shard stages": shard_stages},
            # CPU of this process, plus the workers' when shards ran elsewhere
            cpu_seconds=time.process_time() - started_at[1]
            + (stages.get("shards", {}).get("cpu", 0.0) if scheduler is not None or workers > 1 else 0.0))
    finally:
        manifest.close()
    summary.write(out / SUMMARY_NAME)
    if progress:
        summary.print()
    return summary


__all__ = ["run_cohort", "Summary", "OWN_OUTPUTS"]
