"""Code -> ontology term lookup, built from the ontology's ``oboInOwl:hasDbXref`` strings only.

Why: a new code (a local SNOMED code, another ATC level) must be a data change in the ontology,
never an edit here (data-model §3). One SPARQL query reads every xref together with the term's
*category*, i.e. which of a few structural ontology classes it is (a subclass or an instance of):
a Condition code must land on a diagnosis class, a ``statusReason`` on a stop reason, and the same
SNOMED code 129834002 is both a noncompliance finding and a stop reason, so lookups always name the
category they want.

Matching (data-model §3): exact ``SYSTEM:code`` first; for ICD-10-CM, then the longest prefix that
has an xref (``F33.1`` -> ``F33`` when only the category is listed).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import Graph, URIRef

from reasoner.knowledge.namespaces import FHIR_TRD_CODESYSTEM, TRD

#: FHIR code system URI -> the xref prefix of data-model §3 (structure of FHIR, not a code table).
SYSTEM_PREFIX: dict[str, str] = {
    "http://www.nlm.nih.gov/research/umls/rxnorm": "RXNORM",
    "http://www.whocc.no/atc": "ATC",
    "http://loinc.org": "LOINC",
    "http://snomed.info/sct": "SNOMEDCT",
    "http://hl7.org/fhir/sid/icd-10-cm": "ICD10CM",
    FHIR_TRD_CODESYSTEM: "TRD",
    "http://unitsofmeasure.org": "UCUM",
}

#: The structural classes a coded term can belong to (data-model §4). A term's category is every
#: one of these it is a subclass of (classes) or an instance of (individuals).
CATEGORIES: tuple[URIRef, ...] = (
    TRD.Diagnosis, TRD.NoncomplianceFinding, TRD.ECTCourse, TRD.Drug, TRD.Antidepressant,
    TRD.AugmentingAgent, TRD.StopReason, TRD.RatingInstrument, TRD.Analyte, TRD.Gene,
    TRD.GeneticVariant, TRD.MetabolizerPhenotype, TRD.GenotypeResult, TRD.PhenotypeResult,
)

_QUERY = """
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX oboInOwl: <http://www.geneontology.org/formats/oboInOwl#>
SELECT DISTINCT ?term ?cat ?individual ?xref ?label WHERE {
  { VALUES ?cat { %s }
    { ?term rdfs:subClassOf* ?cat BIND(false AS ?individual) }
    UNION { ?term rdf:type/rdfs:subClassOf* ?cat BIND(true AS ?individual) } }
  UNION { ?term oboInOwl:hasDbXref ?anyXref }
  OPTIONAL { ?term oboInOwl:hasDbXref ?xref }
  OPTIONAL { ?term rdfs:label ?label }
}
"""


def coding_key(coding: dict) -> tuple[str, str] | None:
    """(xref prefix, code) of a FHIR Coding, or None when its system is not one we map."""
    system, code = coding.get("system"), coding.get("code")
    if not isinstance(system, str) or not isinstance(code, str):
        return None
    prefix = SYSTEM_PREFIX.get(system.rstrip("/"))
    return (prefix, code.strip()) if prefix else None


@dataclass
class CodeIndex:
    """Lookup tables built once from the ontology graph."""

    by_code: dict[tuple[str, str], tuple[URIRef, ...]] = field(default_factory=dict)
    categories: dict[URIRef, frozenset[URIRef]] = field(default_factory=dict)
    labels: dict[URIRef, tuple[str, ...]] = field(default_factory=dict)
    individuals: frozenset[URIRef] = frozenset()

    @classmethod
    def from_graph(cls, graph: Graph) -> "CodeIndex":
        """Run the one xref query and index its rows."""
        values = " ".join(f"<{c}>" for c in CATEGORIES)
        by_code: dict[tuple[str, str], set[URIRef]] = defaultdict(set)
        cats: dict[URIRef, set[URIRef]] = defaultdict(set)
        labels: dict[URIRef, set[str]] = defaultdict(set)
        individuals: set[URIRef] = set()
        for term, cat, individual, xref, label in graph.query(_QUERY % values):
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

    def lookup(self, codings: Iterable[dict], category: URIRef) -> tuple[tuple[URIRef, ...], str | None]:
        """The terms of the first coding (in order) that maps into ``category``, and its
        ``SYSTEM:code`` string; ``((), None)`` when none does."""
        for coding in codings:
            if not isinstance(coding, dict):
                continue
            key = coding_key(coding)
            if key is None:
                continue
            found = self.terms(key[0], key[1], category)
            if found:
                return found, f"{key[0]}:{key[1]}"
        return (), None

    def with_label(self, category: URIRef) -> dict[str, URIRef]:
        """Lower-case label -> individual, for the individuals of one category (drug names,
        genes, variants); class labels ("antidepressant") are never matched as names."""
        out: dict[str, URIRef] = {}
        for term, cats in sorted(self.categories.items()):
            if category in cats and term in self.individuals:
                for label in self.labels.get(term, ()):
                    out.setdefault(label.lower(), term)
        return out


def codings_of(concept: object) -> list[dict]:
    """The codings of a CodeableConcept (tolerant of a missing or malformed concept)."""
    if isinstance(concept, dict):
        codings = concept.get("coding")
        if isinstance(codings, list):
            return [c for c in codings if isinstance(c, dict)]
    return []


def first_code_string(concept: object) -> str:
    """A readable ``SYSTEM:code`` (or text) of a concept, for report messages."""
    for coding in codings_of(concept):
        key = coding_key(coding)
        if key:
            return f"{key[0]}:{key[1]}"
        if coding.get("code"):
            return f"{coding.get('system', '?')}|{coding.get('code')}"
    if isinstance(concept, dict) and isinstance(concept.get("text"), str):
        return repr(concept["text"][:80])
    return "no code"
