"""The default shard processor: the project's pipeline (Oxigraph rules + fast validator) on one shard.

Why one pipeline per process: loading the ontology, parsing the rules and compiling the shapes
costs ~1 s; it is done once per worker process (cached by policy and as-of date) and reused
for every shard that worker runs. A shard of N patients is assessed in one Oxigraph store: the
rules are patient-local, so one store of N patients costs the same as N stores of one, minus
N-1 times the per-call overhead.

Robustness: a shard that the pipeline refuses as a whole (for example a literal Oxigraph cannot
read) is retried patient by patient, so one bad record costs its own patient an error entry,
never the shard or the run. Bulk FHIR lines that are not JSON, and records the importer could
not use as given, become ``dataIssues`` of their patient (or of the ``"(unattributed)"`` line
when they name none), the same entries single mode lists: nothing is dropped silently.
"""

from __future__ import annotations

import datetime as dt
import gc
from dataclasses import dataclass
from itertools import chain
from typing import Any
from collections.abc import Callable

import pyoxigraph as ox

from reasoner.errors import InputError, TrdError
from reasoner.knowledge.namespaces import GRAPH_ASSERTED, GRAPH_DERIVED
from reasoner.knowledge.vocabulary import vocabulary
from reasoner.render.jsonl import unattributed_entry
from reasoner.rules.terms import OX_RDF_TYPE
from reasoner.cohort.results import (
    UNATTRIBUTED_ID,
    Counts,
    ShardResult,
    StageClock,
    count_patients,
    import_counts,
    merge_counts,
    to_jsonl,
)
from reasoner.cohort.shards import FHIR, ShardInput, parse_group
from reasoner.cohort.tables import findings_parquet
from reasoner.cohort.turtle_source import file_patients
from reasoner.cohort.worker import RunSettings

_pipelines: dict[tuple[str, str], Any] = {}


def pipeline_for(settings: RunSettings) -> Any:
    """The warm pipeline of this process for the run's policy and as-of date."""
    key = (settings.policy, settings.as_of)
    pipe = _pipelines.get(key)
    if pipe is None:
        from reasoner.pipeline import Pipeline

        pipe = _pipelines[key] = Pipeline(policy=settings.policy, as_of=settings.as_of, backend="oxigraph",
                                          validator="fast")
        _tune_gc()
    return pipe


def _tune_gc() -> None:
    """Keep Python's cyclic GC off the long-lived pipeline and out of the hot loop.

    Why: a batch allocates ~100k short-lived dicts and tuples (JSON read-back); with the default
    thresholds every full collection walks the ontology graph and the compiled shapes too, which
    made the read-back grow faster than the batch (benchmarks/results/cohort-analysis.md). ``gc.freeze`` moves what exists now (the warm pipeline) out of collection, and a
    higher first threshold collects less often; reference counting still frees the batch data.
    """
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)


def store_nquads(workspace: Any) -> bytes:
    """The asserted data and the derived facts (minus working facts) of a workspace, as N-Quads.

    Working facts (``trd:workingFact`` in the ontology: the option candidates that rule
    option-status turns into one finding per option, the Julian day numbers of the date rules)
    stay out of the results store: no output reads them, and the store's single writer pays per
    quad. The JSON Lines are made before this cut, from the whole workspace.
    """
    store = workspace.store
    vocab = vocabulary()
    asserted, derived = ox.NamedNode(str(GRAPH_ASSERTED)), ox.NamedNode(str(GRAPH_DERIVED))
    working = {q.subject for cls in vocab.working_classes
               for q in store.quads_for_pattern(None, OX_RDF_TYPE, ox.NamedNode(str(cls)), derived)}
    skip = {ox.NamedNode(str(p)) for p in vocab.working_predicates}
    kept = (q for q in store.quads_for_pattern(None, None, None, derived)
            if q.predicate not in skip and q.subject not in working)
    return ox.serialize(chain(store.quads_for_pattern(None, None, None, asserted), kept),
                        format=ox.RdfFormat.N_QUADS) or b""


