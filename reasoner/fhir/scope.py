"""What the readers of one patient's resources share: lookups, the report, the patient id.

Why: every reader (diagnoses, scores, medications …) needs the same few things — the cached
code tables, the import report to account for each resource, the patient the issues belong to,
the Bundle's full URLs and the identifiers read (to resolve references), the shared Medication
resources and the evaluation date. One small object carries them, so each reader's signature
says what it reads, not how the import is wired.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from reasoner.fhir.context import ImportContext
from reasoner.fhir.records import WARNING
from reasoner.fhir.references import Identifiers
from reasoner.fhir.report import ImportReport


@dataclass
class Scope:
    """One patient's conversion: lookups, accounting and the references it can resolve."""

    pid: str
    ctx: ImportContext
    report: ImportReport
    as_of: dt.date
    full_urls: dict[str, str] = field(default_factory=dict)
    identifiers: Identifiers = field(default_factory=Identifiers)
    medications: dict[str, dict[str, Any]] = field(default_factory=dict)
    used_medications: set[str] = field(default_factory=set)

    def mapped(self, rtype: str, rid: str) -> None:
        self.report.mapped(rtype, rid)

    def not_relevant(self, rtype: str, rid: str, reason: str, detail: str = "") -> None:
        self.report.not_relevant(rtype, rid, reason, detail)

    def left_out(self, rtype: str, rid: str, reason: str, detail: str, effect: str, severity: str = WARNING) -> None:
        self.report.left_out(rtype, rid, reason, detail, effect, patient=self.pid, severity=severity)

    def issue(self, rtype: str, rid: str, message: str, effect: str, severity: str = WARNING, kind: str = "note") -> None:
        self.report.issue(rtype, rid, message, effect, patient=self.pid, severity=severity, kind=kind)


__all__ = ["Scope"]
