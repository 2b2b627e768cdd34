"""Policies: named sets of thresholds, and the evaluation context (as-of date, active policy).

Why: sites and guidelines disagree (6 or 8 weeks, remission or response), so every threshold is a
setting in a small RDF graph (docs/data-model.md §5), never a number in Python. A policy may
``trd:extends`` another; its *effective* settings are its own plus the inherited ones it does not
override (matched on ``trd:parameter`` and ``trd:instrument``). Rules then read one value per
(parameter, instrument) from the policy graph.

API::

    available_policies() -> list[str]
    effective_policy("default" | "path/to/file.ttl") -> (policy IRI, rdflib Graph)
    evaluation_context(policy_iri, as_of) -> Graph
    policy_graph(policy="default", as_of=None) -> Graph    # effective policy + evaluation context
    setting(policy_graph, param_iri, instrument=None) -> Python value   # e.g. for the FHIR importer
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from reasoner.errors import InputError, PolicyError
from reasoner.knowledge.namespaces import EVALUATION, POLICY, TRD
from reasoner.knowledge.paths import POLICY_DIR
from reasoner.io.rdf import read_graph


def available_policies(directory: Path = POLICY_DIR) -> list[str]:
    """Names of the policies shipped in ``ontology/policies``."""
    return sorted(p.stem for p in Path(directory).glob("*.ttl"))


def _policy_file(name_or_path: str | Path) -> Path:
    """A policy name or a Turtle file -> the file; PolicyError listing the known names."""
    text = str(name_or_path)
    candidate = Path(text)
    if text.endswith(".ttl") or candidate.suffix:
        if not candidate.is_file():
            raise PolicyError(f"policy file {text} not found")
        return candidate
    path = POLICY_DIR / f"{text}.ttl"
    if not path.is_file():
        names = ", ".join(available_policies()) or "none installed"
        raise PolicyError(f"unknown policy {text!r} (available: {names})")
    return path


def _read(path: Path) -> Graph:
    try:
        return read_graph(path)
    except InputError as exc:
        raise PolicyError(f"policy {exc}") from exc


def _policy_node(g: Graph, path: Path) -> URIRef:
    nodes = [s for s in g.subjects(RDF.type, TRD.Policy) if isinstance(s, URIRef)]
    if len(nodes) != 1:
        raise PolicyError(f"{path}: a policy file must declare exactly one trd:Policy (found {len(nodes)})")
    return nodes[0]


def _key(g: Graph, s: URIRef) -> tuple[Any, Any]:
    return g.value(s, TRD.parameter), g.value(s, TRD.instrument)


def effective_policy(name_or_path: str | Path = "default", _seen: frozenset = frozenset()) -> tuple[URIRef, Graph]:
    """The policy's own triples + inherited settings it does not override."""
    path = _policy_file(name_or_path)
    g = _read(path)
    node = _policy_node(g, path)
    if node in _seen:
        raise PolicyError(f"policy {node} extends itself")
    out = Graph()
    for triple in g:
        out.add(triple)
    own = {_key(g, s) for s in g.subjects(TRD.policy, node)}
    parent = g.value(node, TRD.extends)
    if parent is not None:
        parent_name = str(parent)[len(str(POLICY)):] if str(parent).startswith(str(POLICY)) else str(parent)
        sibling = path.parent / f"{parent_name}.ttl"
        _, pg = effective_policy(sibling if sibling.is_file() else parent_name, _seen | {node})
        for s in set(pg.subjects(RDF.type, TRD.Setting)):
            if _key(pg, s) not in own:
                for triple in pg.triples((s, None, None)):
                    out.add(triple)
    return node, out


def as_of_date(value: dt.date | str | None) -> dt.date | None:
    """The evaluation date from a date or its YYYY-MM-DD text; None stays None (meaning today).

    The one place a user's --as-of is checked, so every command refuses a bad date the same way.
    """
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise InputError(f"--as-of {value!r} is not a date (expected YYYY-MM-DD)") from exc


def evaluation_context(policy_iri: URIRef, as_of: dt.date | str | None = None) -> Graph:
    """``<evaluation> trd:asOfDate …; trd:activePolicy …`` (as-of date defaults to today)."""
    as_of = as_of_date(as_of) or dt.date.today()
    g = Graph()
    g.add((EVALUATION, TRD.asOfDate, Literal(as_of.isoformat(), datatype=XSD.date)))
    g.add((EVALUATION, TRD.activePolicy, policy_iri))
    return g


def policy_graph(policy: str | Path = "default", as_of: dt.date | str | None = None) -> Graph:
    """Effective policy + evaluation context: what goes into the policy named graph."""
    node, g = effective_policy(policy)
    g += evaluation_context(node, as_of)
    return g


def policy_name(g: Graph) -> str:
    """The active policy's short name (its ``skos:notation``, else the IRI's last segment)."""
    from rdflib.namespace import SKOS

    node = g.value(EVALUATION, TRD.activePolicy)
    if node is None:
        return "default"
    notation = g.value(node, SKOS.notation)
    return str(notation) if notation is not None else str(node).rstrip("/").rsplit("/", 1)[-1]


def setting(g: Graph, param: URIRef, instrument: URIRef | None = None) -> Any:
    """The Python value of one setting of an effective policy graph (None when absent)."""
    for s in g.subjects(TRD.parameter, param):
        if instrument is not None and g.value(s, TRD.instrument) != instrument:
            continue
        value = g.value(s, TRD.value)
        if value is not None:
            py = value.toPython() if isinstance(value, Literal) else value
            # xsd:decimal becomes float so that Python consumers can do arithmetic with it
            return float(py) if isinstance(py, Decimal) else py
    return None


__all__ = ["available_policies", "effective_policy", "evaluation_context", "policy_graph", "policy_name", "setting"]
