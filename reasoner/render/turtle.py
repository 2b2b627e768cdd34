"""``--format turtle``: the derived facts (findings with their PROV-O links) as Turtle."""

from __future__ import annotations

from typing import Any, TextIO

from rdflib import Graph

from reasoner.knowledge.namespaces import PROV, RULE, TRD


def render(result: Any, out: TextIO) -> None:
    """Write the derived graph of an assessment (the pipeline must have kept it as a graph)."""
    graph = result.derived if isinstance(result.derived, Graph) else Graph()
    graph.bind("trd", str(TRD))
    graph.bind("prov", str(PROV))
    graph.bind("rule", str(RULE))
    out.write(graph.serialize(format="turtle"))
    out.write("\n")


__all__ = ["render"]
