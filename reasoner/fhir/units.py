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
from reasoner.knowledge.queries import query_text


@dataclass
class UnitTable:
    """UCUM code or common spelling -> unit; unit -> {target unit: factor}; analyte -> canonical unit."""

    by_code: dict[str, URIRef] = field(default_factory=dict)
    by_alt: dict[str, URIRef] = field(default_factory=dict)
    # unit -> {target unit: (factor, analyte the conversion is restricted to, or None)}
    factors: dict[URIRef, dict[URIRef, tuple[float, URIRef | None]]] = field(default_factory=dict)
    dose_form: frozenset[URIRef] = frozenset()
    #: units of volume a dose may be given in (mL): × the product's strength per that unit
    volume: frozenset[URIRef] = frozenset()
    canonical: dict[URIRef, URIRef] = field(default_factory=dict)
    # unit of time -> its length in days, or the policy parameter that gives it (a month)
    lengths: dict[URIRef, float | URIRef] = field(default_factory=dict)

    @classmethod
    def from_graph(cls, graph: Graph) -> "UnitTable":
        by_code: dict[str, URIRef] = {}
        by_alt: dict[str, URIRef] = {}
        factors: dict[URIRef, dict[URIRef, tuple[float, URIRef | None]]] = defaultdict(dict)
        dose_form: set[URIRef] = set()
        lengths: dict[URIRef, float | URIRef] = {}
        volume: set[URIRef] = set()
        for unit, code, alt, target, factor, analyte, df, days, days_param, vol in graph.query(query_text("knowledge/units")):
            if code is not None:
                by_code.setdefault(str(code), unit)
            if alt is not None:
                by_alt.setdefault(str(alt).lower(), unit)
            if target is not None and factor is not None:
                factors[unit][target] = (float(factor), analyte)
            if isinstance(df, Literal) and df.toPython() is True:
                dose_form.add(unit)
            if isinstance(vol, Literal) and vol.toPython() is True:
                volume.add(unit)
            if days is not None:
                lengths[unit] = float(days)
            elif isinstance(days_param, URIRef):
                lengths[unit] = days_param
        canonical = {a: u for a, u in graph.subject_objects(TRD.canonicalUnit) if isinstance(u, URIRef)}
        return cls(by_code, by_alt, dict(factors), frozenset(dose_form), frozenset(volume), canonical, lengths)

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

    def days(self, text: str | None, settings: dict[URIRef, float | None]) -> float | None:
        """Days in one unit of time (``d``, ``wk``, ``mo``, ``days``…); None when it is not one.

        A unit whose length is a policy parameter (a month: ``param-days-per-month``) takes the
        value of that parameter in ``settings`` (parameter IRI -> value, read from the policy).
        """
        if not isinstance(text, str) or not text.strip():
            return None
        unit = self.by_code.get(text.strip()) or self.by_alt.get(text.strip().lower())
        return self.unit_days(unit, settings) if unit is not None else None

    def unit_days(self, unit: URIRef, settings: dict[URIRef, float | None]) -> float | None:
        """Days in one unit of time given as its ontology term (see :meth:`days`)."""
        length = self.lengths.get(unit)
        if isinstance(length, URIRef):
            return settings.get(length)
        return length

    def is_dose_form(self, unit: URIRef) -> bool:
        return unit in self.dose_form

    def is_volume(self, unit: URIRef) -> bool:
        return unit in self.volume
