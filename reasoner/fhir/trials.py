"""Trial assembly: medication statements/orders and dispenses of one drug -> trial records.

Why: a trial (clinical-reference §2) is the continuous use of one antidepressant, while EHRs record
it as several statements, as repeated orders (refills), or as one order with repeats and the
pharmacy's dispenses. Parts of the same ingredient with gaps of at most ``param-trial-gap-days``
merge into one trial; each part becomes a dose period (time at each dose; gap days are not
covered by any period); a raised dose marks the trial dose-optimised. Dispenses of the drug
handed over during the trial (or within the gap after it) prove and extend it: the trial runs to
the end of the last dispense's supply, and their proportion of days covered (PQA) is its
adherence unless adherence Observations give one. Augmenting agents that overlap the trial are
its augmentation. Other medications become medication-use records so that nothing read is lost.

Dates are spans (:class:`~reasoner.fhir.values.DateSpan`): trials are grouped and ordered by the
first day of each start; a start that could not be read (``start`` None) keeps its part as a
trial of its own with the start unknown.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from rdflib import URIRef

from reasoner.fhir import report as R
from reasoner.fhir.adherence import Supply, proportion_of_days_covered
from reasoner.fhir.mappers import AdherenceObservation
from reasoner.fhir.records import INFO, DosePeriodRecord, MedicationUseRecord, TrialRecord
from reasoner.fhir.scope import Scope
from reasoner.fhir.values import DateSpan


@dataclass
class MedPart:
    """One MedicationStatement or MedicationRequest, read and resolved."""

    rtype: str
    rid: str
    drug: URIRef | None
    kind: str  # antidepressant | augmenting | other | unknown
    start: DateSpan | None  # None: the record's start could not be read
    end: DateSpan | None  # end of use (the day the supply runs out), None when open/unknown
    ongoing: bool
    daily_mg: float | None
    stop_reason: URIRef | None
    code: str | None
    text: str
    end_unknown: bool = False  # the record gives an end that could not be read
    co_drugs: list[URIRef] = field(default_factory=list)
    extra_sources: list[str] = field(default_factory=list)  # e.g. the Medication resource
    #: for a drug the reasoner does not use: (category, reason, detail, effect) of its accounting
    unmapped: tuple[str, str, str, str] | None = None
    adherence: float | None = None

    @property
    def key(self) -> str:
        return f"{self.rtype}/{self.rid}"

    def first(self, as_of: dt.date) -> dt.date:
        """The first day of the start (as_of when unknown: such a part is never merged)."""
        return self.start.first if self.start is not None else as_of

    def until(self, as_of: dt.date) -> dt.date:
        """End used for overlaps: the last day of the end, else the as-of date if ongoing, else the start."""
        if self.end is not None:
            return self.end.last
        if self.ongoing:
            return as_of
        return self.start.last if self.start is not None else as_of


@dataclass
class Dispense:
    rid: str
    drug: URIRef
    supply: Supply
    sources: tuple[str, ...] = ()  # the Medication it names, when referenced


def _group_trials(parts: list[MedPart], gap_days: float, as_of: dt.date) -> list[list[MedPart]]:
    """Split one drug's parts (sorted by start) wherever the gap exceeds ``gap_days``; a part
    whose start is unknown is a trial of its own."""
    trials: list[list[MedPart]] = [[p] for p in parts if p.start is None]
    current: list[MedPart] | None = None
    current_end: dt.date | None = None
    for part in sorted((p for p in parts if p.start is not None), key=lambda p: (p.first(as_of), p.rid)):
        if current is not None and current_end is not None and (part.first(as_of) - current_end).days <= gap_days:
            current.append(part)
        else:
            current = [part]
            trials.append(current)
            current_end = None
        end = part.until(as_of)
        current_end = end if current_end is None else max(current_end, end)
    return trials


def build_medications(parts: list[MedPart], dispenses: list[Dispense], observations: list[AdherenceObservation],
                      scope: Scope) -> tuple[list[TrialRecord], list[MedicationUseRecord]]:
    """Trial and medication-use records; counts parts, dispenses and adherence observations."""
    ctx, as_of = scope.ctx, scope.as_of
    by_key = {p.key: p for p in parts}
    # Adherence observations attach to the part they are about (latest observation wins).
    for obs in sorted(observations, key=lambda o: (o.date.first, o.rid)):
        part = by_key.get(obs.focus or "")
        if part is None or part.kind != "antidepressant":
            scope.left_out("Observation", obs.rid, R.UNRESOLVED_REFERENCE,
                           f"adherence focus {obs.focus!r} is not an antidepressant statement/order of this patient",
                           "adherence left out")
            continue
        part.adherence = obs.value
        part.extra_sources.append(f"Observation/{obs.rid}")
        scope.mapped("Observation", obs.rid)

    antidepressant: dict[URIRef, list[MedPart]] = {}
    for part in parts:
        if part.kind == "antidepressant" and part.drug is not None:
            antidepressant.setdefault(part.drug, []).append(part)
    augmenting = [(d, p) for p in parts for d in ([p.drug] if p.kind == "augmenting" else []) + p.co_drugs
                  if d is not None and ctx.drug_kind(d) == "augmenting"]
    used_dispenses: set[str] = set()
    trials: list[TrialRecord] = []
    for drug, drug_parts in antidepressant.items():
        for trial_parts in _group_trials(drug_parts, ctx.trial_gap_days, as_of):
            trial, used = _trial(drug, trial_parts, [d for d in dispenses if d.drug == drug and d.rid not in used_dispenses],
                                 augmenting, scope)
            trials.append(trial)
            used_dispenses |= used
            for p in trial_parts:
                scope.mapped(p.rtype, p.rid)

    uses: list[MedicationUseRecord] = []
    for part in parts:
        if part.kind == "antidepressant" and part.drug is not None:
            continue
        uses.append(MedicationUseRecord(part.key, part.drug, part.code, part.text, part.start, part.end,
                                        part.ongoing, part.daily_mg, tuple(part.extra_sources)))
        if part.unmapped is None:
            scope.mapped(part.rtype, part.rid)
        elif part.unmapped[0] == R.NOT_RELEVANT:
            scope.not_relevant(part.rtype, part.rid, part.unmapped[1], part.unmapped[2])
        else:
            scope.left_out(part.rtype, part.rid, part.unmapped[1], part.unmapped[2], part.unmapped[3])

    for d in dispenses:
        if d.rid in used_dispenses:
            scope.mapped("MedicationDispense", d.rid)
        elif ctx.drug_kind(d.drug) == "antidepressant":
            scope.left_out("MedicationDispense", d.rid, R.NOT_USED,
                           f"handed over {d.supply.start.isoformat()}, outside every trial of {d.drug.split('#')[-1]}",
                           "not used: no trial of this drug covers it")
        else:
            scope.not_relevant("MedicationDispense", d.rid, R.NOT_USED, "not an antidepressant")
    return trials, uses


def _trial(drug: URIRef, parts: list[MedPart], dispenses: list[Dispense], augmenting: list[tuple[URIRef, MedPart]],
           scope: Scope) -> tuple[TrialRecord, set[str]]:
    """One trial record with its dose periods; returns also the ids of the dispenses it used."""
    ctx, as_of = scope.ctx, scope.as_of
    first = parts[0]
    ongoing = any(p.ongoing for p in parts)
    # the end is unknown when the last part's is (an earlier part's end is superseded by the next start)
    end_unknown = not ongoing and parts[-1].end_unknown
    ends = [p.end for p in parts if p.end is not None]
    end: DateSpan | None = None if ongoing or end_unknown or not ends else max(ends, key=lambda s: s.last)
    periods: list[DosePeriodRecord] = []
    doses: list[float] = []
    optimised = False
    sources: list[str] = []
    for i, p in enumerate(parts):
        period_end = p.end
        nxt = parts[i + 1].start if i + 1 < len(parts) else None
        if nxt is not None and (period_end is None or nxt.first < period_end.last):
            period_end = DateSpan.day(nxt.first)  # a later part supersedes an earlier one from its start
        periods.append(DosePeriodRecord(p.key, p.start, period_end, p.ongoing and period_end is None, p.daily_mg))
        if p.daily_mg is not None:
            if doses and p.daily_mg > max(doses):
                optimised = True
            doses.append(p.daily_mg)
        sources.append(p.key)
        sources.extend(p.extra_sources)
    trial = TrialRecord(key=first.key, identifier=first.rid, drug=drug, start=first.start, end=end, ongoing=ongoing,
                        periods=periods, dose_optimised=optimised)
    if len(doses) == len(parts) and len(set(doses)) == 1:
        trial.daily_dose_mg = doses[0]
    trial.stop_reason = next((p.stop_reason for p in reversed(parts) if p.stop_reason is not None), None)

    used: set[str] = set()
    if first.start is not None:
        # an order's coverage is an estimate (its supply) that dispenses extend; a statement's
        # recorded end is what the patient did
        extendable = max(parts, key=lambda p: p.until(as_of)).rtype == "MedicationRequest"
        used = _apply_dispenses(trial, dispenses, scope, extendable)
    trial_until = trial.end.last if trial.end is not None else as_of if ongoing else max(p.until(as_of) for p in parts)
    start_day = first.first(as_of)
    agents: list[URIRef] = []
    for agent, part in augmenting:
        if part.first(as_of) <= trial_until and part.until(as_of) >= start_day and agent not in agents:
            agents.append(agent)
    for p in parts:
        for co in p.co_drugs:
            if ctx.drug_kind(co) == "augmenting" and co not in agents:
                agents.append(co)
    trial.augmented_with = tuple(agents)

    weights = [(max(((per.end.last if per.end else as_of) - (per.start.first if per.start else as_of)).days, 1),
                p.adherence) for per, p in zip(trial.periods, parts)]
    if all(a is not None for _, a in weights):
        total = sum(w for w, _ in weights)
        trial.adherence = sum(w * a for w, a in weights) / total  # type: ignore[operator]
    elif first.start is not None and dispenses:
        pdc = proportion_of_days_covered([d.supply for d in dispenses if d.rid in used], start_day, trial_until)
        if pdc is not None and pdc[1]:
            trial.adherence = pdc[0]
            for rid in pdc[1]:
                sources.append(f"MedicationDispense/{rid}")
    for d in dispenses:
        if d.rid in used:
            sources.extend(d.sources)
    trial.sources = tuple(dict.fromkeys(sources))
    return trial, used


def _apply_dispenses(trial: TrialRecord, dispenses: list[Dispense], scope: Scope, extendable: bool) -> set[str]:
    """Attach the dispenses handed over from the trial's start up to the gap after its end, and
    (``extendable``: the end is an order's supply) extend a finished trial and its last dose
    period to the end of their supply."""
    ctx, as_of = scope.ctx, scope.as_of
    start = trial.start.first if trial.start is not None else as_of
    used: set[str] = set()
    for d in sorted(dispenses, key=lambda d: (d.supply.start, d.rid)):
        until = trial.end.last if trial.end is not None else as_of
        if not trial.ongoing and trial.end is None:
            break  # the end is unknown: no window to place the dispense in
        if not (start <= d.supply.start and (d.supply.start - until).days <= ctx.trial_gap_days):
            continue
        used.add(d.rid)
        supply_end = d.supply.start + dt.timedelta(days=d.supply.days)
        if extendable and not trial.ongoing and trial.end is not None and supply_end > trial.end.last:
            extended = min(supply_end, as_of)
            if extended > trial.end.last:
                trial.end = DateSpan.day(extended)
                last = trial.periods[-1]
                if last.end is not None:
                    last.end = DateSpan.day(extended)
                scope.issue("MedicationDispense", d.rid, f"supply to {supply_end.isoformat()} extends the trial "
                            f"{trial.identifier}", f"trial end moved to {extended.isoformat()}", INFO,
                            kind="trial extended")
    return used


__all__ = ["MedPart", "Dispense", "build_medications"]
