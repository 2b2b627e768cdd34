"""Everything the per-patient conversion looks up, built once per process and cached.

Why: the cohort runner converts millions of patient groups; reading the ontology and the policy
for each one would dominate the run. ``get_context()`` builds the code index, unit table, label
tables and policy settings once (keyed by the files and policy used) and reuses them.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, URIRef

from reasoner.errors import PolicyError
from reasoner.fhir.codes import lookup
from reasoner.fhir.units import UnitTable
from reasoner.knowledge.codes import CodeIndex
from reasoner.knowledge.loader import ontology_graph, read_ontology
from reasoner.knowledge.namespaces import RDFS, TRD
from reasoner.knowledge.queries import query_text

#: Laterality individuals of ECT (data-model §2); their labels are matched in Procedure text.
LATERALITIES = (TRD["laterality-unilateral"], TRD["laterality-bilateral"])
DEFAULT_LATERALITY = TRD["laterality-bilateral"]  # fhir-profile: "bilateral unless … says unilateral"


@dataclass(frozen=True)
class ImportContext:
    """Lookup tables and settings for one import run."""

    codes: CodeIndex
    units: UnitTable
    drug_labels: tuple[tuple[str, URIRef], ...]  # (lower-case label, drug), longest label first
    gene_labels: dict[str, URIRef]
    variant_labels: dict[str, URIRef]
    laterality_labels: tuple[tuple[str, URIRef], ...]
    trial_gap_days: float
    default_supply_days: float
    days_per_month: float | None
    mg: URIRef | None  # the unit doses are expressed in
    one: URIRef | None  # the unit of a proportion (adherence)
    #: dosage timing abbreviation -> (doses per period, period in days, label)
    timings: dict[URIRef, tuple[float, float, str]]
    #: instrument panel -> its instrument
    panels: dict[URIRef, URIRef]
    #: instrument item -> (its instrument, its number)
    items: dict[URIRef, tuple[URIRef, int]]
    #: instrument -> how many items it has (a total is summed only when all are present)
    item_counts: dict[URIRef, int]
    #: SYSTEM:code -> the sentence its note adds to an explanation
    notes: dict[str, str]

    def lookup(self, codings: Iterable[dict], category: URIRef) -> tuple[tuple[URIRef, ...], str | None]:
        """The terms of the first FHIR coding that maps into ``category``, and its ``SYSTEM:code``."""
        return lookup(self.codes, codings, category)

    def days(self, unit_text: str | None) -> float | None:
        """Days in one unit of time given as FHIR writes it (``d``, ``wk``, ``mo``, ``days``…)."""
        return self.units.days(unit_text, {TRD["param-days-per-month"]: self.days_per_month})

    def drug_kind(self, drug: URIRef) -> str:
        """"antidepressant" (forms trials), "augmenting" (augments overlapping trials) or "other"."""
        if self.codes.is_a(drug, TRD.Antidepressant):
            return "antidepressant"
        if self.codes.is_a(drug, TRD.AugmentingAgent):
            return "augmenting"
        return "other"


def _read_settings(policy: str | Path) -> tuple[float, float, float | None]:
    from reasoner.knowledge.policy import effective_policy, setting

    _, g = effective_policy(policy)
    values = []
    for name, required in (("param-trial-gap-days", True), ("param-default-supply-days", True),
                           ("param-days-per-month", False)):
        value = setting(g, TRD[name])
        if value is None and required:
            raise PolicyError(f"policy {policy!s} has no setting for trd:{name} (needed by the FHIR importer)")
        values.append(float(value) if value is not None else None)
    return values[0], values[1], values[2]


def build_context(ontology: Graph, policy: str | Path = "default") -> ImportContext:
    """Build the lookup tables from an ontology graph (codes, units, labels) and a policy."""
    g = ontology
    codes = CodeIndex.from_graph(g)
    units = UnitTable.from_graph(g)
    drugs = sorted(codes.with_label(TRD.Drug).items(), key=lambda kv: (-len(kv[0]), kv[0]))
    lateralities = tuple(
        (str(label).lower(), lat) for lat in LATERALITIES for label in g.objects(lat, RDFS.label)
    )
    gap, supply, month = _read_settings(policy)
    settings = {TRD["param-days-per-month"]: month}
    timings: dict[URIRef, tuple[float, float, str]] = {}
    for timing, label, doses, period, unit in g.query(query_text("knowledge/timing-codes")):
        days = units.unit_days(unit, settings)
        if days is not None:
            timings[timing] = (float(doses), float(period) * days, str(label or timing))
    panels: dict[URIRef, URIRef] = {}
    items: dict[URIRef, tuple[URIRef, int]] = {}
    for term, instrument, number in g.query(query_text("knowledge/instrument-items")):
        if number is None:
            panels[term] = instrument
        else:
            items[term] = (instrument, int(number))
    counts: dict[URIRef, int] = {}
    for instrument, _ in items.values():
        counts[instrument] = counts.get(instrument, 0) + 1
    notes = {str(code): str(text) for code, text in g.query(query_text("knowledge/code-notes"))}
    return ImportContext(
        codes=codes,
        units=units,
        drug_labels=tuple(drugs),
        gene_labels=codes.with_label(TRD.Gene),
        variant_labels=codes.with_label(TRD.GeneticVariant),
        laterality_labels=lateralities,
        trial_gap_days=gap,
        default_supply_days=supply,
        days_per_month=month,
        mg=units.by_code.get("mg"),
        one=units.by_code.get("1"),
        timings=timings,
        panels=panels,
        items=items,
        item_counts=counts,
        notes=notes,
    )


@functools.lru_cache(maxsize=8)
def _cached(ontology_path: str | None, policy: str) -> ImportContext:
    graph = ontology_graph() if ontology_path is None else read_ontology(ontology_path)
    return build_context(graph, policy)


def get_context(ontology_path: Path | str | None = None, policy: str | Path = "default") -> ImportContext:
    """The cached context for the project ontology (or another ontology file) and a policy."""
    if ontology_path is not None and not Path(ontology_path).exists():
        raise PolicyError(f"ontology {ontology_path} not found (the FHIR importer maps codes through it)")
    return _cached(None if ontology_path is None else str(ontology_path), str(policy))
