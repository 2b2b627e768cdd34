"""One hook call's patient data through the one pipeline: FHIR resources → patient graph →
findings (and, for order hooks, the assessed workspace the order queries run in).

Why a class: the pipeline (ontology, policy, rules, validator) is loaded once and kept warm; a call
only imports and assesses one patient. The evaluation date is the hook's day unless the service was
started with a fixed ``--as-of``; on a new day a pipeline for that day replaces the old one. Calls
are serialised by a lock: assessing is CPU work that Python threads cannot run in parallel, and one
at a time every call gets the warm workspace instead of building a fresh one.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from typing import Any

from reasoner.fhir.context import ImportContext, get_context
from reasoner.fhir.convert import resources_to_ntriples
from reasoner.fhir.report import (BAD_DATE, BAD_ID, MALFORMED, MISSING_VALUE, UNKNOWN_UNIT, UNREADABLE,
                                  UNRESOLVED_REFERENCE, ImportReport)
from reasoner.pipeline import AssessmentResult, Pipeline

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

    def __init__(self, policy: str = "default", as_of: str | None = None, backend: str = "oxigraph") -> None:
        self.policy_arg = policy
        self.fixed_as_of = as_of
        self.backend = backend
        self.lock = threading.Lock()
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
        as_of = dt.date.fromisoformat(pipe.as_of)
        ntriples, report, _ = resources_to_ntriples(resources, as_of=as_of, ctx=self._ctx)
        result = pipe.assess(ntriples, format="nt", derived="none", keep_workspace=keep_workspace)
        patient = next((p for p in result.patients if p.get("id") == patient_id), None)
        problems = [f"`{u.resourceType}/{u.id}`: {u.reason}" + (f" ({u.detail})" if u.detail else "")
                    for u in report.unmapped if u.reason in PROBLEM_REASONS]
        problems += [f"`{i.resourceType}/{i.id}`: {i.message}" for i in report.issues]
        return Assessed(patient, result, report, problems)


__all__ = ["Assessor", "Assessed", "PROBLEM_REASONS"]
