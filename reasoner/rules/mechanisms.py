"""The mechanism graph of the ontology as a networkx DiGraph, for explanations.

Why: clinical-reference §6 explains *why* a biomarker matters through chains of biological
processes (CRP → IDO activation → tryptophan steal → serotonin depletion …) and *why* an option
fits through the process it acts on (esketamine → NMDA block → … → synaptogenesis). The chains are
ontology data (``trd:leadsTo``, ``trd:targetsMechanism``, ``trd:actsThrough``); the rules use them
through SPARQL property paths, and this module loads the same triples into networkx so that an
explanation can print the path from a flagged mechanism (or a lab that flagged it) to a matched
option without re-encoding a single edge in Python.

Edges (direction = the order in which an explanation reads them):

* ``A trd:leadsTo B``            → ``A → B``  (relation ``leadsTo``)
* ``O trd:targetsMechanism M``   → ``M → O``  (relation ``matchedBy``: the mechanism is answered by O)
* ``O trd:actsThrough P``        → ``O → P``  (relation ``actsThrough``: how the option works)

Extra evidence edges (``lab → mechanism``, relation ``flags``) can be added from derived
``trd:MechanismFinding`` nodes with :meth:`MechanismGraph.add_findings`.
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx
from rdflib import Graph, URIRef
from rdflib.namespace import RDFS, SKOS

from reasoner.errors import TrdError
from reasoner.knowledge.namespaces import TRD
from reasoner.knowledge.loader import ontology_graph, read_ontology

#: ontology predicate -> (relation name, True when the edge is reversed).
EDGE_PREDICATES: dict[URIRef, tuple[str, bool]] = {
    TRD.leadsTo: ("leadsTo", False),
    TRD.targetsMechanism: ("matchedBy", True),
    TRD.actsThrough: ("actsThrough", False),
}


class NoPathError(TrdError):
    """No chain links the two nodes (or one of them is not in the mechanism graph)."""


class MechanismGraph:
    """The mechanism/process/option graph with labels; see the module docstring for edges."""

    def __init__(self, graph: Graph) -> None:
        self.digraph: nx.DiGraph = nx.DiGraph()
        self._labels: dict[URIRef, str] = {}
        for predicate, (relation, reverse) in EDGE_PREDICATES.items():
            for s, o in graph.subject_objects(predicate):
                if not (isinstance(s, URIRef) and isinstance(o, URIRef)):
                    continue  # the contract has no blank nodes in the mechanism graph
                a, b = (o, s) if reverse else (s, o)
                self.digraph.add_edge(a, b, relation=relation)
        for node in self.digraph.nodes:
            label = graph.value(node, SKOS.prefLabel) or graph.value(node, RDFS.label) \
                or graph.value(node, SKOS.notation)
            self._labels[node] = str(label) if label is not None else _local_name(node)

    # --- construction -----------------------------------------------------------------------
    @classmethod
    def from_ontology(cls, path: Path | str | None = None) -> "MechanismGraph":
        """The mechanism graph of the project ontology (or of another ontology file)."""
        return cls(ontology_graph() if path is None else read_ontology(path))

    def add_findings(self, derived: Graph) -> int:
        """Add ``flaggedBy node → mechanism`` edges from derived MechanismFindings; returns how many.

        Only direct flags become edges (a lab or finding that flagged the mechanism itself); an
        implied mechanism is reached through the ``leadsTo`` chain, which already is in the graph.
        """
        added = 0
        for finding in derived.subjects(TRD.mechanism, None):
            mechanism = derived.value(finding, TRD.mechanism)
            if list(derived.objects(finding, TRD.via)):
                continue  # implied along a chain: the chain edges explain it
            for flag in derived.objects(finding, TRD.flaggedBy):
                if isinstance(flag, URIRef) and isinstance(mechanism, URIRef):
                    if not self.digraph.has_edge(flag, mechanism):
                        self.digraph.add_edge(flag, mechanism, relation="flags")
                        self._labels.setdefault(flag, _local_name(flag))
                        added += 1
        return added

    # --- queries --------------------------------------------------------------------------
    def label(self, node: URIRef) -> str:
        """A human label (skos:prefLabel, rdfs:label, notation, else the IRI's local name)."""
        return self._labels.get(node, _local_name(node))

    def path(self, from_node: URIRef, to_node: URIRef) -> list[URIRef]:
        """The shortest chain of nodes from ``from_node`` to ``to_node`` (both included)."""
        for node in (from_node, to_node):
            if node not in self.digraph:
                raise NoPathError(f"{_local_name(node)} is not in the mechanism graph")
        try:
            return list(nx.shortest_path(self.digraph, from_node, to_node))
        except nx.NetworkXNoPath as exc:
            raise NoPathError(f"no chain from {self.label(from_node)} to {self.label(to_node)}") from exc

    def reachable(self, from_node: URIRef) -> set[URIRef]:
        """Every node reachable from ``from_node`` (what a flagged mechanism implies or matches)."""
        if from_node not in self.digraph:
            return set()
        return set(nx.descendants(self.digraph, from_node))

    def describe(self, nodes: list[URIRef]) -> str:
        """A one-line explanation: ``CRP lab —flags→ inflammation —leadsTo→ IDO activation …``."""
        if not nodes:
            return ""
        parts = [self.label(nodes[0])]
        for a, b in zip(nodes, nodes[1:]):
            relation = self.digraph.edges[a, b]["relation"]
            parts.append(f"—{relation}→ {self.label(b)}")
        return " ".join(parts)


_DEFAULT: MechanismGraph | None = None


def default_graph() -> MechanismGraph:
    """The mechanism graph of the installed ontology, loaded once per process."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = MechanismGraph.from_ontology()
    return _DEFAULT


def path(from_node: URIRef, to_node: URIRef) -> list[URIRef]:
    """Shortest chain between two nodes of the installed ontology's mechanism graph."""
    return default_graph().path(from_node, to_node)


def _local_name(node: URIRef) -> str:
    text = str(node)
    for sep in ("#", "/"):
        if sep in text:
            text = text.rsplit(sep, 1)[-1] or text
    return text


__all__ = ["MechanismGraph", "NoPathError", "EDGE_PREDICATES", "default_graph", "path"]
