"""The one loader of the project's knowledge: ontology, shapes and (through policy.py) policies.

Why one module: rules, shapes, the FHIR importer, the results store and the explanations must all
see the same class tree, drugs and codes. Before this module there were eight ways to read the
ontology; now every consumer asks here. The project files are trusted but are still read through
the safe reader (:mod:`reasoner.io.rdf`), so a copy of the ontology a user points at gets the
same no-network, no-DTD guarantees as patient data.

The cached graphs (:func:`ontology_graph`, :func:`shapes_graph`) are shared by everything in the
process: treat them as read-only (copy with ``Graph() + g`` before adding triples).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from pathlib import Path

from rdflib import Graph

from reasoner.errors import TrdError
from reasoner.io.rdf import read_graph
from reasoner.knowledge import paths
from reasoner.knowledge.namespaces import PREFIXES


def read_ontology(path: Path | str | None = None) -> Graph:
    """A fresh graph of an ontology file (default: every file of ``paths.ONTOLOGY_FILES``)."""
    graph = Graph()
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri)
    files = [Path(path)] if path is not None else list(paths.ONTOLOGY_FILES)
    for file in files:
        if not file.exists():
            raise TrdError(f"ontology not found at {file}")
        read_graph(file, graph)
    return graph


@functools.lru_cache(maxsize=1)
def ontology_graph() -> Graph:
    """The project ontology, parsed once per process (read-only, see module docstring)."""
    return read_ontology()


@functools.lru_cache(maxsize=1)
def ontology_ntriples() -> bytes:
    """The project ontology as N-Triples bytes: what a fresh Oxigraph store loads fastest."""
    return ontology_graph().serialize(format="nt", encoding="utf-8")


def read_shapes(files: Iterable[Path | str] | None = None) -> Graph:
    """A fresh graph of the given shape files (default: every ``shapes/*.ttl``)."""
    chosen = sorted(paths.SHAPES_DIR.glob("*.ttl")) if files is None else [Path(p) for p in files]
    if not chosen:
        raise TrdError(f"no shapes found in {paths.SHAPES_DIR}")
    graph = Graph()
    for file in chosen:
        read_graph(file, graph)
    return graph


@functools.lru_cache(maxsize=1)
def shapes_graph() -> Graph:
    """The project's shapes, parsed once per process (read-only)."""
    return read_shapes()

@functools.lru_cache(maxsize=1)
def numeric_properties() -> frozenset[str]:
    """Every property whose values are numbers: an ``rdfs:range`` of a numeric XSD datatype in the
    ontology, or a numeric ``sh:datatype`` on the property's shape (``trd:value`` has only the
    latter). These are the values rules compare and shapes check (reasoner/io/numbers.py)."""
    from rdflib import RDFS
    from rdflib.namespace import SH

    from reasoner.io.numbers import NUMERIC_DATATYPES

    ranged = {str(p) for p, o in ontology_graph().subject_objects(RDFS.range) if str(o) in NUMERIC_DATATYPES}
    shapes = shapes_graph()
    shaped = {str(shapes.value(shape, SH.path)) for shape, o in shapes.subject_objects(SH.datatype)
              if str(o) in NUMERIC_DATATYPES and shapes.value(shape, SH.path) is not None}
    return frozenset(ranged | shaped)


__all__ = ["read_ontology", "ontology_graph", "ontology_ntriples", "read_shapes", "shapes_graph", "numeric_properties"]
