"""The daily dose in mg of a FHIR Dosage, and every assumption made to get it.

Why a module: EHRs write the same "50 mg twice a day" in many shapes (docs/fhir-profile.md
"Shapes of real exports"): ``timing.repeat`` {frequency, period, periodUnit} with ``frequencyMax``
/``periodMax`` ranges or only ``when``; a ``timing.code`` abbreviation (BID, Q8H …, a code table
of the ontology) instead of ``repeat``; ``doseQuantity`` in mg, g, µg, tablets, capsules or mL of
a solution; a ``doseRange``; ``asNeeded`` (PRN). Each is read the same way here, and every
assumption (the lower of a range, once daily from a single ``when``) or failure (dose unknown)
comes back as a :class:`Note` the importer turns into a data issue naming the record. Numbers go
through the one validated path (:mod:`reasoner.fhir.values`): ``"ten"``, ``true``, ``NaN``,
``Infinity`` or ``1e309`` are a dose unknown with its reason, never a crash or a non-finite dose.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reasoner.fhir.codes import codings_of, first_code_string
from reasoner.fhir.context import ImportContext
from reasoner.fhir.medications import DrugMatch
from reasoner.fhir.records import INFO, WARNING
from reasoner.fhir.terms import T
from reasoner.fhir.values import BadValue, checked_number, show, text

#: The effect of a dose that cannot be read (docs/output-contract.md: what it did to the assessment).
DOSE_UNKNOWN = "dose unknown: trial indeterminate"


@dataclass(frozen=True)
class Note:
    """An assumption made, or the reason the dose is unknown."""

    message: str
    effect: str
    severity: str = WARNING
    kind: str = "dose assumption"


@dataclass
class DoseResult:
    """The daily dose in mg (None: unknown) and the notes on how it was read."""

    mg: float | None
    notes: list[Note] = field(default_factory=list)


class _Unknown(Exception):
    """The dose cannot be read; ``args[0]`` says why."""


def _num(value: Any, what: str) -> float:
    try:
        return checked_number(value, what)
    except BadValue as exc:
        raise _Unknown(str(exc)) from exc


def _positive(value: Any, what: str) -> float:
    number = _num(value, what)
    if number <= 0:
        raise _Unknown(f"{what} {show(value)} is not positive")
    return number


def _per_dose_mg(dosage: dict[str, Any], match: DrugMatch, ctx: ImportContext, notes: list[Note]) -> float:
    """The amount of one dose, in mg."""
    rates = dosage.get("doseAndRate")
    rate = rates[0] if isinstance(rates, list) and rates and isinstance(rates[0], dict) else {}
    quantity = rate.get("doseQuantity")
    if not isinstance(quantity, dict):
        dose_range = rate.get("doseRange")
        low = dose_range.get("low") if isinstance(dose_range, dict) else None
        if not isinstance(low, dict):
            raise _Unknown("no doseQuantity" if dose_range is None else "doseRange has no low bound")
        high = dose_range.get("high") if isinstance(dose_range.get("high"), dict) else {}
        notes.append(Note(f"dose range {show(low.get('value'))}–{show(high.get('value'))} "
                          f"{low.get('unit') or low.get('code') or ''}".rstrip() + ": its low bound used",
                          "the low bound of the dose range used"))
        quantity = low
    value = _positive(quantity.get("value"), "dose")
    has_unit = any(isinstance(quantity.get(k), str) and quantity[k].strip() for k in ("code", "unit"))
    unit = ctx.units.unit_of(quantity)
    unit_text = quantity.get("code") or quantity.get("unit")
    if (unit is None and not has_unit) or (unit is not None and ctx.units.is_dose_form(unit)):
        # A dose counted in tablets/capsules (or with no unit, as Synthea writes it): × strength.
        if match.strength_mg is None:
            raise _Unknown("dose in product units but the product strength is unknown")
        return value * match.strength_mg
    if unit is None:
        raise _Unknown(f"unknown unit {show(unit_text)}")
    if ctx.units.is_volume(unit):
        if match.strength_mg_per_ml is None:
            raise _Unknown(f"dose in {unit_text} but the product's strength per mL is unknown")
        return value * match.strength_mg_per_ml
    factor = ctx.units.factor(unit, ctx.mg) if ctx.mg is not None else None
    if factor is None:
        raise _Unknown(f"unit {show(unit_text)} is not a mass unit")
    return value * factor


def _doses_per_day(timing: Any, ctx: ImportContext, notes: list[Note]) -> float:
    """How many doses a day the Timing gives (``repeat``, else ``code``)."""
    if not isinstance(timing, dict):
        raise _Unknown("no timing (repeat or code)")
    repeat = timing.get("repeat") if isinstance(timing.get("repeat"), dict) else None
    keys = ("frequency", "frequencyMax", "period", "periodMax", "periodUnit", "when")
    if repeat is None or not any(k in repeat for k in keys):
        code = timing.get("code")
        if code is None:
            raise _Unknown("no timing.repeat and no timing.code")
        found, _ = ctx.lookup(codings_of(code), T.TimingAbbreviation)
        if not found or found[0] not in ctx.timings:
            label = text(code.get("text")) if isinstance(code, dict) else None
            raise _Unknown(f"timing.code {first_code_string(code) if codings_of(code) else show(label)} "
                           "is not a known dosage schedule")
        doses, days, _ = ctx.timings[found[0]]
        return doses / days
    frequency = repeat.get("frequency")
    when = repeat.get("when")
    if frequency is None and "frequencyMax" not in repeat:
        if isinstance(when, list) and when:
            n = len({w for w in when if isinstance(w, str)}) or 1
            notes.append(Note(f"timing.repeat.when {', '.join(map(str, when))} without a frequency: "
                              f"{'once' if n == 1 else f'{n} times'} daily assumed",
                              "once daily assumed" if n == 1 else f"{n} doses a day assumed", INFO if n == 1 else WARNING))
            return float(n)
        notes.append(Note("timing.repeat gives no frequency: one dose per period assumed", "once per period assumed"))
        freq = 1.0
    else:
        freq = _positive(frequency, "timing frequency") if frequency is not None else 1.0
        if "frequencyMax" in repeat:
            high = _positive(repeat["frequencyMax"], "timing frequencyMax")
            if high != freq:
                notes.append(Note(f"timing frequency {show(frequency)}–{show(repeat['frequencyMax'])} per period: "
                                  "the lower used", "the lower daily dose used"))
    period = _positive(repeat.get("period", 1), "timing period")
    if "periodMax" in repeat:
        longest = _positive(repeat["periodMax"], "timing periodMax")
        if longest != period:
            notes.append(Note(f"timing period {show(repeat.get('period', 1))}–{show(repeat['periodMax'])}: "
                              "the longer used", "the lower daily dose used"))
            period = max(period, longest)
    unit = repeat.get("periodUnit", "d")
    days = ctx.days(unit if isinstance(unit, str) else None)
    if days is None or days <= 0:
        raise _Unknown(f"unreadable timing {show(frequency)} per {show(repeat.get('period'))} {show(unit)}")
    return freq / (period * days)


def daily_dose(dosage: Any, match: DrugMatch, ctx: ImportContext) -> DoseResult:
    """The daily dose in mg of a Dosage (see the module docstring)."""
    notes: list[Note] = []
    try:
        if not isinstance(dosage, dict):
            raise _Unknown("no dosage")
        if dosage.get("asNeededBoolean") is True or isinstance(dosage.get("asNeededCodeableConcept"), dict):
            raise _Unknown("taken as needed (PRN): no regular daily dose")
        per_dose = _per_dose_mg(dosage, match, ctx, notes)
        per_day = _doses_per_day(dosage.get("timing"), ctx, notes)
        mg = per_dose * per_day
        try:
            checked_number(mg, "daily dose")
        except BadValue as exc:
            raise _Unknown(f"{exc} mg") from exc
        if round(mg, 6) <= 0:
            raise _Unknown(f"daily dose {mg!r} mg is not a dose")
    except _Unknown as why:
        return DoseResult(None, notes + [Note(f"dose unknown: {why.args[0]}", DOSE_UNKNOWN, kind="dose unknown")])
    return DoseResult(mg, notes)


__all__ = ["daily_dose", "DoseResult", "Note", "DOSE_UNKNOWN"]