def _fhir_import(groups: list[tuple[str, list[str]]], as_of: str, shared_lines: dict[str, list[str]],
                 broken: dict[str, list[dict]] | None = None, policy: str = "default", terms: Any = None,
                 ) -> tuple[list[tuple[Any, Any, Any]], dict[str, list[dict]], list[dict], Counts]:
    """Import a shard's FHIR groups: the triples as a list in the term encoding ``terms``
    (:mod:`reasoner.fhir.triples`; default rdflib terms), duplicates not yet removed; the import's
    data issues per patient id and those that name no patient; and the import's counts (resources
    per type; the keys of shared resources the patients used). Lines the index could not read
    reach the importer as the same placeholders single mode reads (``broken``), so both modes
    account for them alike."""
    from reasoner.fhir.convert import resources_to_triples
    from reasoner.fhir.context import get_context
    from reasoner.fhir.triples import RDF_TERMS
    from reasoner.fhir.reader import UNREADABLE_KEY, UNREADABLE_PATIENT_KEY

    resources: list[dict] = []
    shared: dict[str, dict] = {}
    for pid, lines in groups:
        for res in parse_group(shared_lines.get(pid, []))[0]:
            shared.setdefault(f"{res.get('resourceType')}/{res.get('id')}", res)
        parsed, problems = parse_group(lines)
        resources.extend(parsed)
        # a line the index placed by its subject but that is not JSON (broken inside, or the file
        # changed since): reported like a broken line, its place in the export unknown here
        resources.extend({"resourceType": "(unknown)", UNREADABLE_KEY: f"(a line of the export): {problem}",
                          UNREADABLE_PATIENT_KEY: pid} for problem in problems)
        resources.extend((broken or {}).get(pid, []))
    triples, report, used_shared = resources_to_triples(resources, as_of=dt.date.fromisoformat(as_of),
                                                        ctx=get_context(policy=policy), shared=list(shared.values()),
                                                        terms=terms if terms is not None else RDF_TERMS)
    issues: dict[str, list[dict]] = {}
    unattributed: list[dict] = []
    for issue in report.issue_records():
        (issues.setdefault(issue.patient, []) if issue.patient is not None else unattributed).append(issue.output())
    counts = import_counts(report)
    counts["usedShared"] = {key: 1 for key in sorted(used_shared)}
    return triples, issues, unattributed, counts


def _assess(pipe: Any, data: bytes, fmt: str, want_store: bool) -> tuple[list[dict], bytes]:
    """Patients and (asserted + derived) N-Quads of one batch."""
    # A fresh workspace per batch, dropped after it, never the pipeline's warm one-patient
    # workspace: Oxigraph's in-memory store does not give back what a clear removes, so a reused
    # workspace grows batch after batch (benchmarks/results/cohort-analysis.md).
    result = pipe.assess(data, format=fmt, derived="none", keep_workspace=True)
    return _with_unattributed(result.patients, result.unattributed), (
        store_nquads(result.workspace) if want_store else b"")


def _with_unattributed(patients: list[dict], issues: list[dict]) -> list[dict]:
    """Issues whose focus node belongs to no patient, kept in an "(unattributed)" entry of their
    own: JSON Lines has no document level (``trd assess`` lists them in a top-level
    ``dataIssues``), and filing them under some patient would say they are that patient's."""
    if not issues:
        return patients
    return patients + [unattributed_entry(issues)]


def _one_unattributed_entry(patients: list[dict]) -> list[dict]:
    """At most one "(unattributed)" line per shard: the issues of all its batches, in order."""
    extra = [p for p in patients if p.get("id") == UNATTRIBUTED_ID]
    if len(extra) < 2:
        return patients
    merged = extra[0]
    for entry in extra[1:]:
        merged["dataIssues"].extend(entry["dataIssues"])
    return [p for p in patients if p.get("id") != UNATTRIBUTED_ID] + [merged]


