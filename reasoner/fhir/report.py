"""The import report: every resource read ends in exactly one of mapped, not relevant or a data issue.

Why: an importer that silently drops records produces confident but wrong reasoning (a missing
trial looks like "no trial"). Every resource read is counted per type as

* **mapped** — it reached the patient graph and is used (possibly with a data issue that says
  what was assumed, e.g. "once daily assumed");
* **not relevant** — a type or code the reasoner does not use (an Encounter, a lisinopril order,
  a ``status`` ``entered-in-error`` record), counted and listed with the reason;
* **data issue** — it could have changed the assessment but could not be used as given (an
  unreadable date, an unresolvable reference, an unknown antidepressant code): left out,
  listed, and reported in the ``trd assess`` output with what it did (``effect``).

``read == mapped + notRelevant + issues`` for every type (``notMapped`` = notRelevant + issues,
kept for readers of earlier reports). ``issues`` (the list) holds every data issue, those of
left-out resources and those of mapped resources alike; each names its patient when it has one.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from reasoner.fhir.records import WARNING, DataIssue as IssueRecord

# Reason categories for resources that are not mapped (the stable vocabulary of the report).
UNKNOWN_CODE = "unknown code"
UNKNOWN_UNIT = "unknown unit"
MISSING_SUBJECT = "missing subject"
BAD_DATE = "bad date"
UNSUPPORTED_TYPE = "unsupported type"
BAD_ID = "missing or invalid id"
MISSING_VALUE = "missing value"
NOT_APPLICABLE = "not applicable"  # e.g. status entered-in-error, not-taken, refuted, intent plan
UNRESOLVED_REFERENCE = "unresolved reference"
MALFORMED = "malformed resource"  # an element of an unexpected JSON type (a list where a string belongs)
UNREADABLE = "unreadable line"  # a Bulk NDJSON line that is not JSON / not a resource (id = file:line)
NOT_USED = "not used"  # read and valid, but nothing to attach it to (a dispense without a trial)
DUPLICATE = "duplicate"  # a second copy of a resource already read
UNKNOWN_DRUG = "unknown drug"  # a medication that may be an antidepressant but cannot be identified

#: Outcome categories of a resource that is not mapped.
NOT_RELEVANT = "not relevant"
DATA_ISSUE = "data issue"


class TypeCounts(BaseModel):
    """Counts for one resource type: read = mapped + notRelevant + issues."""

    read: int = 0
    mapped: int = 0
    notRelevant: int = 0
    issues: int = 0
    notMapped: int = 0


class UnmappedResource(BaseModel):
    """A resource that did not reach the patient graph as a used record, and why."""

    resourceType: str
    id: str
    reason: str
    detail: str = ""
    category: str = NOT_RELEVANT


class DataIssue(BaseModel):
    """A data issue of the import (on a left-out resource, or on a fact of a mapped one)."""

    resourceType: str
    id: str
    message: str
    effect: str = ""
    severity: str = WARNING
    patient: str | None = None
    source: str | None = None
    kind: str = ""

    def record(self) -> IssueRecord:
        """The typed record of this issue (what outputs are made from)."""
        # an unreadable line has no resource to name, only its place (``source``, File.ndjson:17)
        resource = None if self.source is not None else f"{self.resourceType}/{self.id}"
        return IssueRecord(message=self.message, effect=self.effect, resource=resource, source=self.source,
                           severity=self.severity, patient=self.patient, kind=self.kind)


class ImportReport(BaseModel):
    """Counts, resources not mapped and data issues of one import run."""

    source: str = ""
    patients: int = 0
    counts: dict[str, TypeCounts] = Field(default_factory=dict)
    unmapped: list[UnmappedResource] = Field(default_factory=list)
    issues: list[DataIssue] = Field(default_factory=list)
    skippedFiles: list[str] = Field(default_factory=list)

    def _counts(self, rtype: str) -> TypeCounts:
        counts = self.counts.get(rtype)
        if counts is None:
            counts = self.counts[rtype] = TypeCounts()
        return counts

    def mapped(self, rtype: str, rid: str) -> None:
        """Record one resource as read and mapped (used)."""
        c = self._counts(rtype)
        c.read += 1
        c.mapped += 1

    def not_relevant(self, rtype: str, rid: str, reason: str, detail: str = "") -> None:
        """Record one resource as read and not relevant to the reasoner (counted, listed)."""
        c = self._counts(rtype)
        c.read += 1
        c.notRelevant += 1
        c.notMapped += 1
        self.unmapped.append(UnmappedResource(resourceType=rtype, id=rid, reason=reason, detail=detail,
                                              category=NOT_RELEVANT))

    def left_out(self, rtype: str, rid: str, reason: str, detail: str, effect: str, patient: str | None = None,
                 source: str | None = None, severity: str = WARNING) -> None:
        """Record one resource as read and left out with a data issue (message = reason: detail)."""
        c = self._counts(rtype)
        c.read += 1
        c.issues += 1
        c.notMapped += 1
        self.unmapped.append(UnmappedResource(resourceType=rtype, id=rid, reason=reason, detail=detail,
                                              category=DATA_ISSUE))
        message = f"{reason}: {detail}" if detail else reason
        self.issues.append(DataIssue(resourceType=rtype, id=rid, message=message, effect=effect, severity=severity,
                                     patient=patient, source=source, kind=reason))

    def issue(self, rtype: str, rid: str, message: str, effect: str = "", patient: str | None = None,
              severity: str = WARNING, kind: str = "note") -> None:
        """Record a data issue on a mapped resource (it was used; one of its facts was not, or was
        used with an assumption). ``kind``: a short stable name of the issue (summary counts)."""
        self.issues.append(DataIssue(resourceType=rtype, id=rid, message=message, effect=effect, severity=severity,
                                     patient=patient, kind=kind))

    def merge(self, other: "ImportReport") -> None:
        """Add another report's counts and entries (per-patient reports -> one run report)."""
        for rtype, c in other.counts.items():
            mine = self._counts(rtype)
            for name in ("read", "mapped", "notRelevant", "issues", "notMapped"):
                setattr(mine, name, getattr(mine, name) + getattr(c, name))
        self.unmapped.extend(other.unmapped)
        self.issues.extend(other.issues)
        self.patients += other.patients
        self.skippedFiles.extend(other.skippedFiles)

    @property
    def total_not_mapped(self) -> int:
        return sum(c.notMapped for c in self.counts.values())

    def consistent(self) -> bool:
        """True when read = mapped + notRelevant + issues for every type and every entry is counted."""
        per_type: dict[tuple[str, str], int] = {}
        for u in self.unmapped:
            per_type[(u.resourceType, u.category)] = per_type.get((u.resourceType, u.category), 0) + 1
        return all(
            c.read == c.mapped + c.notRelevant + c.issues and c.notMapped == c.notRelevant + c.issues
            and per_type.get((t, NOT_RELEVANT), 0) == c.notRelevant and per_type.get((t, DATA_ISSUE), 0) == c.issues
            for t, c in self.counts.items()
        )

    def issue_records(self) -> list[IssueRecord]:
        """Every data issue as a typed record (what ``trd assess`` lists in ``dataIssues``)."""
        return [i.record() for i in self.issues]

    def counts_dict(self) -> dict[str, dict[str, Any]]:
        """Per type, the counts as plain dicts (summary.json, the import report)."""
        return {t: c.model_dump() for t, c in sorted(self.counts.items())}


__all__ = ["ImportReport", "TypeCounts", "UnmappedResource", "DataIssue", "NOT_RELEVANT", "DATA_ISSUE"]
