"""Trial assembly: medication statements/orders of one drug -> antidepressant trials.

Why: a trial (clinical-reference §2) is the continuous use of one antidepressant, while EHRs record
it as several statements or as repeated orders (refills). Parts of the same ingredient with gaps
of at most ``param-trial-gap-days`` merge into one trial; each part becomes a ``trd:DosePeriod``
(time at each dose; gap days are not covered by any period); a raised dose marks the trial
``trd:doseOptimised``. Adherence comes from adherence Observations, else PDC from dispenses, else
stays unknown; augmenting agents that overlap the trial become ``trd:augmentedWith``.
Non-antidepressant medications become ``trd:MedicationUse`` nodes so that nothing read is lost.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS


from reasoner.fhir import report as R
from reasoner.fhir.adherence import Supply, proportion_of_days_covered
from reasoner.fhir.context import ImportContext
from reasoner.fhir.records import AdherenceObservation, add_source
from reasoner.fhir.report import ImportReport
from reasoner.fhir.values import TRUE, date_literal, decimal, node
from reasoner.fhir.terms import T


@dataclass
class MedPart:
    """One MedicationStatement or MedicationRequest, read and resolved."""

    rtype: str
    rid: str
    drug: URIRef | None
    kind: str  # antidepressant | augmenting | other | unknown
    start: dt.date
    end: dt.date | None  # end of use (exclusive: the day the supply runs out), None when open/unknown
    ongoing: bool
    daily_mg: float | None
    stop_reason: URIRef | None
    code: str | None
    text: str
    co_drugs: list[URIRef] = field(default_factory=list)
    extra_sources: list[str] = field(default_factory=list)  # e.g. the Medication resource
    unmapped_reason: tuple[str, str] | None = None  # for unknown drugs: kept as MedicationUse, reported
    adherence: float | None = None

    @property
    def key(self) -> str:
        return f"{self.rtype}/{self.rid}"

    @property
    def iri(self) -> URIRef:
        return node(self.rtype, self.rid)

    def until(self, as_of: dt.date) -> dt.date:
        """End used for overlaps: the recorded end, else the as-of date if ongoing, else the start."""
        return self.end if self.end is not None else (as_of if self.ongoing else self.start)


@dataclass
class Dispense:
    rid: str
    drug: URIRef
    supply: Supply


def _group_trials(parts: list[MedPart], gap_days: float, as_of: dt.date) -> list[list[MedPart]]:
    """Split one drug's parts (sorted by start) wherever the gap exceeds ``gap_days``."""
    trials: list[list[MedPart]] = []
    current_end: dt.date | None = None
    for part in sorted(parts, key=lambda p: (p.start, p.rid)):
        if trials and current_end is not None and (part.start - current_end).days <= gap_days:
            trials[-1].append(part)
        else:
            trials.append([part])
            current_end = None
        end = part.until(as_of)
        current_end = end if current_end is None else max(current_end, end)
    return trials


def build_medications(patient: URIRef, parts: list[MedPart], dispenses: list[Dispense],
                      observations: list[AdherenceObservation], g: Graph, ctx: ImportContext,
                      report: ImportReport, as_of: dt.date) -> None:
    """Add trials, dose periods and medication-use nodes; count parts, dispenses, observations."""
    by_key = {p.key: p for p in parts}
    # Adherence observations attach to the part they are about (latest observation wins).
    for obs in sorted(observations, key=lambda o: (o.date, o.rid)):
        part = by_key.get(obs.focus or "")
        if part is None or part.kind != "antidepressant":
            report.not_mapped("Observation", obs.rid, R.UNRESOLVED_REFERENCE,
                              f"adherence focus {obs.focus!r} is not an antidepressant statement/order of this patient")
            continue
        part.adherence = obs.value
        part.extra_sources.append(f"Observation/{obs.rid}")
        report.mapped("Observation", obs.rid)

    antidepressant: dict[URIRef, list[MedPart]] = {}
    for part in parts:
        if part.kind == "antidepressant" and part.drug is not None:
            antidepressant.setdefault(part.drug, []).append(part)
    augmenting = [(d, p) for p in parts for d in ([p.drug] if p.kind == "augmenting" else []) + p.co_drugs
                  if ctx.drug_kind(d) == "augmenting"]
    used_dispenses: set[str] = set()

    for drug, drug_parts in antidepressant.items():
        for trial_parts in _group_trials(drug_parts, ctx.trial_gap_days, as_of):
            used_dispenses |= _add_trial(patient, drug, trial_parts, dispenses, augmenting, g, ctx, as_of)
            for p in trial_parts:
                report.mapped(p.rtype, p.rid)

    for part in parts:
        if part.kind == "antidepressant" and part.drug is not None:
            continue
        _add_medication_use(patient, part, g)
        if part.unmapped_reason is not None:
            report.not_mapped(part.rtype, part.rid, *part.unmapped_reason)
        else:
            report.mapped(part.rtype, part.rid)

    for d in dispenses:
        if d.rid in used_dispenses:
            report.mapped("MedicationDispense", d.rid)
        else:
            report.not_mapped("MedicationDispense", d.rid, R.NOT_USED, "no antidepressant trial of this drug covers it")


