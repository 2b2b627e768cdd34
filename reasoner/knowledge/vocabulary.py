"""Names the code needs to know about, read from the ontology instead of written in Python lists.

Why: which TRD and option statuses exist (and in what order outputs list them), and which derived facts
are the rules' working facts (kept out of outputs and the results store), are statements about
the domain model. They live in the ontology (``trd:TRDStatus`` as an ``owl:oneOf`` enumeration,
``trd:workingFact true``) and are read here through ``queries/knowledge/*.rq``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from rdflib import URIRef

from reasoner.knowledge.loader import ontology_graph
from reasoner.knowledge.queries import query_text


@dataclass(frozen=True)
class Vocabulary:
    """The domain names read from the ontology once per process."""

    trd_statuses: tuple[str, ...]             # "confirmed", "possible", "not-met", "excluded"
    option_statuses: tuple[str, ...]          # "recommended", "consider", … in the order outputs list them
    working_classes: tuple[URIRef, ...]       # classes whose instances only rules read
    working_predicates: tuple[URIRef, ...]    # properties only rules read


@functools.lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    """The project ontology's :class:`Vocabulary`."""
    g = ontology_graph()
    statuses = tuple(str(row[0]) for row in g.query(query_text("knowledge/trd-statuses")))
    option_statuses = tuple(str(row[0]) for row in g.query(query_text("knowledge/option-statuses")))
    classes: list[URIRef] = []
    predicates: list[URIRef] = []
    for term, is_class in g.query(query_text("knowledge/working-facts")):
        (classes if is_class.toPython() else predicates).append(URIRef(term))
    return Vocabulary(statuses, option_statuses, tuple(classes), tuple(predicates))


__all__ = ["Vocabulary", "vocabulary"]