def _error_patient(pid: str, message: str) -> dict[str, Any]:
    """The entry of a patient the pipeline could not assess (reported, not dropped)."""
    return {"id": pid, "trd": {"status": "error"}, "trials": [], "pseudoResistance": [], "mechanisms": [],
            "options": [], "dataIssues": [{"severity": "violation", "focusNode": pid, "message": message}]}


@dataclass
class _Unit:
    """One patient's asserted data as N-Triples (or why it could not be imported).

    ``data`` is N-Triples bytes, or for a processor that asks ``ShardImport.units`` for
    ``form="table"`` an Arrow triples table (:mod:`reasoner.columnar.fhir_table`)."""

    pid: str
    data: Any
    error: str | None = None


def _turtle_units(shard: ShardInput) -> tuple[list[_Unit], list[_Unit]]:
    """A Turtle shard cut into patients, and the records of its files that reach no patient.

    The second list is assessed apart from every patient (see ``turtle_source.file_patients``);
    its data issues come back in an "(unattributed)" entry. A file that can no longer be read
    (changed after indexing) becomes an error entry for each of its patients, or an
    "(unattributed)" one; the rest of the shard goes on.
    """
    units: list[_Unit] = []
    orphans: list[_Unit] = []
    for part in shard.parts:
        try:
            got, lost = file_patients(part.data, part.rdf_format, None if part.whole else part.patients)
        except InputError as exc:  # the file changed since it was indexed
            reason = f"{part.source}: {exc}"
            units.extend(_Unit(_pid(iri), b"", reason) for iri in part.patients or (UNATTRIBUTED_ID,))
            continue
        units.extend(_Unit(_pid(iri), data) for iri, data in got)
        if lost:
            orphans.append(_Unit(UNATTRIBUTED_ID, lost))
    return units, orphans


def _pid(iri: str) -> str:
    """The id an error entry of a patient shows (the JSON id is read from the data otherwise)."""
    return iri.rsplit("/", 1)[-1]


def _batches(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i:i + size] for i in range(0, len(items), size)]


Assess = Callable[[bytes, bool], tuple[list[dict], bytes]]


def _join_bytes(parts: list[bytes]) -> bytes:
    return b"".join(parts)


def _run_batch(assess: Assess, units: list[_Unit], want_store: bool, halve: bool = False,
               join: Callable[[list[Any]], Any] = _join_bytes) -> tuple[list[dict], bytes]:
    """Assess a batch at once (``assess(n_triples, want_store)`` -> patients, N-Quads); if the
    engine refuses it, patient by patient, or (``halve``: for an engine whose call costs the same
    for one patient as for thousands) half by half down to the patient. Shared by every
    processor, so a bad record costs its own patient an error entry whatever the engine.
    ``join``: how units' data make one batch (N-Triples bytes are concatenated; a processor whose
    units hold Arrow tables passes its own)."""
    ok = [u for u in units if u.error is None]
    patients = [_error_patient(u.pid, f"could not be imported: {u.error}") for u in units if u.error is not None]
    try:
        got, nquads = assess(join([u.data for u in ok]), want_store)
        return patients + got, nquads
    except TrdError as exc:
        if len(ok) == 1:
            return patients + [_error_patient(ok[0].pid, f"could not be assessed: {exc}")], b""
    if halve and len(ok) > 2:
        middle = len(ok) // 2
        first, first_quads = _run_batch(assess, ok[:middle], want_store, halve, join)
        second, second_quads = _run_batch(assess, ok[middle:], want_store, halve, join)
        return patients + first + second, first_quads + second_quads
    quads: list[bytes] = []
    for unit in ok:
        try:
            got, nq = assess(unit.data, want_store)
        except TrdError as exc:
            got, nq = [_error_patient(unit.pid, f"could not be assessed: {exc}")], b""
        patients.extend(got)
        quads.append(nq)
    return patients, b"".join(quads)


