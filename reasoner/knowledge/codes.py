"""Code -> ontology term lookup, built from the ontology's ``oboInOwl:hasDbXref`` strings only.

Why: a new code (a local SNOMED code, another ATC level) must be a data change in the ontology,
never an edit here (data-model §3). The query ``queries/knowledge/coded-terms.rq`` reads every
xref together with the term's *category* (which of a few structural ontology classes it is a
subclass or an instance of): a Condition code must land on a diagnosis class, a
``statusReason`` on a stop reason, and the same SNOMED code 129834002 is both a noncompliance
finding and a stop reason, so lookups always name the category they want. Which FHIR system URI
is which xref prefix is ontology data too (``trd:CodeSystem``, ``queries/knowledge/code-systems.rq``).

Matching (data-model §3): exact ``SYSTEM:code`` first; for ICD-10-CM, then the longest prefix that
has an xref (``F33.1`` -> ``F33`` when only the category is listed).
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass, field

from rdflib import Graph, URIRef

from reasoner.knowledge.loader import ontology_graph
from reasoner.knowledge.queries import query_text


def code_systems(graph: Graph | None = None) -> dict[str, str]:
    """FHIR code system URI -> xref prefix (``http://loinc.org`` -> ``LOINC``)."""
    g = ontology_graph() if graph is None else graph
    return {str(system).rstrip("/"): str(prefix) for system, prefix in g.query(query_text("knowledge/code-systems"))}


@functools.lru_cache(maxsize=1)
def system_prefixes() -> dict[str, str]:
    """:func:`code_systems` of the project ontology, read once per process."""
    return code_systems()


@functools.lru_cache(maxsize=1)
def prefix_systems() -> dict[str, str]:
    """xref prefix -> the FHIR system URI (the inverse of :func:`system_prefixes`)."""
    return {prefix: system for system, prefix in sorted(system_prefixes().items())}


@dataclass
class CodeIndex:
    """Lookup tables built once from the ontology graph."""

    by_code: dict[tuple[str, str], tuple[URIRef, ...]] = field(default_factory=dict)
    categories: dict[URIRef, frozenset[URIRef]] = field(default_factory=dict)
    labels: dict[URIRef, tuple[str, ...]] = field(default_factory=dict)
    individuals: frozenset[URIRef] = frozenset()

    @classmethod
    def from_graph(cls, graph: Graph) -> "CodeIndex":
        """Run the coded-terms query and index its rows."""
        by_code: dict[tuple[str, str], set[URIRef]] = defaultdict(set)
        cats: dict[URIRef, set[URIRef]] = defaultdict(set)
        labels: dict[URIRef, set[str]] = defaultdict(set)
        individuals: set[URIRef] = set()
        for term, cat, individual, xref, label in graph.query(query_text("knowledge/coded-terms")):
            if not isinstance(term, URIRef):
                continue
            if cat is not None:
                cats[term].add(cat)
                if individual is not None and individual.toPython() is True:
                    individuals.add(term)
            else:
                cats.setdefault(term, set())
            if xref is not None and ":" in str(xref):
                prefix, code = str(xref).split(":", 1)
                by_code[(prefix.strip().upper(), code.strip())].add(term)
            if label is not None:
                labels[term].add(str(label))
        return cls(
            by_code={k: tuple(sorted(v)) for k, v in by_code.items()},
            categories={t: frozenset(c) for t, c in cats.items()},
            labels={t: tuple(sorted(v)) for t, v in labels.items()},
            individuals=frozenset(individuals),
        )

    def is_a(self, term: URIRef, category: URIRef) -> bool:
        return category in self.categories.get(term, ())

    def terms(self, prefix: str, code: str, category: URIRef | None = None) -> tuple[URIRef, ...]:
        """Terms for one code: exact match, then (ICD-10-CM) the longest prefix with an xref."""
        candidates = [code]
        if prefix == "ICD10CM":
            stem = code.replace(".", "")
            # F33.12 -> F33.1 -> F33 -> F3 -> F: the ICD-10-CM category keeps its dot after 3 chars.
            candidates += [s if len(s) <= 3 else s[:3] + "." + s[3:] for s in (stem[:n] for n in range(len(stem) - 1, 0, -1))]
        for candidate in candidates:
            found = self.by_code.get((prefix, candidate))
            if found:
                if category is not None:
                    found = tuple(t for t in found if self.is_a(t, category))
                if found:
                    return found
        return ()

    def with_label(self, category: URIRef) -> dict[str, URIRef]:
        """Lower-case label -> individual, for the individuals of one category (drug names,
        genes, variants); class labels ("antidepressant") are never matched as names."""
        out: dict[str, URIRef] = {}
        for term, cats in sorted(self.categories.items()):
            if category in cats and term in self.individuals:
                for label in self.labels.get(term, ()):
                    out.setdefault(label.lower(), term)
        return out


__all__ = ["CodeIndex", "code_systems", "system_prefixes", "prefix_systems"]
