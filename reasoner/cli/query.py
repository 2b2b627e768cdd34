"""``trd query``: run a SPARQL SELECT (a competency question) over assessed data or a results store.

Two sources (see :mod:`reasoner.questions`): patient data, assessed first by the one pipeline,
or ``--store DIR``, an Oxigraph store written by a cohort run, opened read-only. Only SELECT is
accepted; errors are one line with exit code 2.
"""

from __future__ import annotations

from pathlib import Path

import click

from reasoner.cli.options import as_of_option, backend_option, epilog, policy_option
from reasoner.errors import InputError
from reasoner.render.rows import FORMATS

_EPILOG = epilog("trd query queries/report/options.rq examples/trd-confirmed.ttl --as-of 2026-01-15",
                 "trd query queries/report/options.rq examples/trd-confirmed.fhir.json --as-of 2026-01-15",
                 "trd query queries/report/options.rq --store results/store --format csv")


@click.command("query", epilog=_EPILOG)
@click.argument("query_file", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("data", nargs=-1, type=click.Path(path_type=Path))
@click.option("--store", "store_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Query an existing Oxigraph store directory (read-only) instead of DATA.")
@policy_option
@as_of_option
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@backend_option
def query(query_file: Path, data: tuple[Path, ...], store_dir: Path | None, policy: str,
          as_of: str | None, fmt: str, backend: str) -> None:
    """Run the SELECT in QUERY_FILE over DATA (rules run first) or over --store DIR."""
    from reasoner.cli.assess import warn_issues
    from reasoner.questions import assess_workspace, read_query, select, select_store
    from reasoner.render.rows import render_rows

    text = read_query(query_file)
    if store_dir is not None and data:
        raise InputError("give either DATA files or --store DIR, not both")
    if store_dir is not None:
        names, rows = select_store(store_dir, text, str(query_file))
    else:
        if not data:
            raise InputError("no DATA given (patient graphs), and no --store DIR")
        issues: list = []
        ws = assess_workspace(list(data), policy, as_of, backend, issues)
        warn_issues(issues, "an input record the query does not see as written")
        names, rows = select(ws, text, str(query_file))
    click.echo(render_rows(names, rows, fmt))


__all__ = ["query"]
