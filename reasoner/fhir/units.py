"""Unit conversion read from the ontology's unit data (``trd:UnitOfMeasure``, ``trd:convertsTo``).

Why: CRP in mg/dL, cortisol in nmol/L, a dose in µg are the same facts in other units; the factors
are data (data-model §4), so a site with another unit adds a triple, not code. Dose and adherence
units (mg, g, µg, tablets/capsules, 1, %) are ontology data too (trd:unit-mg, trd:unit-dose-form, …).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef

from reasoner.knowledge.namespaces import TRD

_QUERY = """
PREFIX trd: <https://w3id.org/trd-reasoner/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?unit ?code ?alt ?target ?factor ?analyte ?doseForm WHERE {
  ?unit a trd:UnitOfMeasure .
  OPTIONAL { ?unit trd:ucumCode ?code }
  OPTIONAL { { ?unit skos:altLabel ?alt } UNION { ?unit rdfs:label ?alt } }
  OPTIONAL { ?unit trd:convertsTo ?c . ?c trd:targetUnit ?target ; trd:factor ?factor .
             OPTIONAL { ?c trd:forAnalyte ?analyte } }
  OPTIONAL { ?unit trd:doseFormUnit ?doseForm }
}
"""


@dataclass
class UnitTable:
    """UCUM code or common spelling -> unit; unit -> {target unit: factor}; analyte -> canonical unit."""

    by_code: dict[str, URIRef] = field(default_factory=dict)
    by_alt: dict[str, URIRef] = field(default_factory=dict)
    # unit -> {target unit: (factor, analyte the conversion is restricted to, or None)}
    factors: dict[URIRef, dict[URIRef, tuple[float, URIRef | None]]] = field(default_factory=dict)
    dose_form: frozenset[URIRef] = frozenset()
    canonical: dict[URIRef, URIRef] = field(default_factory=dict)

    @classmethod
    def from_graph(cls, graph: Graph) -> "UnitTable":
        by_code: dict[str, URIRef] = {}
        by_alt: dict[str, URIRef] = {}
        factors: dict[URIRef, dict[URIRef, tuple[float, URIRef | None]]] = defaultdict(dict)
        dose_form: set[URIRef] = set()
        for unit, code, alt, target, factor, analyte, df in graph.query(_QUERY):
            if code is not None:
                by_code.setdefault(str(code), unit)
            if alt is not None:
                by_alt.setdefault(str(alt).lower(), unit)
            if target is not None and factor is not None:
                factors[unit][target] = (float(factor), analyte)
            if isinstance(df, Literal) and df.toPython() is True:
                dose_form.add(unit)
        canonical = {a: u for a, u in graph.subject_objects(TRD.canonicalUnit) if isinstance(u, URIRef)}
        return cls(by_code, by_alt, dict(factors), frozenset(dose_form), canonical)

    def unit_of(self, quantity: dict) -> URIRef | None:
        """The unit of a FHIR Quantity: its UCUM ``code`` first, then its ``unit`` text."""
        for key in ("code", "unit"):
            text = quantity.get(key)
            if isinstance(text, str) and text.strip():
                found = self.by_code.get(text.strip()) or self.by_alt.get(text.strip().lower())
                if found is not None:
                    return found
        return None

    def factor(self, unit: URIRef, target: URIRef, analyte: URIRef | None = None) -> float | None:
        """Multiplier from ``unit`` to ``target`` (1 for the same unit), None when not convertible.

        A conversion restricted to one analyte (``trd:forAnalyte``: nmol/L -> µg/dL holds for
        cortisol only) is used only for that analyte. The inverse of a conversion is allowed.
        """
        if unit == target:
            return 1.0
        for a, b, invert in ((unit, target, False), (target, unit, True)):
            found = self.factors.get(a, {}).get(b)
            if found is not None and (found[1] is None or found[1] == analyte) and found[0]:
                return 1.0 / found[0] if invert else found[0]
        return None

    def is_dose_form(self, unit: URIRef) -> bool:
        return unit in self.dose_form
