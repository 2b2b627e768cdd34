"""``--format table`` (the default): the findings as tables a person reads in a terminal."""

from __future__ import annotations

from typing import Any, TextIO


def _cell(value: Any) -> str:
    """A table cell: an unknown value (JSON null) reads as a dash, not Python's None."""
    return "—" if value is None else str(value)


def render(result: Any, out: TextIO) -> None:
    """Patients (TRD, counts, stages, issues), trials, then each patient's other findings."""
    from rich.console import Console
    from rich.table import Table

    # Piped output (a file, CI log, `less`) has no terminal width; rich would fall back to 80
    # columns and truncate codes ("confirm…"), so give it room for the widest table.
    tty = out.isatty() if hasattr(out, "isatty") else False
    console = Console(file=out) if tty else Console(file=out, width=240)
    console.print(f"as of {result.as_of}, policy {result.policy}")
    summary = Table(title="patients")
    for col in ("patient", "TRD", "failed", "classes", "Thase–Rush", "Maudsley", "MGH-S", "issues"):
        summary.add_column(col)
    for p in result.patients:
        trd = p.get("trd") or {}
        st = p.get("stages") or {}
        m = st.get("maudsley")
        summary.add_row(p["id"], _cell(trd.get("status")), _cell(trd.get("failedAdequateTrials")),
                        _cell(trd.get("distinctFailedClasses")), _cell(st.get("thaseRush")),
                        f"{m['score']} ({m['band']})" if m else "—", _cell(st.get("mghS")), str(len(p["dataIssues"])))
    console.print(summary)
    trials = Table(title="trials")
    for col in ("patient", "trial", "drug", "class", "start", "end", "mg/day", "weeks", "adherence",
                "adequacy", "reasons", "outcome", "failed"):
        trials.add_column(col)
    for p in result.patients:
        for t in p["trials"]:
            trials.add_row(p["id"], t["id"], *(_cell(t[k]) for k in ("drug", "class", "start", "end", "dailyDoseMg",
                                                                      "weeksAtAdequateDose", "adherence", "adequacy")),
                           ", ".join(t["reasons"]), _cell(t["outcome"]), "yes" if t["failed"] else "no")
    console.print(trials)
    for p in result.patients:
        extras = [f"{s}: " + ", ".join(e["code"] + (f" ({e['status']})" if "status" in e else "") for e in p[s])
                  for s in ("pseudoResistance", "mechanisms", "options") if p[s]]
        if extras:
            console.print(f"[bold]{p['id']}[/bold]  " + "; ".join(extras))
    if result.unattributed:  # issues of records that belong to no patient: listed, not dropped
        console.print(f"[bold]{len(result.unattributed)} data issue(s) belong to no patient:[/bold]")
        for issue in result.unattributed:
            console.print(f"  {issue['severity']}  {issue['focusNode']}  {issue['message']}", markup=False)


__all__ = ["render"]
