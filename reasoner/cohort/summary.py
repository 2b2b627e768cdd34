"""The cohort summary: what a run produced, as data (summary.json) and as a table (rich)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from reasoner.cohort.files import write_atomic
from reasoner.knowledge.vocabulary import vocabulary



@dataclass
class Summary:
    """Totals of a cohort run (over every committed shard, including those of earlier runs)."""

    out_dir: str
    input_kind: str
    patients: int
    shards: int
    shards_run: int            # shards processed by this call (the rest were resumed)
    seconds: float
    trd: dict[str, int] = field(default_factory=dict)
    pseudo_resistance: dict[str, int] = field(default_factory=dict)
    data_issues: dict[str, int] = field(default_factory=dict)
    #: data issues per kind (bad date, unreadable line, dose unknown …; "validation" for shape results)
    data_issue_kinds: dict[str, int] = field(default_factory=dict)
    patients_with_data_issues: int = 0
    bad_input_lines: list[tuple[str, int, str]] = field(default_factory=list)   # unattributable lines
    unreadable_lines_of_patients: int = 0   # broken lines that still named their patient (in dataIssues)
    as_of: str = ""
    policy: str = ""
    #: per FHIR resource type: read, mapped, not mapped (every line of a Bulk input accounted for)
    resources: dict[str, dict[str, int]] = field(default_factory=dict)
    processor: str = ""
    workers: int = 1
    #: CPU and wall seconds of this call per stage: index, shards, commit (the parent's writes),
    #: store (built after the run; with "quads", the N-Quads lines loaded into it), and "shard
    #: stages": the processors' own stages summed over the shards of this call (input, parse,
    #: load, rules, validate, read, write; CPU summed over workers, so it may exceed the wall time)
    stages: dict[str, Any] = field(default_factory=dict)
    #: CPU seconds of the whole call, every worker process included
    cpu_seconds: float = 0.0

    @property
    def patients_per_second(self) -> float:
        """Throughput of this call (resumed shards excluded would overstate it; see shards_run)."""
        return self.patients / self.seconds if self.seconds > 0 else 0.0

    @property
    def conforms(self) -> bool:
        """False when any patient has a shape violation (``trd assess`` then exits 1)."""
        return not self.data_issues.get("violation")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (summary.json)."""
        data = asdict(self)
        data["bad_input_lines"] = [list(x) for x in self.bad_input_lines]
        return data

    def write(self, path: Path) -> None:
        """Write summary.json atomically (temporary file, fsync, rename: the old one or the new one
        survives a crash); a non-finite number is refused, never written as NaN."""
        write_atomic(path, json.dumps(self.to_dict(), indent=2, sort_keys=True, allow_nan=False).encode())

    def table(self) -> Table:
        """The final summary table."""
        table = Table(title=f"trd cohort summary ({self.out_dir})", show_header=True)
        table.add_column("measure")
        table.add_column("count", justify="right")
        table.add_row("patients", f"{self.patients:,}")
        statuses = vocabulary().trd_statuses
        for status in statuses:
            table.add_row(f"TRD {status}", f"{self.trd.get(status, 0):,}")
        for status, n in sorted(self.trd.items()):
            if status not in statuses:
                table.add_row(f"TRD {status}", f"{n:,}")
        for code, n in sorted(self.pseudo_resistance.items()):
            table.add_row(f"pseudo-resistance: {code}", f"{n:,}")
        table.add_row("patients with data issues", f"{self.patients_with_data_issues:,}")
        for severity, n in sorted(self.data_issues.items()):
            table.add_row(f"data issues: {severity}", f"{n:,}")
        for kind, n in sorted(self.data_issue_kinds.items()):
            table.add_row(f"  of kind {kind}", f"{n:,}")
        if self.resources:
            read = sum(c.get("read", 0) for c in self.resources.values())
            mapped = sum(c.get("mapped", 0) for c in self.resources.values())
            relevant = sum(c.get("notRelevant", 0) for c in self.resources.values())
            table.add_row("FHIR resources read / mapped / not relevant / data issues",
                          f"{read:,} / {mapped:,} / {relevant:,} / {read - mapped - relevant:,}")
        unreadable = len(self.bad_input_lines) + self.unreadable_lines_of_patients
        if unreadable:
            table.add_row("unreadable input lines", f"{unreadable:,}")
        table.add_row("shards (run now / total)", f"{self.shards_run:,} / {self.shards:,}")
        table.add_row("seconds (wall / CPU)", f"{self.seconds:,.1f} / {self.cpu_seconds:,.1f}")
        table.add_row("patients/s (this call)", f"{self.patients_per_second:,.0f}")
        if self.processor:
            table.add_row("processor, workers", f"{self.processor}, {self.workers}")
        for name, spent in self.stages.items():
            if name == "shard stages":
                for inner, t in spent.items():
                    table.add_row(f"  shard stage {inner} (CPU / wall s)", f"{t['cpu']:,.1f} / {t['wall']:,.1f}")
            else:
                table.add_row(f"stage {name} (CPU / wall s)", f"{spent['cpu']:,.1f} / {spent['wall']:,.1f}")
                if "quads" in spent and spent["wall"] > 0:
                    table.add_row(f"  {name}: quads read (per wall s)",
                                  f"{spent['quads']:,.0f} ({spent['quads'] / spent['wall']:,.0f})")
        return table

    def print(self, console: Console | None = None) -> None:
        """Print the table (to stderr by default: stdout stays free for data)."""
        (console or Console(stderr=True)).print(self.table())


__all__ = ["Summary"]
