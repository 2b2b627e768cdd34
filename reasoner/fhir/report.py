"""The import report: every resource read is either mapped or listed with the reason it was not.

Why: an importer that silently drops records produces confident but wrong reasoning (a missing
trial looks like "no trial"). So every resource read is counted per type as *mapped* or *not
mapped*, each not-mapped one carries its id and a reason, and ``read == mapped + notMapped`` holds
for every type. Data issues on mapped resources (a dose in an unknown unit, an unknown stop reason)
are listed separately as ``issues``: the resource reached the graph, one of its facts did not.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

# Reason categories for not-mapped resources (the stable vocabulary of the report).
UNKNOWN_CODE = "unknown code"
UNKNOWN_UNIT = "unknown unit"
MISSING_SUBJECT = "missing subject"
BAD_DATE = "bad date"
UNSUPPORTED_TYPE = "unsupported type"
BAD_ID = "missing or invalid id"
MISSING_VALUE = "missing value"
NOT_APPLICABLE = "not applicable"  # e.g. status entered-in-error, not-taken, refuted
UNRESOLVED_REFERENCE = "unresolved reference"
MALFORMED = "malformed resource"  # an element of an unexpected JSON type (a list where a string belongs)
UNREADABLE = "unreadable line"  # a Bulk NDJSON line that is not JSON / not a resource (id = file:line)
NOT_USED = "not used"  # read and valid, but nothing to attach it to (a dispense without a trial)


class TypeCounts(BaseModel):
    """Counts for one resource type."""

    read: int = 0
    mapped: int = 0
    notMapped: int = 0


class UnmappedResource(BaseModel):
    """A resource that did not reach the patient graph as a mapped record."""

    resourceType: str
    id: str
    reason: str
    detail: str = ""


class DataIssue(BaseModel):
    """A fact of a mapped resource that could not be used (the resource itself was mapped)."""

    resourceType: str
    id: str
    message: str


class ImportReport(BaseModel):
    """Counts, unmapped resources and data issues of one import run."""

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
        """Record one resource as read and mapped."""
        c = self._counts(rtype)
        c.read += 1
        c.mapped += 1

    def not_mapped(self, rtype: str, rid: str, reason: str, detail: str = "") -> None:
        """Record one resource as read and not mapped, with why."""
        c = self._counts(rtype)
        c.read += 1
        c.notMapped += 1
        self.unmapped.append(UnmappedResource(resourceType=rtype, id=rid, reason=reason, detail=detail))

    def issue(self, rtype: str, rid: str, message: str) -> None:
        """Record a data issue on a mapped resource."""
        self.issues.append(DataIssue(resourceType=rtype, id=rid, message=message))

    def merge(self, other: "ImportReport") -> None:
        """Add another report's counts and entries (per-patient reports -> one run report)."""
        for rtype, c in other.counts.items():
            mine = self._counts(rtype)
            mine.read += c.read
            mine.mapped += c.mapped
            mine.notMapped += c.notMapped
        self.unmapped.extend(other.unmapped)
        self.issues.extend(other.issues)
        self.patients += other.patients
        self.skippedFiles.extend(other.skippedFiles)

    @property
    def total_not_mapped(self) -> int:
        return sum(c.notMapped for c in self.counts.values())

    def consistent(self) -> bool:
        """True when read = mapped + notMapped for every type and every unmapped entry is counted."""
        per_type: dict[str, int] = {}
        for u in self.unmapped:
            per_type[u.resourceType] = per_type.get(u.resourceType, 0) + 1
        return all(
            c.read == c.mapped + c.notMapped and per_type.get(t, 0) == c.notMapped for t, c in self.counts.items()
        )