class ShardImport:
    """A shard's FHIR import, batch by batch, and what it found besides the triples.

    Shared by every processor (the one FHIR reader, the same fallbacks): a batch whose resources
    break the import is imported patient by patient, and a patient whose resources cannot be
    imported at all becomes an error entry. ``issues`` (import data issues per patient id),
    ``lost`` (those that name no patient) and ``counts`` (resources per type, shared resources
    used) accumulate over the batches; :meth:`finish` puts them on the patients.
    """

    def __init__(self, shard: ShardInput, settings: RunSettings) -> None:
        self.shard, self.settings = shard, settings
        self.issues: dict[str, list[dict]] = {}
        self.lost: list[dict] = []
        self.counts: Counts = {}

    def _keep(self, issues: dict[str, list[dict]], loose: list[dict], counts: Counts) -> None:
        self.issues.update(issues)
        self.lost.extend(loose)
        merge_counts(self.counts, counts)

    def units(self, chunk: list[tuple[str, list[str]]], form: str = "nt") -> list[_Unit]:
        """One batch of patient groups as units (one unit, or one per patient): N-Triples
        (``form="nt"``), or Arrow triples tables (``"table"``, for the columnar engine: the same
        records in the text term encoding, no N-Triples written and parsed back; the same rows,
        see :mod:`reasoner.columnar.fhir_table`)."""
        from reasoner.fhir.triples import TEXT_TERMS

        shard, settings = self.shard, self.settings
        if form not in ("nt", "table"):
            raise ValueError(f"unknown unit form {form!r}")
        # both forms from the text term encoding (reasoner.fhir.triples): the N-Triples are the
        # bytes rdflib terms would give, the tables the rows those N-Triples parse to
        terms = TEXT_TERMS
        units: list[_Unit] = []
        try:
            triples, issues, loose, counts = _fhir_import(chunk, settings.as_of, shard.shared, shard.broken,
                                                          settings.policy, terms)
            self._keep(issues, loose, counts)
            units.append(_Unit("", triples))
        except TrdError:  # one patient's resources broke the import: import them one by one
            for pid, lines in chunk:
                try:
                    triples, issues, loose, counts = _fhir_import([(pid, lines)], settings.as_of, shard.shared,
                                                                  shard.broken, settings.policy, terms)
                    units.append(_Unit(pid, triples))
                    self._keep(issues, loose, counts)
                except TrdError as exc:
                    units.append(_Unit(pid, b"", str(exc)))
        _serialise(units, form)
        return units


def _serialise(units: list[_Unit], form: str) -> None:
    """Units' triple lists (text encoding) written in place as N-Triples, or as Arrow tables when
    Arrow can hold every unit's text (else all as N-Triples, so a batch is of one kind: a lone
    surrogate then fails as the N-Triples path fails, in ``text_to_ntriples``)."""
    from reasoner.fhir.convert import text_to_ntriples

    made = [u for u in units if u.error is None]
    if form == "table":
        import pyarrow as pa

        from reasoner.columnar.fhir_table import text_triples_table

        try:
            tables = [text_triples_table(u.data) for u in made]
        except (ValueError, pa.ArrowException):  # text Arrow refuses: N-Triples, failing as they fail
            pass
        else:
            for u, table in zip(made, tables):
                u.data = table
            return
    for u in made:
        u.data = text_to_ntriples(u.data)


def turtle_batches(shard: ShardInput, size: int) -> list[list[_Unit]]:
    """A Turtle shard's units in batches of ``size``; records of no patient each alone (so they are
    validated the same way whichever files the shard holds)."""
    units, orphans = _turtle_units(shard)
    return _batches(units, size) + [[o] for o in orphans]


def finish_shard(shard: ShardInput, patients: list[dict], imported: ShardImport | None, quads: list[bytes],
                 tables: bool = False, jsonl: Callable[[list[dict]], bytes] = to_jsonl) -> ShardResult:
    """The shard's result from its patients: import issues attached, one "(unattributed)" line,
    stable order, counts (the same for every processor)."""
    import_issues = imported.issues if imported is not None else {}
    if imported is not None and imported.lost:
        patients.append(unattributed_entry(imported.lost))
    for patient in patients:
        extra = import_issues.get(str(patient.get("id", "")))
        if extra:
            patient.setdefault("dataIssues", []).extend(extra)
    patients = _one_unattributed_entry(patients)
    # Stable order inside a shard: the same input gives the same bytes, whatever the worker (the
    # lists inside a patient object are ordered by the findings reader, never by backend row order).
    patients.sort(key=lambda p: str(p.get("id", "")))
    counts = count_patients(patients)
    counts["unreadableLines"] = sum(1 for issues in import_issues.values() for i in issues
                                    if i.get("kind") == "unreadable line")
    if imported is not None:
        merge_counts(counts, imported.counts)
    parquet = findings_parquet(patients) if tables else {}
    return ShardResult(shard.shard_id, counts["patients"], jsonl(patients), b"".join(quads), counts, tables=parquet)


