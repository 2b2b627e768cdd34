"""``--format table`` (the default): the findings as tables a person reads in a terminal.

Why the care about width: the trials table has thirteen facts per trial; cut to the width of a
100-column terminal every cell became four letters ("pati…", "sert…"). The tables now fit the
width they are given: the terminal's, else ``COLUMNS`` (so piped output can be sized), else 240
columns for a pipe. When the wide trials table does not fit, each trial is printed as a compact
row whose cells hold several facts on separate lines, and cells fold instead of being cut.
Every data issue is listed (validation results and what the FHIR import could not use as
given), not only counted.
"""

from __future__ import annotations

import os
from typing import Any, TextIO

#: Width of piped output when ``COLUMNS`` does not say (wide enough for the widest table).
PIPE_WIDTH = 240
_TRIAL_COLUMNS = ("patient", "trial", "drug", "class", "start", "end", "mg/day", "weeks", "adherence",
                  "adequacy", "reasons", "outcome", "failed")


def _cell(value: Any) -> str:
    """A table cell: an unknown value (JSON null) reads as a dash, not Python's None."""
    return "—" if value is None else str(value)


def _plain(*cells: str) -> list[Any]:
    """Cells as plain text: an id or message is never read as rich markup ("[bold]", "[/]")."""
    from rich.text import Text

    return [Text(c) for c in cells]


def _width(out: TextIO) -> int | None:
    """The width to render at: ``COLUMNS`` when set, the terminal's (None: rich finds it), else 240."""
    columns = os.environ.get("COLUMNS", "")
    if columns.strip().isdigit() and int(columns) > 0:
        return int(columns)
    tty = out.isatty() if hasattr(out, "isatty") else False
    return None if tty else PIPE_WIDTH


def _trial_values(p: dict[str, Any], t: dict[str, Any]) -> list[str]:
    return [p["id"], t["id"], *(_cell(t[k]) for k in ("drug", "class", "start", "end", "dailyDoseMg",
                                                      "weeksAtAdequateDose", "adherence", "adequacy")),
            ", ".join(t["reasons"]), _cell(t["outcome"]), "yes" if t["failed"] else "no"]


def _natural_width(rows: list[list[str]], headers: tuple[str, ...]) -> int:
    """Columns a table needs to print every cell on one line (rich's box: 3 per column + 1)."""
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]
    return sum(widths) + 3 * len(widths) + 1


def _trials_table(result: Any, width: int) -> Any:
    from rich.table import Table

    rows = [_trial_values(p, t) for p in result.patients for t in p["trials"]]
    if _natural_width(rows, _TRIAL_COLUMNS) <= width:
        table = Table(title="trials")
        for col in _TRIAL_COLUMNS:
            table.add_column(col, overflow="fold")
        for row in rows:
            table.add_row(*_plain(*row))
        return table
    # Too narrow for one fact a column: fewer columns, several facts a cell, folded, never cut.
    table = Table(title="trials", show_lines=True)
    for col in ("trial", "drug", "dates", "dose · weeks · adherence", "adequacy", "outcome"):
        table.add_column(col, overflow="fold")
    for r in rows:
        patient, trial, drug, cls, start, end, dose, weeks, adherence, adequacy, reasons, outcome, failed = r
        table.add_row(*_plain(f"{trial}\n(patient {patient})", f"{drug}\n{cls}", f"{start}\n→ {end}",
                              f"{dose} mg/day\n{weeks} weeks\nadherence {adherence}",
                              adequacy + (f"\n{reasons}" if reasons else ""), f"{outcome}\nfailed: {failed}"))
    return table


def _issue_rows(result: Any) -> list[tuple[str, str, str, str, str]]:
    rows = []
    for p in result.patients:
        for i in p["dataIssues"]:
            rows.append((p["id"], i.get("severity", ""), i.get("resource") or i.get("source") or i.get("focusNode") or "",
                         i.get("message", ""), i.get("effect") or ""))
    return rows


def render(result: Any, out: TextIO) -> None:
    """Patients (TRD, counts, stages, issues), trials, each patient's other findings, data issues."""
    from rich.console import Console
    from rich.table import Table

    width = _width(out)
    console = Console(file=out, width=width) if width is not None else Console(file=out)
    console.print(f"as of {result.as_of}, policy {result.policy}")
    summary = Table(title="patients")
    for col in ("patient", "TRD", "failed", "classes", "Thase–Rush", "Maudsley", "MGH-S", "issues"):
        summary.add_column(col, overflow="fold")
    for p in result.patients:
        trd = p.get("trd") or {}
        st = p.get("stages") or {}
        m = st.get("maudsley")
        summary.add_row(*_plain(p["id"], _cell(trd.get("status")), _cell(trd.get("failedAdequateTrials")),
                                _cell(trd.get("distinctFailedClasses")), _cell(st.get("thaseRush")),
                                f"{m['score']} ({m['band']})" if m else "—", _cell(st.get("mghS")),
                                str(len(p["dataIssues"]))))
    console.print(summary)
    console.print(_trials_table(result, console.width))
    for p in result.patients:
        extras = [f"{s}: " + ", ".join(e["code"] + (f" ({e['status']})" if "status" in e else "") for e in p[s])
                  for s in ("pseudoResistance", "mechanisms", "options") if p[s]]
        if extras:
            console.print(f"{p['id']}  " + "; ".join(extras), markup=False, highlight=False)
    rows = _issue_rows(result)
    if rows:
        issues = Table(title="data issues")
        for col in ("patient", "severity", "record", "what", "effect"):
            issues.add_column(col, overflow="fold")
        for row in rows:
            issues.add_row(*_plain(*row))
        console.print(issues)
    if result.unattributed:  # issues of records that belong to no patient: listed, not dropped
        console.print(f"[bold]{len(result.unattributed)} data issue(s) belong to no patient:[/bold]")
        for issue in result.unattributed:
            where = issue.get("focusNode") or issue.get("resource") or issue.get("source") or ""
            effect = f" — {issue['effect']}" if issue.get("effect") else ""
            console.print(f"  {issue['severity']}  {where}  {issue['message']}{effect}", markup=False)


__all__ = ["render", "PIPE_WIDTH"]
