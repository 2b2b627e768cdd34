"""Which drug a medication record names, and at what strength.

Why: real EHRs send clinical/branded drug codes (RxNorm SCD/SBD, e.g. "sertraline 50 MG Oral
Tablet"), NDC codes, free text, contained or referenced ``Medication`` resources with an
``ingredient.strength`` ratio — rarely ingredient codes. The ingredient is found by the ontology's
xrefs, else by the ontology's drug labels in the normalized name or text (so a new drug is a
data change), the strength is parsed from the RxNorm normalized name (per dose unit: "50 MG";
per mL: "20 MG/ML", "10 MG/5ML") or read from ``Medication.ingredient.strength``. The daily dose
is computed from these strengths by :mod:`reasoner.fhir.dosage`.

How sure the match is decides how a record that names no ontology drug is accounted for
(:attr:`DrugMatch.named`): an RxNorm or ATC coding with a display names a real product, so a
product that is none of the ontology's drugs is *not relevant* (a lisinopril order); free text or
an NDC code that names no ontology drug might still be an antidepressant, so it is a *data issue*.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any

from rdflib import URIRef

from reasoner.fhir.codes import coding_key, codings_of
from reasoner.fhir.context import ImportContext
from reasoner.fhir.terms import T
from reasoner.fhir.values import BadValue, checked_number

# One ingredient of an RxNorm normalized name: "<name> <strength> <unit>[/<per>]".
_COMPONENT = re.compile(
    r"^(?P<name>[a-z][a-z0-9 ,'\-]*?)\s+(?P<value>\d+(?:\.\d+)?)\s*(?P<unit>[a-zµμ]+)(?P<per>/[a-z0-9\[\]]+)?(?:\s|$)"
)
# Leading qualifiers of RxNorm names: "24 HR …" (extended release), "1 ML …" (package volume).
_PREFIX = re.compile(r"^\d+(?:\.\d+)?\s+(?:hr|ml|actuat)\s+")
_BRAND = re.compile(r"\s*\[[^\]]*\]\s*$")
_PACK_ITEM = re.compile(r"\d+\s*\(([^()]*)\)")
# The "per" part of a strength: "/ML", "/5ML" (mg per 5 mL).
_PER_VOLUME = re.compile(r"^/(?P<n>\d+(?:\.\d+)?)?(?P<unit>[a-z]+)$")
#: Code systems whose coded products name their ingredients in the display (RxNorm, ATC prefixes).
_NAMING_SYSTEMS = frozenset({"RXNORM", "ATC"})


@dataclass
class Component:
    """One ontology drug named in a product name, with its strength per dose unit and per mL."""

    drug: URIRef
    per_unit_mg: float | None = None
    per_ml_mg: float | None = None


@dataclass
class DrugMatch:
    """The ontology drug of a medication, its strengths and co-ingredients, and how it was found."""

    drug: URIRef | None = None
    strength_mg: float | None = None  # per dose unit (tablet, capsule)
    strength_mg_per_ml: float | None = None  # per mL (an oral solution)
    co_drugs: list[URIRef] = field(default_factory=list)
    code: str | None = None  # SYSTEM:code that identified the drug (or the first mapped code), for provenance
    text: str = ""
    #: the product is named by a coding of a naming system with a display (a real product: when it
    #: is none of the ontology's drugs, it is not relevant); False for free text, NDC, bare codes
    named: bool = False
    #: how the drug was found: "code", "name" (a coded product's display) or "text" (free text only)
    how: str = ""


@functools.lru_cache(maxsize=8)
def _label_tables(labels: tuple[tuple[str, URIRef], ...]) -> tuple[dict[str, URIRef], re.Pattern[str] | None]:
    """Label -> drug, and one pattern finding any label as whole words (longest first)."""
    table: dict[str, URIRef] = {}
    for label, drug in labels:
        table.setdefault(label, drug)
    words = sorted(table, key=lambda label: (-len(label), label))
    pattern = re.compile(r"(?<![a-z0-9])(" + "|".join(map(re.escape, words)) + r")(?![a-z0-9])") if words else None
    return table, pattern


def _match_label(name: str, ctx: ImportContext) -> URIRef | None:
    """The drug whose label is the name, or starts it ("bupropion hydrochloride" -> bupropion)."""
    table, _ = _label_tables(ctx.drug_labels)
    words = name.split(" ")
    for n in range(len(words), 0, -1):  # the longest label that starts the name
        found = table.get(" ".join(words[:n]))
        if found is not None:
            return found
    return None


def _search_label(text: str, ctx: ImportContext) -> URIRef | None:
    """The drug whose label appears first (as whole words) in free text ("Zoloft (sertraline) 50 mg")."""
    table, pattern = _label_tables(ctx.drug_labels)
    found = pattern.search(re.sub(r"[^a-z0-9]+", " ", text.lower())) if pattern is not None else None
    return table[found.group(1)] if found is not None else None


def _mg(value: str, unit_text: str, ctx: ImportContext) -> float | None:
    unit = ctx.units.by_code.get(unit_text) or ctx.units.by_alt.get(unit_text)
    factor = ctx.units.factor(unit, ctx.mg) if unit is not None and ctx.mg is not None else None
    return float(value) * factor if factor is not None else None


def components(text: str, ctx: ImportContext) -> list[Component]:
    """Each ontology drug named in an RxNorm normalized name, with its strengths."""
    name = _BRAND.sub("", text.strip().lower())
    name = _PREFIX.sub("", name)
    # A pack (RxNorm GPCK/BPCK: "{30 (bupropion … Tablet) } Pack") lists its products in brackets.
    products = _PACK_ITEM.findall(name) if name.startswith("{") else [name]
    parts = [p for product in products for p in product.split(" / ")]
    out: list[Component] = []
    for part in parts:
        part = _PREFIX.sub("", part.strip())
        m = _COMPONENT.match(part)
        ingredient = m.group("name") if m else part
        drug = _match_label(ingredient.strip(), ctx)
        if drug is None:
            continue
        found = Component(drug)
        if m and not m.group("per"):
            found.per_unit_mg = _mg(m.group("value"), m.group("unit"), ctx)
        elif m:
            per = _PER_VOLUME.match(m.group("per"))
            mg = _mg(m.group("value"), m.group("unit"), ctx)
            if per is not None and mg is not None:
                vol_unit = ctx.units.by_code.get(per.group("unit")) or ctx.units.by_alt.get(per.group("unit"))
                if vol_unit is not None and ctx.units.is_volume(vol_unit):
                    found.per_ml_mg = mg / float(per.group("n") or 1)
        out.append(found)
    return out


def parse_components(text: str, ctx: ImportContext) -> list[tuple[URIRef, float | None]]:
    """(drug, strength in mg per dose unit or None) for each ontology drug named in a name."""
    return [(c.drug, c.per_unit_mg) for c in components(text, ctx)]


def _ratio_strength(strength: Any, ctx: ImportContext) -> tuple[float | None, float | None]:
    """(mg per dose unit, mg per mL) of a Medication.ingredient.strength Ratio, when readable."""
    if not isinstance(strength, dict):
        return None, None
    num, den = strength.get("numerator"), strength.get("denominator")
    if not isinstance(num, dict) or not isinstance(den, dict):
        return None, None
    try:
        value = checked_number(num.get("value"), "strength")
        per = checked_number(den.get("value", 1), "strength denominator")
    except BadValue:
        return None, None
    unit = ctx.units.unit_of(num)
    factor = ctx.units.factor(unit, ctx.mg) if unit is not None and ctx.mg is not None else None
    den_unit = ctx.units.unit_of(den)
    if factor is None or per <= 0:
        return None, None
    mg = value * factor / per
    if den_unit is not None and ctx.units.is_volume(den_unit):
        return None, mg
    if den_unit is None or ctx.units.is_dose_form(den_unit):
        return mg, None
    return None, None


def match_drug(concept: Any, ctx: ImportContext, medication: dict[str, Any] | None = None) -> DrugMatch:
    """Identify the drug of a medication: xref first, then the normalized name, then free text.

    ``medication``: the ``Medication`` resource the record refers to (contained or not); its
    ``ingredient`` list can name the drug and give the strength ratio.
    """
    codings = codings_of(concept)
    texts = [c["display"] for c in codings if isinstance(c.get("display"), str)]
    named = any(isinstance(c.get("display"), str) and (coding_key(c) or ("", ""))[0] in _NAMING_SYSTEMS
                for c in codings)
    free = concept.get("text") if isinstance(concept, dict) and isinstance(concept.get("text"), str) else None
    found, code = ctx.lookup(codings, T.Drug)
    mapped_code = code or next((f"{k[0]}:{k[1]}" for k in map(coding_key, codings)
                                if k is not None and re.fullmatch(r"[^\s:]+", k[1])), None)
    result = DrugMatch(drug=found[0] if found else None, code=mapped_code, text=(texts + [free or ""])[0],
                       named=named or bool(found), how="code" if found else "")
    how_named = "name" if named else "text"
    for source, how in [(t, how_named) for t in texts] + ([(free, how_named)] if free else []):
        comps = components(source, ctx)
        if not comps:
            continue
        if result.drug is None:
            # An antidepressant component leads (olanzapine/fluoxetine is a fluoxetine trial
            # augmented by olanzapine); the others are co-ingredients.
            comps.sort(key=lambda c: ctx.drug_kind(c.drug) != "antidepressant")
            result.drug, result.how = comps[0].drug, how
        for comp in comps:
            if comp.drug == result.drug:
                result.strength_mg = result.strength_mg if result.strength_mg is not None else comp.per_unit_mg
                result.strength_mg_per_ml = (result.strength_mg_per_ml if result.strength_mg_per_ml is not None
                                             else comp.per_ml_mg)
            elif comp.drug not in result.co_drugs:
                result.co_drugs.append(comp.drug)
        if result.strength_mg is not None or result.strength_mg_per_ml is not None:
            break
    if isinstance(medication, dict):
        _read_ingredients(medication, result, ctx)
    if result.drug is None:
        # Free text or a display that is not a normalized name: the first drug label it names
        # ("Zoloft (sertraline) 50 mg", "sertraline tablet"); reported as matched by name.
        for source in texts + ([free] if free else []):
            drug = _search_label(source, ctx)
            if drug is not None:
                result.drug, result.how = drug, "text"
                break
    return result


def _read_ingredients(medication: dict[str, Any], result: DrugMatch, ctx: ImportContext) -> None:
    """Drug and strength from ``Medication.ingredient`` (item + strength ratio), where the code
    alone did not give them."""
    items = medication.get("ingredient")
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        concept = item.get("itemCodeableConcept")
        drug = None
        if concept is not None:
            found, _ = ctx.lookup(codings_of(concept), T.Drug)
            drug = found[0] if found else None
            if drug is None:
                labels = [c.get("display") for c in codings_of(concept)] + [concept.get("text")]
                drug = next((d for d in (_search_label(t, ctx) for t in labels if isinstance(t, str)) if d), None)
        if result.drug is None and drug is not None:
            result.drug, result.how, result.named = drug, "code", True
        if drug is not None and drug != result.drug:
            if drug not in result.co_drugs:
                result.co_drugs.append(drug)
            continue
        if drug is None and concept is not None:
            continue
        per_unit, per_ml = _ratio_strength(item.get("strength"), ctx)
        if result.strength_mg is None and per_unit is not None:
            result.strength_mg = per_unit
        if result.strength_mg_per_ml is None and per_ml is not None:
            result.strength_mg_per_ml = per_ml


__all__ = ["DrugMatch", "Component", "match_drug", "components", "parse_components"]
