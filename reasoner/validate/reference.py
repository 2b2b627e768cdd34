"""The reference validator: pySHACL, run exactly as the SHACL specification prescribes.

Why it exists beside the fast validator: users must be able to check a patient graph with a
standard implementation before they trust any inference, and the compiled fast validator
(:mod:`reasoner.validate.fast`) is proved equal to this one by differential tests.

Two pySHACL pitfalls shape it (docs/library-notes: pySHACL):

* ``sh:class`` and ``sh:targetClass`` only see ``rdfs:subClassOf`` and ``rdf:type`` triples that
  are in the *data* graph, and ``ont_graph`` inoculation copies class axioms but not individuals
  (drugs, instruments, units). So the data graph is patient + derived facts + ontology + policy,
  merged (a superset of what inoculation would add, which is therefore skipped).
* The adequacy shapes *report* the adequacy findings that the rules materialise; they never decide
  adequacy themselves. So the pipeline runs the rules first and validates their derived graph
  together with the asserted data.
"""

from __future__ import annotations

from typing import Any

from rdflib import Graph

from reasoner.errors import TrdError
from reasoner.knowledge.namespaces import GRAPH_ASSERTED, GRAPH_DERIVED
from reasoner.validate.report import Validation, results_from_report


def data_graph(patient: Graph, derived: Graph | None, ontology: Graph, policy: Graph) -> Graph:
    """The graph pySHACL validates: patient + derived + ontology + policy (see module docstring)."""
    g = Graph()
    for part in (patient, derived, ontology, policy):
        if part is not None:
            g += part
    return g


def reference_validate(data: Graph, shapes: Graph) -> Validation:
    """Validate with pySHACL; Warnings and Infos are reported but do not break conformance.

    ``data`` must already contain the ontology and policy (see :func:`data_graph`). They are not
    passed again as ``ont_graph``: inoculation would only copy class axioms that are already in
    the data graph, and pySHACL's list cloning makes it slow for this ontology. ``inplace``
    skips a second copy of the graph; nothing is written to it (no inference, no SHACL rules).
    """
    from pyshacl import validate as pyshacl_validate

    conforms, report, _text = pyshacl_validate(
        data, shacl_graph=shapes, inference="none", advanced=True,
        allow_warnings=True, allow_infos=True, inplace=True,
    )
    if not isinstance(report, Graph):  # a spec "Validation Failure" object
        raise TrdError(f"SHACL validation failed: {getattr(report, 'message', report)}")
    return Validation(bool(conforms), results_from_report(report), report)


class ReferenceValidator:
    """pySHACL behind the validator interface of the pipeline (see :mod:`reasoner.validate`)."""

    name = "reference"

    def __init__(self, shapes: Graph, ontology: Graph, policy: Graph) -> None:
        self.shapes = shapes
        self.ontology = ontology
        self.policy = policy

    def validate_graph(self, data: Graph) -> Validation:
        """Validate patient + derived facts given as one graph (ontology and policy are added)."""
        return reference_validate(data_graph(data, None, self.ontology, self.policy), self.shapes)

    def check(self, workspace: Any, report: bool = False, source: Graph | None = None) -> Validation:
        """Validate the asserted and derived graphs of a workspace (pySHACL always makes a report).

        ``source``: the graph the asserted data was read from, when the caller has it: pySHACL then
        reports literals as they were written, not in a store's canonical form.
        """
        data = Graph()
        data += source if source is not None else workspace.graph(GRAPH_ASSERTED)
        data += workspace.graph(GRAPH_DERIVED)
        return self.validate_graph(data)


__all__ = ["ReferenceValidator", "data_graph", "reference_validate"]
