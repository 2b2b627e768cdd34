"""Which drug a medication record names, at what strength, and at what daily dose.

Why: real EHRs send clinical/branded drug codes (RxNorm SCD/SBD, e.g. "sertraline 50 MG Oral
Tablet") and doses in tablets, not ingredient codes and milligrams. The ingredient is found by the
ontology's drug labels (so a new drug is a data change), the strength is parsed from the RxNorm
normalized name, and a dose in tablets is multiplied by it. Units are converted with the ontology's
unit data; anything unreadable becomes "dose unknown" plus a report issue, never a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from rdflib import URIRef

from reasoner.knowledge.namespaces import TRD
from reasoner.fhir.codes import codings_of
from reasoner.fhir.context import ImportContext
from reasoner.fhir.values import number

# One ingredient of an RxNorm normalized name: "<name> <strength> <unit>[/<per>]".
_COMPONENT = re.compile(
    r"^(?P<name>[a-z][a-z0-9 ,'\-]*?)\s+(?P<value>\d+(?:\.\d+)?)\s*(?P<unit>[a-zµμ]+)(?P<per>/[a-z0-9\[\]]+)?(?:\s|$)"
)
# Leading qualifiers of RxNorm names: "24 HR …" (extended release), "1 ML …" (package volume).
_PREFIX = re.compile(r"^\d+(?:\.\d+)?\s+(?:hr|ml|actuat)\s+")
_BRAND = re.compile(r"\s*\[[^\]]*\]\s*$")
_PACK_ITEM = re.compile(r"\d+\s*\(([^()]*)\)")


@dataclass
class DrugMatch:
    """The ontology drug of a medication, its strength per dose unit (mg) and co-ingredients."""

    drug: URIRef | None = None
    strength_mg: float | None = None
    co_drugs: list[URIRef] = field(default_factory=list)
    code: str | None = None  # SYSTEM:code that identified the drug, for provenance
    text: str = ""


def _match_label(name: str, ctx: ImportContext) -> URIRef | None:
    """The drug whose label is the name, or starts it ("bupropion hydrochloride" -> bupropion)."""
    for label, drug in ctx.drug_labels:
        if name == label or name.startswith(label + " "):
            return drug
    return None


def parse_components(text: str, ctx: ImportContext) -> list[tuple[URIRef, float | None]]:
    """(drug, strength in mg or None) for each ontology drug named in an RxNorm normalized name."""
    name = _BRAND.sub("", text.strip().lower())
    name = _PREFIX.sub("", name)
    # A pack (RxNorm GPCK/BPCK: "{30 (bupropion … Tablet) } Pack") lists its products in brackets.
    products = _PACK_ITEM.findall(name) if name.startswith("{") else [name]
    parts = [p for product in products for p in product.split(" / ")]
    out: list[tuple[URIRef, float | None]] = []
    for part in parts:
        part = _PREFIX.sub("", part.strip())
        m = _COMPONENT.match(part)
        ingredient = m.group("name") if m else part
        drug = _match_label(ingredient.strip(), ctx)
        if drug is None:
            continue
        strength = None
        if m and not m.group("per"):
            unit = ctx.units.by_code.get(m.group("unit")) or ctx.units.by_alt.get(m.group("unit"))
            factor = ctx.units.factor(unit, ctx.mg) if unit is not None and ctx.mg is not None else None
            if factor is not None:
                strength = float(m.group("value")) * factor
        out.append((drug, strength))
    return out


def match_drug(concept: Any, ctx: ImportContext) -> DrugMatch:
    """Identify the drug of a medication CodeableConcept: xref first, then the normalized name."""
    codings = codings_of(concept)
    texts = [c["display"] for c in codings if isinstance(c.get("display"), str)]
    if isinstance(concept, dict) and isinstance(concept.get("text"), str):
        texts.append(concept["text"])
    found, code = ctx.lookup(codings, TRD.Drug)
    result = DrugMatch(drug=found[0] if found else None, code=code, text=texts[0] if texts else "")
    for text in texts:
        components = parse_components(text, ctx)
        if not components:
            continue
        if result.drug is None:
            # An antidepressant component leads (olanzapine/fluoxetine is a fluoxetine trial
            # augmented by olanzapine); the others are co-ingredients.
            components.sort(key=lambda c: ctx.drug_kind(c[0]) != "antidepressant")
            result.drug = components[0][0]
        for drug, strength in components:
            if drug == result.drug:
                if result.strength_mg is None:
                    result.strength_mg = strength
            elif drug not in result.co_drugs:
                result.co_drugs.append(drug)
        if result.strength_mg is not None:
            break
    return result


def period_days(repeat: dict, ctx: ImportContext) -> float | None:
    """Length of ``timing.repeat.period`` in days (calendar units; a month from the policy)."""
    period = number(repeat.get("period", 1))
    unit = repeat.get("periodUnit", "d")
    days = ctx.days(unit if isinstance(unit, str) else None)
    if period is None or period <= 0 or days is None:
        return None
    return period * days


def daily_dose_mg(dosage: Any, strength_mg: float | None, ctx: ImportContext) -> tuple[float | None, str | None]:
    """Daily dose in mg from a Dosage: value × frequency / period (days); (None, why) if unknown."""
    if not isinstance(dosage, dict):
        return None, "no dosage"
    rates = dosage.get("doseAndRate")
    quantity = rates[0].get("doseQuantity") if isinstance(rates, list) and rates and isinstance(rates[0], dict) else None
    if not isinstance(quantity, dict):
        return None, "no doseQuantity"
    value = number(quantity.get("value"))
    if value is None:
        return None, "doseQuantity has no value"
    timing = dosage.get("timing")
    repeat = timing.get("repeat") if isinstance(timing, dict) else None
    if not isinstance(repeat, dict):
        return None, "no timing.repeat (frequency/period)"
    frequency = number(repeat.get("frequency", 1))
    days = period_days(repeat, ctx)
    if frequency is None or days is None:
        return None, f"unreadable timing {repeat.get('frequency')!r} per {repeat.get('period')!r} {repeat.get('periodUnit')!r}"
    has_unit = any(isinstance(quantity.get(k), str) and quantity[k].strip() for k in ("code", "unit"))
    unit = ctx.units.unit_of(quantity)
    if (unit is None and not has_unit) or (unit is not None and ctx.units.is_dose_form(unit)):
        # A dose counted in tablets/capsules (or with no unit, as Synthea writes it): × strength.
        if strength_mg is None:
            return None, "dose in product units but the product strength is unknown"
        per_dose = value * strength_mg
    elif unit is None:
        return None, f"unknown unit {quantity.get('code') or quantity.get('unit')!r}"
    else:
        factor = ctx.units.factor(unit, ctx.mg) if ctx.mg is not None else None
        if factor is None:
            return None, f"unit {quantity.get('code') or quantity.get('unit')!r} is not a mass unit"
        per_dose = value * factor
    return per_dose * frequency / days, None
