"""One hook call's patient data through the one pipeline: FHIR resources → patient graph →
findings (and, for order hooks, the assessed workspace the order queries run in).

Why a class: the pipeline (ontology, policy, rules, validator) is loaded once and kept warm; a call
only imports and assesses one patient. The evaluation date is the hook's day unless the service was
started with a fixed ``--as-of``; on a new day a pipeline for that day replaces the old one. Calls
are serialised by a lock: assessing is CPU work that Python threads cannot run in parallel, and one
at a time every call gets the warm workspace instead of building a fresh one.

``patient-view`` calls that wait for the pipeline at the same time are assessed together in one
workspace (:mod:`reasoner.serve.batching`): rules are per patient, so a patient's findings do not
depend on who else is in the batch, and a batch never holds two calls whose graphs share a subject
IRI (the same patient, or a Medication resource sent by both): such a call goes into a later round.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reasoner.config import CDS_BATCH_WAIT_MS, CDS_MAX_BATCH
from reasoner.fhir.context import ImportContext, get_context
from reasoner.fhir.convert import resources_to_ntriples
from reasoner.fhir.report import (BAD_DATE, BAD_ID, MALFORMED, MISSING_VALUE, UNKNOWN_UNIT, UNREADABLE,
                                  UNRESOLVED_REFERENCE, ImportReport)
from reasoner.pipeline import AssessmentResult, Pipeline
from reasoner.serve.batching import Arrival, GroupCommit, Job

#: Not-mapped reasons that mean a record was meant for the reasoner but could not be used as written
#: (the others: a code or type the reasoner does not read, a voided record, are "not relevant").
PROBLEM_REASONS = frozenset({BAD_DATE, BAD_ID, MALFORMED, MISSING_VALUE, UNKNOWN_UNIT, UNREADABLE, UNRESOLVED_REFERENCE})


@dataclass
class Assessed:
    """What one call's data gave."""

    patient: dict[str, Any] | None
    result: AssessmentResult
    report: ImportReport
    import_problems: list[str]

    def accounting(self) -> str:
        """How every record read was used (the trust rule: used, not relevant, or an issue)."""
        read = sum(c.read for c in self.report.counts.values())
        mapped = sum(c.mapped for c in self.report.counts.values())
        not_relevant = sum(1 for u in self.report.unmapped if u.reason not in PROBLEM_REASONS)
        return (f"Records read: {read} — used {mapped}, not relevant to the reasoner {not_relevant}, "
                f"could not be used {read - mapped - not_relevant}.")


