"""``trd assess``: validate, infer and print the findings of patient graphs or FHIR input.

Exit codes (docs/output-contract.md): 0 the input was read (findings or not), 1 a patient graph
violates a shape (output still printed), 2 unreadable input or a usage error (one line on stderr,
raised as a :class:`~reasoner.errors.TrdError` and printed by ``reasoner.cli.main``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from reasoner.cli.options import as_of_option, backend_option, epilog, policy_option

#: The cohort processors (``reasoner.cohort.worker.PROCESSORS``, the first the default), named here
#: so that the CLI does not import the cohort machinery to print its help (a test keeps them equal).
COHORT_PROCESSORS = ("pipeline", "columnar")
from reasoner.errors import TrdError
from reasoner.render.registry import formats

_EPILOG = epilog("trd assess examples/trd-confirmed.ttl --as-of 2026-01-15",
                 "trd assess examples/trd-confirmed.fhir.json --format json --policy fda-ema",
                 "trd assess export-folder/ --out results/",
                 "trd assess export-folder/ --out results/ --store --processor columnar") + """
\b
Several inputs are merged into one assessment. --out DIR turns on cohort mode (one input: a
Bulk FHIR folder, or Turtle files): sharded and resumable, on every core by default, results in
DIR/patients.jsonl, DIR/findings/<table>/*.parquet, DIR/summary.json and DIR/summary.html
(--store adds the RDF results store DIR/store, built after the run; --format fhir adds
DIR/fhir/*.ndjson, --report DIR/reports/<patient>.html). The table fits the terminal (or
COLUMNS when piped).
"""


#: At most this many unreadable input lines are named one by one on stderr (all are in the output).
_STDERR_LINES = 20


def warn_unreadable(issues: list) -> None:
    """One line on stderr per input line that could not be read (issue 16): the record is lost to
    the assessment, so the user hears of it where errors go, not only in ``dataIssues``."""
    unreadable = [i for i in issues if getattr(i, "kind", "") == "unreadable line"]
    warn_issues(unreadable, "listed in dataIssues", more="unreadable lines (listed in dataIssues)")


def warn_issues(issues: list, where: str, more: str | None = None) -> None:
    """One line on stderr per data issue of the input (at most ``_STDERR_LINES``, then a count ``…
    and N more`` of ``more``), for output that does not list them: the user hears of every record
    that could not be used as written, and of what that did to the results (``where``: the
    output it concerns)."""
    for issue in issues[:_STDERR_LINES]:
        named = issue.resource or issue.source or "input"
        click.echo(f"trd: warning: {named}: {issue.message}: {issue.effect} ({where})", err=True)
    if len(issues) > _STDERR_LINES:
        more = more or f"data issues of the input ({where}); `trd assess --format json` lists them all"
        click.echo(f"trd: warning: … and {len(issues) - _STDERR_LINES} more {more}", err=True)


@click.command(epilog=_EPILOG)
@click.argument("inputs", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(formats()), default="table", show_default=True)
@as_of_option
@policy_option
@backend_option
@click.option("--explain", "with_explain", is_flag=True, help="Print the chain of reasons for each patient.")
@click.option("--out", "out_dir", default=None, help="Cohort mode: write results to this directory.")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Cohort mode: local worker processes [default: the number of cores].")
@click.option("--processor", type=click.Choice(COHORT_PROCESSORS), default=COHORT_PROCESSORS[0], show_default=True,
              help="Cohort mode: columnar (SQL twins of the rules over a whole shard) or pipeline (SPARQL rules on "
                   "Oxigraph, batch by batch); both give the same lines.")
@click.option("--shard-size", type=click.IntRange(min=1), default=None,
              help="Cohort mode: patients per shard [default: the processor's].")
@click.option("--store", "with_store", is_flag=True,
              help="Cohort mode: also build the RDF results store OUT/store (for trd query --store) after the run.")
@click.option("--scheduler", default=None, help="Cohort mode: Dask scheduler address.")
@click.option("--report", "with_report", is_flag=True,
              help="Cohort mode: also write OUT/reports/<patient>.html (builds OUT/store too: the timelines come from it).")
def assess(inputs: tuple[str, ...], fmt: str, as_of: str | None, policy: str, backend: str, with_explain: bool,
           out_dir: str | None, workers: int | None, processor: str, shard_size: int | None, with_store: bool,
           scheduler: str | None, with_report: bool) -> None:
    """Validate, infer and print the findings for INPUT (patient graphs or FHIR)."""
    if out_dir is not None:
        from reasoner.cohort import run_cohort

        # Cohort mode writes JSON Lines, Parquet tables and (--store) an Oxigraph store (plus FHIR
        # NDJSON with --format fhir): say so rather than silently ignoring a format or backend asked for.
        if fmt not in ("table", "fhir") or backend != "oxigraph":
            raise TrdError("--out writes OUT/patients.jsonl, OUT/findings and (--store) OUT/store (and "
                           "OUT/fhir/*.ndjson with --format fhir); other formats and --backend do not apply")
        summary = run_cohort(Path(inputs[0]) if len(inputs) == 1 else [Path(i) for i in inputs], Path(out_dir),
                             workers=workers, scheduler=scheduler, policy=policy, as_of=as_of, processor=processor,
                             shard_size=shard_size,
                             store=with_store or with_report)  # the reports read each timeline from the store
        from reasoner.cohort import outputs

        if fmt == "fhir":
            outputs.write_fhir(Path(out_dir))
        reports = outputs.write_reports(Path(out_dir)) if with_report else []
        outputs.write_summary_html(Path(out_dir), reports)
        if not summary.conforms:  # the contract: exit 1 when a patient graph violates a shape
            sys.exit(1)
        return
    from reasoner.cli.explain import explanations
    from reasoner.inputs import read_inputs
    from reasoner.pipeline import Pipeline
    from reasoner.render.registry import render

    data = read_inputs(inputs, as_of, policy)
    warn_unreadable(data.issues)
    result = Pipeline(policy=policy, as_of=as_of, backend=backend).assess(
        data.graph, derived="graph" if fmt == "turtle" else "none", keep_workspace=with_explain or fmt == "html",
        issues=data.issues)
    render(fmt, result, sys.stdout)
    if with_explain:
        click.echo("\n".join(explanations(result)), err=fmt != "table")
    if not result.conforms:
        sys.stdout.flush()
        sys.exit(1)