def process_shard(shard: ShardInput, settings: RunSettings) -> ShardResult:
    """Assess one shard with the warm pipeline, ``settings.batch_size`` patients per store.

    Why batches inside a shard: the shard is the unit of I/O and of resume (large is cheaper),
    the batch is the unit of rule evaluation: larger batches spread the per-query compile cost
    (paid once per batch), and the rules scale linearly in one store, so 200 patients a batch is the
    default (benchmarks/profile_batch.py measures a batch's stages).
    """
    clock = StageClock()
    with clock("warm"):  # the pipeline of this process: made by its first shard only
        pipe = pipeline_for(settings)

    def assess(data: bytes, want_store: bool) -> tuple[list[dict], bytes]:
        return _assess(pipe, data, "nt", want_store)

    patients: list[dict] = []
    quads: list[bytes] = []
    size = max(1, settings.batch_size)
    imported = ShardImport(shard, settings) if shard.kind == FHIR else None
    if imported is not None:
        batches: list[list[_Unit]] = []
        for chunk in _batches(shard.groups, size):
            with clock("parse"):
                batches.append(imported.units(chunk))
    else:
        with clock("parse"):
            batches = turtle_batches(shard, size)
    for units in batches:
        with clock("assess"):
            got, nq = _run_batch(assess, units, settings.store)
        patients.extend(got)
        quads.append(nq)
    with clock("write"):
        result = finish_shard(shard, patients, imported, quads, settings.tables)
    result.stages = clock.times
    return result


def process_loose(shard_id: int, lines: list[bytes], settings: RunSettings, used_shared: frozenset[str],
                  broken: list[dict] = ()) -> ShardResult:  # type: ignore[assignment]
    """Account for the lines of a Bulk export that belong to no patient (the index's *loose* lines,
    and ``broken``: placeholders of its unreadable lines that name no patient).

    Why: single-patient mode reads a Bulk folder whole and counts every resource (a Practitioner
    as a type the reasoner does not read, a Condition without a subject as a data issue); a cohort
    run must give the same account. Each loose resource goes through the same importer, counted
    once; a shared resource (a Medication) counts as used when any patient's order used it
    (``used_shared``: the keys the shards reported). The data issues (records that could change
    an assessment but name no patient) go on the "(unattributed)" line; the rest is counted only.
    """
    from reasoner.fhir.context import get_context
    from reasoner.fhir.convert import Importer

    importer = Importer(get_context(policy=settings.policy), dt.date.fromisoformat(settings.as_of),
                        used_elsewhere=used_shared)
    resources, problems = parse_group([line.decode("utf-8", "replace") for line in lines])
    for res in list(resources) + list(broken):
        importer.feed(res)
    for _ in importer.patients():  # loose lines name no patient; a Patient line is its own group
        pass
    report = importer.report
    issues = [i.output() for i in report.issue_records()]
    issues += [{"severity": "warning", "message": f"unreadable Bulk FHIR line: {p}",
                "effect": "record left out: the line cannot be read", "kind": "unreadable line"} for p in problems]
    entries = [unattributed_entry(issues)] if issues else []
    counts = count_patients(entries)
    merge_counts(counts, import_counts(report))
    return ShardResult(shard_id, 0, to_jsonl(entries), b"", counts)


__all__ = ["process_shard", "process_loose", "pipeline_for", "ShardImport", "finish_shard", "turtle_batches",
           "Assess"]
