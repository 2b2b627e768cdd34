"""``trd assess`` and ``trd explain``: validate, infer and print findings, or explain one of them.

Exit codes (shared/json-output.md): 0 the input was read (findings or not), 1 a patient graph
violates a shape (output still printed), 2 unreadable input or a usage error (one line on stderr,
raised as a :class:`~reasoner.errors.TrdError` and printed by ``reasoner.cli.main``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from reasoner.errors import InputError, TrdError


def _check_date(value: str | None) -> str | None:
    """The checked --as-of as YYYY-MM-DD text (what the pipeline and cohort runner take)."""
    from reasoner.knowledge.policy import as_of_date

    checked = as_of_date(value)
    return None if checked is None else checked.isoformat()


def _run(inputs: tuple[str, ...], as_of: str | None, policy: str, engine: str) -> tuple[Any, Any]:
    from reasoner.pipeline import Pipeline
    from reasoner.validate.reference import load_inputs

    data = load_inputs(inputs, as_of)
    pipe = Pipeline(policy=policy, as_of=as_of, engine=engine, validate=True)
    return pipe, pipe.assess(data, derived="graph", keep_workspace=True)


def _cell(value: Any) -> str:
    """A table cell: an unknown value (JSON null) reads as a dash, not Python's None."""
    return "—" if value is None else str(value)


def _table(result: Any) -> None:
    from rich.console import Console
    from rich.table import Table

    # Piped output (a file, CI log, `less`) has no terminal width; rich would fall back to 80
    # columns and truncate codes ("confirm…"), so give it room for the widest table.
    console = Console() if sys.stdout.isatty() else Console(width=240)
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


def _explanations(result: Any, finding: str | None = None, only: str | None = None) -> list[str]:
    from reasoner.findings.explain import explain
    from reasoner.findings.read import patient_iris

    iris = patient_iris(result.workspace)
    lines: list[str] = []
    for p in result.patients:
        if only is not None and p["id"] != only:
            continue
        lines += explain(result.workspace, p, iris[p["id"]], finding)
        lines.append("")
    return lines


@click.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json", "turtle"]), default="table", show_default=True)
@click.option("--as-of", "as_of", default=None, help="Evaluation date YYYY-MM-DD (default: today).")
@click.option("--policy", default="default", show_default=True, help="Policy name or policy Turtle file.")
@click.option("--engine", type=click.Choice(["oxigraph", "rdflib"]), default="oxigraph", show_default=True)
@click.option("--explain", "with_explain", is_flag=True, help="Print the chain of reasons for each patient.")
@click.option("--out", "out_dir", default=None, help="Cohort mode: write results to this directory.")
@click.option("--workers", type=int, default=1, show_default=True, help="Cohort mode: local worker processes.")
@click.option("--scheduler", default=None, help="Cohort mode: Dask scheduler address.")
def assess(inputs: tuple[str, ...], fmt: str, as_of: str | None, policy: str, engine: str, with_explain: bool,
           out_dir: str | None, workers: int, scheduler: str | None) -> None:
    """Validate, infer and print the findings for INPUT (patient graphs or FHIR)."""
    as_of = _check_date(as_of)
    if out_dir is not None:
        try:
            from reasoner.cohort import run_cohort
        except ImportError as exc:
            raise TrdError("--out needs the cohort runner (reasoner.cohort), not available") from exc
        # Cohort mode writes JSON Lines and an Oxigraph store on the fast engine: say so rather than
        # silently ignoring a format or engine the user asked for.
        if fmt != "table" or engine != "oxigraph":
            raise TrdError("--out writes OUT/patients.jsonl and OUT/store with the oxigraph engine; "
                           "--format and --engine do not apply to cohort mode")
        # the cohort runner prints its own summary table
        summary = run_cohort(Path(inputs[0]) if len(inputs) == 1 else [Path(i) for i in inputs], Path(out_dir),
                             workers=workers, scheduler=scheduler, policy=policy, as_of=as_of)
        if not summary.conforms:  # json-output.md: exit 1 when a patient graph violates a shape
            sys.exit(1)
        return
    for i in inputs:
        if not Path(i).exists():
            raise InputError(f"{i}: no such file or directory")
    _pipe, result = _run(inputs, as_of, policy, engine)
    if fmt == "json":
        click.echo(json.dumps(result.document(), indent=2, ensure_ascii=False))
    elif fmt == "turtle":
        g = result.derived
        g.bind("trd", "https://w3id.org/trd-reasoner/ontology#")
        g.bind("prov", "http://www.w3.org/ns/prov#")
        g.bind("rule", "https://w3id.org/trd-reasoner/rule/")
        click.echo(g.serialize(format="turtle"))
    else:
        _table(result)
    if with_explain:
        click.echo("\n".join(_explanations(result)), err=fmt != "table")
    if not result.conforms:
        sys.exit(1)


@click.command()
@click.argument("input_path", metavar="INPUT")
@click.argument("patient")
@click.argument("finding", required=False)
@click.option("--as-of", "as_of", default=None, help="Evaluation date YYYY-MM-DD (default: today).")
@click.option("--policy", default="default", show_default=True, help="Policy name or policy Turtle file.")
@click.option("--engine", type=click.Choice(["oxigraph", "rdflib"]), default="oxigraph", show_default=True)
def explain(input_path: str, patient: str, finding: str | None, as_of: str | None, policy: str, engine: str) -> None:
    """Explain why PATIENT has FINDING (trd, stages, a trial id, or a code such as esketamine)."""
    as_of = _check_date(as_of)
    if not Path(input_path).exists():
        raise InputError(f"{input_path}: no such file or directory")
    _pipe, result = _run((input_path,), as_of, policy, engine)
    ids = [p["id"] for p in result.patients]
    if patient not in ids:
        raise InputError(f"no patient {patient!r} in {input_path} (patients: {', '.join(ids[:20]) or 'none'})")
    click.echo("\n".join(_explanations(result, finding, only=patient)).rstrip())
