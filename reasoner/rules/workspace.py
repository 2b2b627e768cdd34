"""The graphs of one assessment (asserted, ontology, policy, derived, rules) on one SPARQL backend.

Why a class of its own: the rule engine, the pipeline, the findings reader and the validator all
need the same five named graphs (docs/data-model.md §1) and must not care whether they live in a
``pyoxigraph.Store`` (fast, the default) or an ``rdflib.Dataset`` (pure Python, the reference).
Every query runs over the *union* of the named graphs; derived triples are written only into the
derived graph, so asserted data is never mixed with conclusions.

Each backend is a subclass (:class:`OxigraphWorkspace`, :class:`RdflibWorkspace`); callers ask for
one by name with :func:`new_workspace`, and a new backend is a new subclass plus one line in
:data:`BACKENDS`. Only Oxigraph offers the rule engine's fast path (``in_store_derivation``:
a rule's result loaded into the derived graph inside the store, and input lookups that let the
engine skip a rule); the engine falls back to its checked mode on a backend without it.

    ws = new_workspace("oxigraph" | "rdflib")
    ws.add_asserted(graph_or_bytes, format="nt")     # rdflib Graph, or N-Triples/Turtle bytes
    ws.add_graph(GRAPH_ONTOLOGY, graph_or_bytes)     # any named graph
    ws.load_ontology(); ws.load_policy(policy_graph)
    ws.select(query) -> list[dict[str, rdflib term]] # SELECT over the union of all graphs
    ws.select_values(query) -> list[dict[str, value]] # the same rows as plain JSON-ready values
    ws.ask(query) -> bool                            # ASK over the union (rule guards)
    ws.construct(query) -> list[tuple]               # CONSTRUCT result (backend terms)
    ws.add_derived(triples) -> int                   # new triples only go to the derived graph
    ws.graph(name) -> rdflib.Graph                   # a copy of one named graph
    ws.derived_graph() / ws.derived_nquads()
    ws.clear(name)                                   # empty one named graph (reuse a warm workspace)
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any, ClassVar

import pyoxigraph as ox
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.term import Node

from reasoner.errors import InputError
from reasoner.io.numbers import NUMERIC_DATATYPES, usable_number
from reasoner.knowledge.loader import numeric_properties, ontology_ntriples
from reasoner.knowledge.namespaces import GRAPH_ASSERTED, GRAPH_DERIVED, GRAPH_ONTOLOGY, GRAPH_POLICY
from reasoner.rules.terms import (
    OX_RDF_TYPE,
    has_quad,
    subclass_closure_is_static,
    to_oxigraph,
    to_rdflib,
    value_of,
)

def _unusable(o: Any) -> bool:
    """An rdflib or Oxigraph literal of a numeric datatype that is no usable number."""
    if isinstance(o, ox.Literal):
        lexical, datatype = o.value, o.datatype.value
    elif isinstance(o, Literal) and o.datatype is not None:
        lexical, datatype = str(o), str(o.datatype)
    else:
        return False
    return datatype in NUMERIC_DATATYPES and not usable_number(lexical, datatype)


@functools.lru_cache(maxsize=1)
def _ox_numeric_properties() -> tuple[ox.NamedNode, ...]:
    """The numeric properties as Oxigraph terms (made once)."""
    return tuple(ox.NamedNode(p) for p in sorted(numeric_properties()))


def quarantine_graph(graph: Graph) -> int:
    """Swap each unusable numeric literal of an rdflib graph for a plain string (in place); the count.

    The same judgement as the workspaces make (:func:`reasoner.io.numbers.usable_number`, on the
    properties of :func:`~reasoner.knowledge.loader.numeric_properties`), for a graph that a
    validator reads directly (``trd validate`` checks the graph as it was read).
    """
    bad = [(s, p, o) for prop in numeric_properties() for s, p, o in graph.triples((None, URIRef(prop), None))
           if isinstance(o, Literal) and _unusable(o)]
    for s, p, o in bad:
        graph.remove((s, p, o))
        graph.add((s, p, Literal(str(o))))
    return len(bad)


#: rdflib format name -> pyoxigraph format, for bytes handed to ``add_asserted``/``add_graph``.
_OX_FORMAT = {"nt": ox.RdfFormat.N_TRIPLES, "turtle": ox.RdfFormat.TURTLE, "nquads": ox.RdfFormat.N_QUADS}


class Workspace:
    """The named graphs of one assessment on one backend (see module docstring)."""

    #: The backend's name ("oxigraph", "rdflib").
    backend: ClassVar[str]
    #: Whether the rule engine's fast path (``derive``, ``has``) runs on this backend.
    in_store_derivation: ClassVar[bool] = False

    # --- loading -------------------------------------------------------------------------
    def add_graph(self, name: URIRef, data: Graph | bytes | str, format: str = "nt") -> None:
        """Add triples to one named graph: an rdflib Graph, or serialised bytes in ``format``."""
        raise NotImplementedError

    def add_asserted(self, data: Graph | bytes | str, format: str = "nt") -> None:
        """Add patient data (never derived facts) to the asserted graph.

        A numeric literal that is not a usable number (``"NaN"^^xsd:decimal``, ``"INF"^^xsd:double``,
        an ill-typed or 400-digit value: :mod:`reasoner.io.numbers`) is kept as a plain string of
        the same lexical form, so no rule on either backend takes it for a number and the
        datatype shapes report it.
        """
        self.add_graph(GRAPH_ASSERTED, data, format)
        self.quarantine_numbers()

    def quarantine_numbers(self) -> int:
        """Swap each unusable numeric literal of the asserted graph for a plain string; the count."""
        raise NotImplementedError

    def load_ontology(self) -> None:
        """Load the project's ontology (:mod:`reasoner.knowledge.loader`) into the ontology graph."""
        self.add_graph(GRAPH_ONTOLOGY, ontology_ntriples(), "nt")

    def load_policy(self, policy_graph: Graph) -> None:
        """Load the effective policy + evaluation context (reasoner.knowledge.policy) into the policy graph."""
        self.clear(GRAPH_POLICY)
        self.add_graph(GRAPH_POLICY, policy_graph)

    def clear(self, name: URIRef) -> None:
        """Empty one named graph, so a warm workspace can assess the next patient."""
        raise NotImplementedError

    # --- querying ------------------------------------------------------------------------
    def select(self, query: str) -> list[dict[str, Node]]:
        """Run a SELECT over the union of all graphs; rows map variable name -> rdflib term."""
        raise NotImplementedError

    def select_values(self, query: str) -> list[dict[str, Any]]:
        """Run a SELECT over the union; rows map variable name -> plain value (see ``value_of``)."""
        return [{n: value_of(v) for n, v in row.items()} for row in self.select(query)]

    def ask(self, query: str) -> bool:
        """Run an ASK over the union of all graphs."""
        raise NotImplementedError

    def construct(self, query: str) -> list[tuple[Any, Any, Any]]:
        """Run a CONSTRUCT over the union; triples use the backend's own term types."""
        raise NotImplementedError

    def add_derived(self, triples: Iterable[tuple[Any, Any, Any]], graph: URIRef = GRAPH_DERIVED) -> int:
        """Add triples (backend terms) to the derived graph; returns how many were new."""
        raise NotImplementedError

    def term(self, node: Node) -> Any:
        """An rdflib term in this backend's own term type (for ``add_derived``)."""
        return node

    # --- the rule engine's fast path (backends with in_store_derivation) ----------------------
    def derive(self, construct: str) -> None:
        """Run a CONSTRUCT and load its triples into the derived graph inside the store."""
        raise InputError(f"in-store derivation does not run on the {self.backend} backend")

    def has(self, key: Any, graph: URIRef | None = None) -> bool:
        """Whether the store holds a match for a requirement key (see ``rules.Rule.requires``)."""
        raise InputError(f"input lookups do not run on the {self.backend} backend")

    def subclass_closure_is_static(self) -> bool:
        """True when no graph but the ontology says rdfs:subClassOf."""
        raise InputError(f"hierarchy checks do not run on the {self.backend} backend")

    # --- export --------------------------------------------------------------------------
    def graph(self, name: URIRef) -> Graph:
        """A copy of one named graph as an rdflib Graph."""
        raise NotImplementedError

    def derived_graph(self) -> Graph:
        """The derived facts as an rdflib Graph."""
        return self.graph(GRAPH_DERIVED)

    def derived_nquads(self) -> bytes:
        """The derived facts as N-Quads in the derived named graph."""
        raise NotImplementedError

    def is_empty(self, name: URIRef) -> bool:
        """Whether one named graph holds no triple (without counting them)."""
        raise NotImplementedError

    @property
    def store(self) -> Any:
        """The backend object (``pyoxigraph.Store`` or ``rdflib.Dataset``) for fast consumers."""
        raise NotImplementedError