def _add_medication_use(patient: URIRef, part: MedPart, g: Graph) -> None:
    s = part.iri
    g.add((s, RDF.type, T.MedicationUse))
    g.add((s, T.patient, patient))
    if part.drug is not None:
        g.add((s, T.drug, part.drug))
    if part.code:
        g.add((s, T.sourceCode, Literal(part.code)))
    if part.text:
        g.add((s, RDFS.label, Literal(part.text)))
    g.add((s, T.startDate, date_literal(part.start)))
    if part.end is not None:
        g.add((s, T.endDate, date_literal(part.end)))
    elif part.ongoing:
        g.add((s, T.ongoing, TRUE))
    if part.daily_mg is not None:
        g.add((s, T.dailyDoseMg, decimal(part.daily_mg)))
    add_source(g, s, part.rtype, part.rid)
    for src in part.extra_sources:
        g.add((s, T.sourceResource, Literal(src)))


def _add_trial(patient: URIRef, drug: URIRef, parts: list[MedPart], dispenses: list[Dispense],
               augmenting: list[tuple[URIRef, MedPart]], g: Graph, ctx: ImportContext, as_of: dt.date) -> set[str]:
    """One trial node + its dose periods; returns the ids of the dispenses its PDC used."""
    first = parts[0]
    t = URIRef(str(first.iri) + "/trial")
    g.add((t, RDF.type, T.AntidepressantTrial))
    g.add((t, T.patient, patient))
    g.add((t, T.identifier, Literal(first.rid)))
    g.add((t, T.drug, drug))
    start = first.start
    g.add((t, T.startDate, date_literal(start)))
    ongoing = any(p.ongoing for p in parts)
    # The trial ends with its last part; an earlier part without an end is closed by the next one.
    last_end = max(parts, key=lambda p: p.until(as_of)).end
    end = None if ongoing or last_end is None else max(p.end for p in parts if p.end is not None)
    if ongoing:
        g.add((t, T.ongoing, TRUE))
    elif end is not None:
        g.add((t, T.endDate, date_literal(end)))

    # Dose periods: a later part supersedes an earlier one from its start (overlapping refills).
    weights: list[tuple[int, float | None]] = []
    doses: list[float] = []
    optimised = False
    for i, p in enumerate(parts):
        period_end = p.end
        nxt = parts[i + 1].start if i + 1 < len(parts) else None
        if nxt is not None and (period_end is None or nxt < period_end):
            period_end = nxt
        s = p.iri
        g.add((s, RDF.type, T.DosePeriod))
        g.add((s, T.trial, t))
        g.add((s, T.startDate, date_literal(p.start)))
        if period_end is not None:
            g.add((s, T.endDate, date_literal(period_end)))
        elif p.ongoing:
            g.add((s, T.ongoing, TRUE))
        if p.daily_mg is not None:
            g.add((s, T.dailyDoseMg, decimal(p.daily_mg)))
            if doses and p.daily_mg > max(doses):
                optimised = True
            doses.append(p.daily_mg)
        add_source(g, s, p.rtype, p.rid)
        g.add((t, T.sourceResource, Literal(p.key)))
        for src in p.extra_sources:
            g.add((t, T.sourceResource, Literal(src)))
        days = ((period_end or as_of) - p.start).days
        weights.append((max(days, 1), p.adherence))
    if optimised:
        g.add((t, T.doseOptimised, TRUE))
    if len(doses) == len(parts) and len(set(doses)) == 1:
        g.add((t, T.dailyDoseMg, decimal(doses[0])))

    stop = next((p.stop_reason for p in reversed(parts) if p.stop_reason is not None), None)
    if stop is not None:
        g.add((t, T.stopReason, stop))

    trial_until = end if end is not None else (as_of if ongoing else max(p.until(as_of) for p in parts))
    for agent, part in augmenting:
        if part.start <= trial_until and part.until(as_of) >= start:
            g.add((t, T.augmentedWith, agent))
    for p in parts:
        for co in p.co_drugs:
            if ctx.drug_kind(co) == "augmenting":
                g.add((t, T.augmentedWith, co))

    used: set[str] = set()
    if all(a is not None for _, a in weights):
        total = sum(w for w, _ in weights)
        g.add((t, T.adherence, decimal(sum(w * a for w, a in weights) / total)))  # type: ignore[operator]
    else:
        supplies = [d.supply for d in dispenses if d.drug == drug]
        pdc = proportion_of_days_covered(supplies, start, trial_until) if supplies else None
        if pdc is not None and pdc[1]:
            g.add((t, T.adherence, decimal(pdc[0])))
            used.update(pdc[1])
            for rid in pdc[1]:
                g.add((t, T.sourceResource, Literal(f"MedicationDispense/{rid}")))
    return used
