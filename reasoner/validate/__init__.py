"""Validation: the project's SHACL shapes checked by one of two validators behind one interface.

A validator is made once per pipeline from the shapes, the ontology and the effective policy,
and then checks many workspaces::

    validator = make_validator("fast" | "reference", ontology, policy_graph)
    validation = validator.check(workspace, report=False)   # Validation(conforms, records, report)
    validation = validator.check(workspace, report=True, source=graph_read)  # literals as written

``fast`` compiles the shapes to SPARQL run in Oxigraph (:mod:`reasoner.validate.fast`);
``reference`` is pySHACL (:mod:`reasoner.validate.reference`). Differential tests prove they
give the same records. A new validator is one class with ``name`` and ``check`` and one line in
:data:`VALIDATORS`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from rdflib import Graph

from reasoner.errors import InputError
from reasoner.knowledge.loader import shapes_graph
from reasoner.validate.report import ResultRecord, Validation


class Validator(Protocol):
    """What the pipeline asks of a validator."""

    name: str

    def check(self, workspace: Any, report: bool = False, source: Graph | None = None) -> Validation:
        """Validate the asserted + derived data of a workspace; the report graph when asked.
        ``source``: the graph the asserted data was read from, for literals as written."""
        ...


def _fast(shapes: Graph, ontology: Graph, policy: Graph) -> Validator:
    from reasoner.validate.fast import FastValidator

    return FastValidator(shapes, ontology, policy)


def _reference(shapes: Graph, ontology: Graph, policy: Graph) -> Validator:
    from reasoner.validate.reference import ReferenceValidator

    return ReferenceValidator(shapes, ontology, policy)


#: Validator name -> factory (shapes, ontology, policy graph) -> validator.
VALIDATORS: dict[str, Callable[[Graph, Graph, Graph], Validator]] = {"fast": _fast, "reference": _reference}


def make_validator(name: str, ontology: Graph, policy: Graph, shapes: Graph | None = None) -> Validator:
    """A validator by name, compiled for the project's shapes (or the given ones)."""
    factory = VALIDATORS.get(name)
    if factory is None:
        raise InputError(f"unknown validator {name!r} (expected one of {', '.join(VALIDATORS)})")
    return factory(shapes if shapes is not None else shapes_graph(), ontology, policy)


__all__ = ["Validator", "VALIDATORS", "make_validator", "Validation", "ResultRecord"]
