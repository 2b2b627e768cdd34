"""Questions over assessed data: a user's SPARQL SELECT, run over a fresh assessment or a results store.

Why a module of its own: the competency questions of ``queries/report/`` (and any question a
researcher writes) must run over exactly what the reasoner knows: asserted data + ontology +
effective policy + derived findings, the union of the named graphs (docs/data-model.md §1).
Two sources:

* :func:`assess_workspace` reads the patient graphs through the one input seam and runs the one
  pipeline (rules only), then :func:`select` asks the question over its workspace;
* :func:`select_store` asks it over an Oxigraph store written by a cohort run, opened read-only.

Only SELECT is accepted. The text is bounded, parsed and its algebra checked by
:func:`reasoner.io.sparql.check_query` before any engine evaluates it (no SERVICE, no FROM/FROM
NAMED, no update), and evaluation is sandboxed: rdflib evaluates the checked algebra itself with
graph loading off and the network guard on; Oxigraph answers from its store only.
Errors are :class:`~reasoner.errors.TrdError` (one line, exit code 2).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rdflib.term import Node

from reasoner.errors import InputError
from reasoner.inputs import read_inputs
from reasoner.io.sparql import CheckedQuery, check_query, rdflib_sandbox
from reasoner.pipeline import Pipeline
from reasoner.rules.terms import to_rdflib


def read_query(path: Path | str) -> str:
    """The query text, refused when it is unreadable, too large or not a safe SELECT.

    The size is checked before the file is read whole, so a huge file costs nothing.
    """
    from reasoner.config import MAX_QUERY_BYTES

    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_QUERY_BYTES:
            raise InputError(f"{path}: query of {size} bytes is larger than the limit of {MAX_QUERY_BYTES} bytes "
                             "(TRD_MAX_QUERY_BYTES)")
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read query ({getattr(exc, 'strerror', None) or exc})") from exc
    check_query(text, str(path))
    return text


def _select_oxigraph(store: Any, checked: CheckedQuery) -> tuple[list[str], list[dict[str, Node]]]:
    """SELECT on a pyoxigraph Store over the union of its named graphs (the store only: the
    checked query names no other graph and calls no service)."""
    import pyoxigraph as ox

    name = checked.name
    try:
        result = store.query(checked.text, use_default_graph_as_union=True)
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


def _select_rdflib(dataset: Any, checked: CheckedQuery) -> tuple[list[str], list[dict[str, Node]]]:
    """SELECT on an rdflib Dataset whose default graph is the union: the checked algebra itself
    is evaluated (never the text parsed again), inside the sandbox, rows read to the end there."""
    name = checked.name
    try:
        with rdflib_sandbox():
            result = dataset.query(checked.query)
            names = [str(v) for v in result.vars]
            rows = [{n: r[n] for n in names if r[n] is not None} for r in result]
    except InputError:
        raise
    except Exception as exc:  # rdflib raises many types while evaluating
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(f"{name}: query failed ({first})") from exc
    if result.type != "SELECT":
        raise InputError(f"{name}: only SELECT queries are supported by trd query")
    return names, rows


def select(workspace: Any, text: str, name: str = "query") -> tuple[list[str], list[dict[str, Node]]]:
    """Run a SELECT over a Workspace (either backend); returns (variables in order, rows)."""
    checked = check_query(text, name)
    if workspace.backend == "oxigraph":
        return _select_oxigraph(workspace.store, checked)
    return _select_rdflib(workspace.store, checked)


def select_store(directory: Path | str, text: str, name: str = "query") -> tuple[list[str], list[dict[str, Node]]]:
    """Run a SELECT on an existing Oxigraph store directory, opened read-only."""
    import pyoxigraph as ox

    checked = check_query(text, name)
    directory = Path(directory)
    if not directory.is_dir():
        raise InputError(f"{directory}: store directory not found")
    try:
        store = ox.Store.read_only(str(directory))
    except OSError as exc:
        raise InputError(f"{directory}: not an Oxigraph store ({str(exc).splitlines()[0]})") from exc
    return _select_oxigraph(store, checked)


def assess_workspace(data: list[Path], policy: str, as_of: str | None, backend: str = "oxigraph",
                     issues: list[Any] | None = None) -> Any:
    """Asserted data + ontology + effective policy, with the rule set run: a ready Workspace.
    ``issues``: gets the import's data issues (records not usable as written), for the caller to show."""
    merged = read_inputs(data, as_of, policy)
    if issues is not None:
        issues.extend(merged.issues)
    pipe = Pipeline(policy=policy, as_of=as_of, backend=backend, validator=None)
    return pipe.assess(merged.graph, derived="none", keep_workspace=True).workspace


__all__ = ["read_query", "select", "select_store", "assess_workspace"]