class Assessor:
    """A warm pipeline per evaluation date for one policy."""

    def __init__(self, policy: str = "default", as_of: str | None = None, backend: str = "oxigraph",
                 max_batch: int = CDS_MAX_BATCH, batch_wait_ms: float = CDS_BATCH_WAIT_MS) -> None:
        self.policy_arg = policy
        self.fixed_as_of = as_of
        self.backend = backend
        self.lock = threading.Lock()
        self._views: GroupCommit[Assessed] = GroupCommit(self._assess_batch, max_batch, batch_wait_ms / 1000)
        self._pipe: Pipeline | None = None
        self._ctx: ImportContext = get_context(policy=policy)
        self.pipeline().assess(b"", format="nt", derived="none")  # load and warm now, not at the first call

    def pipeline(self) -> Pipeline:
        """The pipeline of today's date (or the fixed date)."""
        as_of = self.fixed_as_of or dt.date.today().isoformat()
        pipe = self._pipe
        if pipe is None or pipe.as_of != as_of:
            pipe = self._pipe = Pipeline(policy=self.policy_arg, as_of=as_of, backend=self.backend)
        return pipe

    @property
    def policy(self) -> str:
        return self.pipeline().policy

    @property
    def import_context(self) -> ImportContext:
        return self._ctx

    def assess(self, patient_id: str, resources: list[dict[str, Any]], keep_workspace: bool = False) -> Assessed:
        """Import and assess one patient's resources (call under :attr:`lock`)."""
        pipe = self.pipeline()
        return _alone(pipe, patient_id, *self._import(pipe, resources), keep_workspace=keep_workspace)

    def _import(self, pipe: Pipeline, resources: list[dict[str, Any]]) -> tuple[bytes, ImportReport]:
        """A call's resources as N-Triples, imported at the pipeline's evaluation date."""
        ntriples, report, _ = resources_to_ntriples(resources, as_of=dt.date.fromisoformat(pipe.as_of), ctx=self._ctx)
        return ntriples, report

    def arrival(self) -> Arrival:
        """A ``patient-view`` call received: a batch about to start waits a moment for it."""
        return self._views.arrival()

    def assess_view(self, patient_id: str, resources: list[dict[str, Any]], arrival: Arrival | None = None) -> Assessed:
        """Assess one patient for a ``patient-view`` call, together with the calls waiting at the
        same time (do not hold :attr:`lock`: the batch takes it)."""
        return self._views.submit((patient_id, resources), arrival)

    def _assess_batch(self, jobs: list[Job[Assessed]]) -> None:
        """Import each call's resources, then assess them in rounds of calls whose graphs share no
        subject; a round that fails is assessed call by call, so one bad call fails only itself."""
        with self.lock:
            pipe = self.pipeline()
            imported: list[tuple[Job[Assessed], bytes, ImportReport, frozenset[bytes] | None]] = []
            for job in jobs:
                try:
                    ntriples, report = self._import(pipe, job.payload[1])
                except Exception as exc:  # noqa: BLE001 - this call's error, raised in its own thread
                    job.error = exc
                    continue
                subjects = _subjects(ntriples)
                if subjects is not None:  # two calls about the same patient never share a batch either
                    subjects |= {b"patientId " + job.payload[0].encode()}
                imported.append((job, ntriples, report, subjects))
            for batch in _disjoint_rounds(imported):
                if len(batch) > 1:
                    try:
                        result = pipe.assess(b"".join(nt for _, nt, _, _ in batch), format="nt", derived="none")
                    except Exception:  # noqa: BLE001 - find the call that failed: each alone below
                        pass
                    else:
                        by_id = {p.get("id"): p for p in result.patients}
                        for job, _, report, _ in batch:
                            job.result = Assessed(by_id.get(job.payload[0]), result, report, _problems(report))
                        continue
                for job, ntriples, report, _ in batch:
                    try:
                        job.result = _alone(pipe, job.payload[0], ntriples, report)
                    except Exception as exc:  # noqa: BLE001
                        job.error = exc


def _alone(pipe: Pipeline, patient_id: str, ntriples: bytes, report: ImportReport,
           keep_workspace: bool = False) -> Assessed:
    """One call's imported data assessed on its own (the patient it is about, or None)."""
    result = pipe.assess(ntriples, format="nt", derived="none", keep_workspace=keep_workspace)
    patient = next((p for p in result.patients if p.get("id") == patient_id), None)
    return Assessed(patient, result, report, _problems(report))


def _problems(report: ImportReport) -> list[str]:
    """The records of a call that could not be used as written, for the cards' footer."""
    problems = [f"`{u.resourceType}/{u.id}`: {u.reason}" + (f" ({u.detail})" if u.detail else "")
                for u in report.unmapped if u.reason in PROBLEM_REASONS]
    return problems + [f"`{i.resourceType}/{i.id}`: {i.message}" for i in report.issues]


def _subjects(ntriples: bytes) -> frozenset[bytes] | None:
    """The subjects of an N-Triples document; None when it may hold a blank node (the importer
    mints IRIs only, but two documents' blank node labels could meet in one batch: such a call
    is assessed alone)."""
    if b"_:" in ntriples:
        return None
    return frozenset(line.split(b" ", 1)[0] for line in ntriples.splitlines() if line and not line.startswith(b"#"))


def _disjoint_rounds(items: Sequence[tuple[Any, bytes, Any, frozenset[bytes] | None]]) -> list[list[Any]]:
    """The calls in rounds (in arrival order) such that no two calls of a round share a subject;
    a call whose subjects are unknown (None) is a round of its own."""
    rounds: list[tuple[list[Any], set[bytes] | None]] = []
    for item in items:
        if item[3] is None:
            rounds.append(([item], None))
            continue
        for members, seen in rounds:
            if seen is not None and seen.isdisjoint(item[3]):
                members.append(item)
                seen.update(item[3])
                break
        else:
            rounds.append(([item], set(item[3])))
    return [members for members, _ in rounds]


__all__ = ["Assessor", "Assessed", "PROBLEM_REASONS"]
