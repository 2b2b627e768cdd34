"""Questions over assessed data: a user's SPARQL SELECT, run over a fresh assessment or a results store.

Why a module of its own: the competency questions of ``queries/report/`` (and any question a
researcher writes) must run over exactly what the reasoner knows: asserted data + ontology +
effective policy + derived findings, the union of the named graphs (docs/data-model.md §1).
Two sources:

* :func:`assess_workspace` reads the patient graphs through the one input seam and runs the one
  pipeline (rules only), then :func:`select` asks the question over its workspace;
* :func:`select_store` asks it over an Oxigraph store written by a cohort run, opened read-only.

Only SELECT is accepted, and the text is checked by :mod:`reasoner.io.sparql` before any engine
sees it. Errors are :class:`~reasoner.errors.TrdError` (one line, exit code 2).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rdflib.term import Node

from reasoner.errors import InputError
from reasoner.inputs import load_inputs
from reasoner.io.sparql import assert_no_service
from reasoner.pipeline import Pipeline
from reasoner.rules.terms import to_rdflib


def read_query(path: Path | str) -> str:
    """The query text, refused when it is unreadable or federated (SERVICE)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read query ({getattr(exc, 'strerror', None) or exc})") from exc
    assert_no_service(text, str(path))
    return text


def _select_oxigraph(store: Any, text: str, name: str) -> tuple[list[str], list[dict[str, Node]]]:
    """SELECT on a pyoxigraph Store over the union of its named graphs."""
    import pyoxigraph as ox

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
    if workspace.backend == "oxigraph":
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


def assess_workspace(data: list[Path], policy: str, as_of: str | None, backend: str = "oxigraph") -> Any:
    """Asserted data + ontology + effective policy, with the rule set run: a ready Workspace."""
    merged = load_inputs(data, as_of)
    pipe = Pipeline(policy=policy, as_of=as_of, backend=backend, validator=None)
    return pipe.assess(merged, derived="none", keep_workspace=True).workspace


__all__ = ["read_query", "select", "select_store", "assess_workspace"]