class OxigraphWorkspace(Workspace):
    """A workspace in a ``pyoxigraph.Store`` held in memory: the fast backend."""

    backend = "oxigraph"
    in_store_derivation = True

    def __init__(self) -> None:
        self._store = ox.Store()

    def add_graph(self, name: URIRef, data: Graph | bytes | str, format: str = "nt") -> None:
        if isinstance(data, str):
            data = data.encode()
        if isinstance(data, Graph):
            data, format = data.serialize(format="nt", encoding="utf-8"), "nt"
        # Store.load, not bulk_load: into an in-memory store it is as fast or faster at every
        # size, and it is transactional (a parse error leaves the graph as it was)
        try:
            self._store.load(data, format=_OX_FORMAT[format], to_graph=ox.NamedNode(str(name)))
        except (SyntaxError, ValueError) as exc:
            raise InputError(f"not valid {format} RDF ({str(exc).splitlines()[0]})") from exc
        except MemoryError as exc:  # pyoxigraph's parser buffer: one token (a literal) over 16 MiB
            raise InputError(f"RDF term too large for the oxigraph backend ({str(exc).splitlines()[0]}); "
                             "a literal must be under 16 MiB") from exc

    def clear(self, name: URIRef) -> None:
        self._store.clear_graph(ox.NamedNode(str(name)))

    def quarantine_numbers(self) -> int:
        # The values of the numeric properties, found through the store's predicate index (a
        # filter over every quad costs several times more); Python judges each one with the same
        # function as on the rdflib backend.
        graph = ox.NamedNode(str(GRAPH_ASSERTED))
        literal = ox.Literal
        bad = [quad for prop in _ox_numeric_properties()
               for quad in self._store.quads_for_pattern(None, prop, None, graph)
               if type(quad.object) is literal and _unusable(quad.object)]
        for quad in bad:
            self._store.remove(quad)
            self._store.add(ox.Quad(quad.subject, quad.predicate, ox.Literal(quad.object.value), graph))
        return len(bad)

    def select(self, query: str) -> list[dict[str, Node]]:
        solutions = self._store.query(query, use_default_graph_as_union=True)
        names = [v.value for v in solutions.variables]
        # Findings, rules and sources repeat across rows: convert each distinct term once.
        # (A solution unpacks as a tuple: cheaper than a lookup by variable name.)
        converted: dict[Any, Node] = {}
        rows = []
        for sol in solutions:
            row = {}
            for n, value in zip(names, sol):
                if value is not None:
                    term = converted.get(value)
                    if term is None:
                        term = converted[value] = to_rdflib(value)
                    row[n] = term
            rows.append(row)
        return rows

    def select_values(self, query: str) -> list[dict[str, Any]]:
        """Plain values straight from Oxigraph's terms: building rdflib terms for every row would
        cost more than the query (the JSON output needs only strings, numbers and booleans)."""
        solutions = self._store.query(query, use_default_graph_as_union=True)
        names = [v.value for v in solutions.variables]
        named = ox.NamedNode
        # A solution unpacks as a tuple (a lookup by name costs more); IRIs are most values.
        return [{n: term.value if type(term) is named else value_of(term)
                 for n, term in zip(names, sol) if term is not None} for sol in solutions]

    def ask(self, query: str) -> bool:
        return bool(self._store.query(query, use_default_graph_as_union=True))

    def construct(self, query: str) -> list[tuple[Any, Any, Any]]:
        return [(t.subject, t.predicate, t.object) for t in self._store.query(query, use_default_graph_as_union=True)]

    def add_derived(self, triples: Iterable[tuple[Any, Any, Any]], graph: URIRef = GRAPH_DERIVED) -> int:
        g = ox.NamedNode(str(graph))
        new = 0
        for s, p, o in triples:
            quad = ox.Quad(s, p, o, g)
            if quad not in self._store:
                self._store.add(quad)
                new += 1
        return new

    def term(self, node: Node) -> Any:
        return to_oxigraph(node)

    def derive(self, construct: str) -> None:
        """Run a CONSTRUCT over the union and load its triples into the derived graph, all inside
        Oxigraph.

        Why not ``INSERT … USING``: over a ``USING`` dataset of the workspace's graphs the WHERE
        clause evaluated markedly slower than over the union default graph, and serialising the
        result as N-Triples and loading it back keeps every triple out of Python
        (benchmarks/results/cohort-analysis.md).
        """
        data = self._store.query(construct, use_default_graph_as_union=True).serialize(format=ox.RdfFormat.N_TRIPLES)
        if data:
            self._store.load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(str(GRAPH_DERIVED)))

    def has(self, key: Any, graph: URIRef | None = None) -> bool:
        """Whether any graph (or the named ``graph``) holds a triple with this predicate, of class
        C (``("type", C)``), or with this predicate and object (``("po", p, o)``)."""
        g = None if graph is None else ox.NamedNode(str(graph))
        if isinstance(key, tuple):
            kind, *terms = key
            if kind == "type":
                return has_quad(self._store, None, OX_RDF_TYPE, to_oxigraph(terms[0]), g)
            return has_quad(self._store, None, to_oxigraph(terms[0]), to_oxigraph(terms[1]), g)
        return has_quad(self._store, None, to_oxigraph(key), graph=g)

    def subclass_closure_is_static(self) -> bool:
        """True when no graph but the ontology says rdfs:subClassOf, so a class hierarchy
        computed from the ontology alone still holds for this data."""
        return subclass_closure_is_static(self._store)

    def graph(self, name: URIRef) -> Graph:
        out = Graph()
        data = self._store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(str(name)))
        if data:
            out.parse(data=data, format="nt")
        return out

    def derived_nquads(self) -> bytes:
        quads = self._store.quads_for_pattern(None, None, None, ox.NamedNode(str(GRAPH_DERIVED)))
        return ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""

    def is_empty(self, name: URIRef) -> bool:
        return not has_quad(self._store, None, None, None, ox.NamedNode(str(name)))

    @property
    def store(self) -> ox.Store:
        return self._store


