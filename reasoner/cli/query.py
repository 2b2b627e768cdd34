"""``trd query``: run a SPARQL SELECT (a competency question) over assessed data.

Why a command of its own: the competency questions of ``queries/report/`` (and any question a
researcher writes) must run over exactly what the reasoner knows: asserted data + ontology +
effective policy + derived findings, the union of the named graphs (docs/data-model.md §1).
Two sources:

* ``trd query FILE.rq DATA...``: read the patient graphs, run the rule set first (the rule engine of
  :mod:`reasoner.rules.engine`), then the question;
* ``trd query FILE.rq --store DIR``: an Oxigraph store written by a cohort run, opened read-only.

Only SELECT is accepted, and ``SERVICE`` is refused before any engine sees the text (rdflib would
send it over the network). Errors are :class:`~reasoner.errors.TrdError` (one line, exit code 2).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import click
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from reasoner.errors import InputError
from reasoner.knowledge.namespaces import PREFIXES
from reasoner.io.rdf import assert_no_service

FORMATS = ("table", "csv", "json")


# --- reading the question --------------------------------------------------------------------
def read_query(path: Path | str) -> str:
    """The query text, refused when it is unreadable or federated (SERVICE)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read query ({getattr(exc, 'strerror', None) or exc})") from exc
    assert_no_service(text, str(path))
    return text


# --- running ---------------------------------------------------------------------------------
def _select_oxigraph(store: Any, text: str, name: str) -> tuple[list[str], list[dict[str, Node]]]:
    """SELECT on a pyoxigraph Store over the union of its named graphs."""
    import pyoxigraph as ox

    from reasoner.rules.workspace import to_rdflib

    try:
        result = store.query(text, use_default_graph_as_union=True)
    except SyntaxError as exc:
        raise InputError(f"{name}: not valid SPARQL ({str(exc).splitlines()[0]})") from exc
    except OSError as exc:
        raise InputError(f"{name}: query failed ({str(exc).splitlines()[0]})") from exc
    if not isinstance(result, ox.QuerySolutions):
        raise InputError(f"{name}: only SELECT queries are supported by trd query")
    names = [v.value for v in result.variables]
    rows = []
    for solution in result:
        rows.append({n: to_rdflib(solution[n]) for n in names if solution[n] is not None})
    return names, rows


def _select_rdflib(dataset: Any, text: str, name: str) -> tuple[list[str], list[dict[str, Node]]]:
    """SELECT on an rdflib Dataset whose default graph is the union."""
    try:
        result = dataset.query(text)
    except Exception as exc:  # pyparsing / rdflib raise many types for a bad query
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(f"{name}: not valid SPARQL ({first})") from exc
    if result.type != "SELECT":
        raise InputError(f"{name}: only SELECT queries are supported by trd query")
    names = [str(v) for v in result.vars]
    return names, [{n: r[n] for n in names if r[n] is not None} for r in result]


def select(workspace: Any, text: str, name: str = "query") -> tuple[list[str], list[dict[str, Node]]]:
    """Run a SELECT over a Workspace (either backend); returns (variables in order, rows)."""
    assert_no_service(text, name)
    if workspace.engine == "oxigraph":
        return _select_oxigraph(workspace.store, text, name)
    return _select_rdflib(workspace.store, text, name)


def select_store(directory: Path | str, text: str, name: str = "query") -> tuple[list[str], list[dict[str, Node]]]:
    """Run a SELECT on an existing Oxigraph store directory, opened read-only."""
    import pyoxigraph as ox

    assert_no_service(text, name)
    directory = Path(directory)
    if not directory.is_dir():
        raise InputError(f"{directory}: store directory not found")
    try:
        store = ox.Store.read_only(str(directory))
    except OSError as exc:
        raise InputError(f"{directory}: not an Oxigraph store ({str(exc).splitlines()[0]})") from exc
    return _select_oxigraph(store, text, name)


def assess_workspace(data: list[Path], policy: str, as_of: str | None, engine: str = "oxigraph") -> Any:
    """Asserted data + ontology + effective policy, with the rule set run: a ready Workspace.

    Inputs go through the project's single input seam (``validation.load_input``: safe RDF
    reading, FHIR JSON/NDJSON/Bulk folders through the importer) and the assessment through
    :class:`reasoner.pipeline.Pipeline`, so a question sees exactly what ``trd assess`` derives.
    """

    from reasoner.pipeline import Pipeline

    from reasoner.validate.reference import load_inputs

    merged = load_inputs(data, as_of)
    pipe = Pipeline(policy=policy, as_of=as_of, engine=engine, validate=False)
    return pipe.assess(merged, derived="graph", keep_workspace=True).workspace


# --- formatting ------------------------------------------------------------------------------
def _compact(term: Node | None) -> str:
    """IRIs shortened with the project prefixes (table view); literals as their lexical form."""
    if term is None:
        return ""
    if isinstance(term, URIRef):
        text = str(term)
        for prefix, ns in PREFIXES.items():
            if text.startswith(ns) and len(text) > len(ns):
                return f"{prefix}:{text[len(ns):]}"
        return text
    return str(term)


def _plain(term: Node | None) -> Any:
    """JSON value: numbers and booleans natively, everything else as text."""
    if term is None:
        return None
    if isinstance(term, Literal):
        value = term.toPython()
        if isinstance(value, bool) or isinstance(value, (int, float)):
            return value
        from decimal import Decimal
        if isinstance(value, Decimal):
            return float(value)
        return str(term)
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def render(names: list[str], rows: list[dict[str, Node]], fmt: str) -> str:
    """The result as an aligned text table, CSV (full IRIs) or JSON (``{"variables","rows"}``)."""
    if fmt == "json":
        return json.dumps({"variables": names,
                           "rows": [{n: _plain(r.get(n)) for n in names} for r in rows]}, indent=2)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(names)
        for r in rows:
            writer.writerow(["" if r.get(n) is None else str(r[n]) for n in names])
        return buffer.getvalue().rstrip("\n")
    cells = [[_compact(r.get(n)) for n in names] for r in rows]
    widths = [max([len(n)] + [len(row[i]) for row in cells]) for i, n in enumerate(names)]
    lines = ["  ".join(n.ljust(w) for n, w in zip(names, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines)


# --- the command -----------------------------------------------------------------------------
@click.command("query")
@click.argument("query_file", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("data", nargs=-1, type=click.Path(path_type=Path))
@click.option("--store", "store_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Query an existing Oxigraph store directory (read-only) instead of DATA.")
@click.option("--policy", default="default", show_default=True, help="Policy name or policy Turtle file.")
@click.option("--as-of", "as_of", default=None, help="Evaluation date YYYY-MM-DD (default: today).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("--engine", type=click.Choice(["oxigraph", "rdflib"]), default="oxigraph", show_default=True,
              help="SPARQL backend used to run the rules and the query.")
def query(query_file: Path, data: tuple[Path, ...], store_dir: Path | None, policy: str,
          as_of: str | None, fmt: str, engine: str) -> None:
    """Run the SELECT in QUERY_FILE over DATA (rules run first) or over --store DIR."""
    text = read_query(query_file)
    if store_dir is not None and data:
        raise InputError("give either DATA files or --store DIR, not both")
    if store_dir is not None:
        names, rows = select_store(store_dir, text, str(query_file))
    else:
        if not data:
            raise InputError("no DATA given (patient graphs), and no --store DIR")
        ws = assess_workspace(list(data), policy, as_of, engine)
        names, rows = select(ws, text, str(query_file))
    click.echo(render(names, rows, fmt))


__all__ = ["query", "select", "select_store", "assess_workspace", "render", "read_query"]