class RdflibWorkspace(Workspace):
    """A workspace in an ``rdflib.Dataset``: the pure-Python reference backend."""

    backend = "rdflib"

    def __init__(self) -> None:
        self._ds = Dataset(default_union=True)

    def add_graph(self, name: URIRef, data: Graph | bytes | str, format: str = "nt") -> None:
        if isinstance(data, str):
            data = data.encode()
        g = self._ds.graph(name)
        if isinstance(data, Graph):
            for triple in data:
                g.add(triple)
            return
        try:
            g.parse(data=data, format=format)
        except Exception as exc:  # rdflib raises parser-specific types
            raise InputError(f"not valid {format} RDF ({str(exc).splitlines()[0]})") from exc

    def clear(self, name: URIRef) -> None:
        self._ds.remove_graph(self._ds.graph(name))

    def quarantine_numbers(self) -> int:
        return quarantine_graph(self._ds.graph(GRAPH_ASSERTED))


    def select(self, query: str) -> list[dict[str, Node]]:
        result = self._ds.query(query)
        names = [str(v) for v in result.vars]
        return [{n: r[n] for n in names if r[n] is not None} for r in result]

    def ask(self, query: str) -> bool:
        return bool(self._ds.query(query).askAnswer)

    def construct(self, query: str) -> list[tuple[Any, Any, Any]]:
        return list(self._ds.query(query).graph)

    def add_derived(self, triples: Iterable[tuple[Any, Any, Any]], graph: URIRef = GRAPH_DERIVED) -> int:
        target = self._ds.graph(graph)
        before = len(target)
        for triple in triples:
            target.add(triple)
        return len(target) - before

    def graph(self, name: URIRef) -> Graph:
        out = Graph()
        for triple in self._ds.graph(name):
            out.add(triple)
        return out

    def derived_nquads(self) -> bytes:
        ds = Dataset()
        g = ds.graph(GRAPH_DERIVED)
        for triple in self._ds.graph(GRAPH_DERIVED):
            g.add(triple)
        return ds.serialize(format="nquads", encoding="utf-8")

    def is_empty(self, name: URIRef) -> bool:
        return len(self._ds.graph(name)) == 0

    @property
    def store(self) -> Dataset:
        return self._ds


#: Backend name -> workspace class. A new SPARQL backend is one subclass and one line here.
BACKENDS: dict[str, type[Workspace]] = {"oxigraph": OxigraphWorkspace, "rdflib": RdflibWorkspace}


def new_workspace(backend: str = "oxigraph") -> Workspace:
    """An empty workspace on the named backend; InputError listing the backends otherwise."""
    cls = BACKENDS.get(backend)
    if cls is None:
        raise InputError(f"unknown SPARQL backend {backend!r} (expected one of {', '.join(BACKENDS)})")
    return cls()


__all__ = ["Workspace", "OxigraphWorkspace", "RdflibWorkspace", "BACKENDS", "new_workspace", "quarantine_graph"]
