"""Typed records -> RDF triples of the patient graph (docs/data-model.md §6): the last step of an import.

Why a module of its own: the records (:mod:`reasoner.fhir.records`) are the seam where FHIR has
been understood; this is the only place they become RDF, so the patient graph's shape is decided
here once (and another consumer, the columnar cohort engine, reads the same records instead).

Dates: a span's first day is the date (``trd:startDate``, ``trd:date``, ``trd:onsetDate``) and,
for a partial date, its last day the latest bound (``trd:startDateLatest``, ``trd:dateLatest``,
``trd:onsetDateLatest``); the end of a period is the other way round (``trd:endDate`` = last day,
``trd:endDateEarliest`` = first). A start or end that could not be read is
``trd:startDateUnknown`` / ``trd:endDateUnknown`` ``true``, so the record stays and every
criterion that needs the date is unknown. Node IRIs are ``…/fhir/<Type>/<id>`` with the id
percent-encoded; every node carries ``trd:sourceResource "<Type>/<id>"`` (the id as given).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from reasoner.fhir.records import (AssessmentRecord, DiagnosisRecord, DosePeriodRecord, ECTCourseRecord,
                                   GenotypeRecord, LabRecord, MedicationUseRecord, NoncomplianceRecord,
                                   PatientRecords, PhenotypeRecord, TrialRecord)
from reasoner.fhir.terms import T
from reasoner.fhir.values import TRUE, DateSpan, date_literal, decimal, node

_SOURCE_LITERALS: dict[str, Literal] = {}


def iri(key: str) -> URIRef:
    """The node IRI of a record key ``Type/id``."""
    rtype, _, rid = key.partition("/")
    return node(rtype, rid)


def _source(key: str) -> Literal:
    lit = _SOURCE_LITERALS.get(key)
    if lit is None:
        lit = Literal(key)
        if len(_SOURCE_LITERALS) < 100_000:
            _SOURCE_LITERALS[key] = lit
    return lit


def _start(g: Any, s: URIRef, span: DateSpan | None, start: URIRef = T.startDate, latest: URIRef = T.startDateLatest,
           unknown: URIRef | None = T.startDateUnknown) -> None:
    if span is None:
        if unknown is not None:
            g.add((s, unknown, TRUE))
        return
    g.add((s, start, date_literal(span.first)))
    if not span.precise:
        g.add((s, latest, date_literal(span.last)))


def _end(g: Any, s: URIRef, span: DateSpan | None) -> None:
    if span is None:
        return
    g.add((s, T.endDate, date_literal(span.last)))
    if not span.precise:
        g.add((s, T.endDateEarliest, date_literal(span.first)))


def _period_end(g: Any, s: URIRef, span: DateSpan | None, ongoing: bool, required: bool) -> None:
    """End, ``ongoing`` or (for a record that needs one of them) end unknown."""
    if span is not None:
        _end(g, s, span)
    elif ongoing:
        g.add((s, T.ongoing, TRUE))
    elif required:
        g.add((s, T.endDateUnknown, TRUE))


def _node(g: Any, key: str, cls: Iterable[URIRef], patient: URIRef) -> URIRef:
    s = iri(key)
    for c in cls:
        g.add((s, RDF.type, c))
    g.add((s, T.patient, patient))
    g.add((s, T.sourceResource, _source(key)))
    return s


def _diagnosis(g: Any, r: DiagnosisRecord, p: URIRef) -> None:
    s = _node(g, r.key, r.classes, p)
    if r.code:
        g.add((s, T.sourceCode, Literal(r.code)))
    if r.onset is not None:
        _start(g, s, r.onset, T.onsetDate, T.onsetDateLatest, None)
    elif r.onset_latest is not None:
        g.add((s, T.onsetDateLatest, date_literal(r.onset_latest)))
    else:
        g.add((s, T.onsetDateUnknown, TRUE))
    if r.abatement is not None:
        g.add((s, T.abatementDate, date_literal(r.abatement)))
    if r.active is not None:
        g.add((s, T.isActive, Literal(r.active)))


def _noncompliance(g: Any, r: NoncomplianceRecord, p: URIRef) -> None:
    s = _node(g, r.key, r.classes, p)
    if r.code:
        g.add((s, T.sourceCode, Literal(r.code)))
    if r.date is not None:
        _start(g, s, r.date, T.date, T.dateLatest, None)


def _dated(g: Any, s: URIRef, span: DateSpan) -> None:
    _start(g, s, span, T.date, T.dateLatest, None)


def _assessment(g: Any, r: AssessmentRecord, p: URIRef) -> None:
    s = _node(g, r.key, (T.Assessment,), p)
    g.add((s, T.instrument, r.instrument))
    g.add((s, T.score, Literal(r.score, datatype=XSD.integer)))
    _dated(g, s, r.date)
    for src in r.sources:
        g.add((s, T.sourceResource, _source(src)))


def _lab(g: Any, r: LabRecord, p: URIRef) -> None:
    s = _node(g, r.key, (T.LabMeasurement,), p)
    g.add((s, T.analyte, r.analyte))
    g.add((s, T.value, decimal(r.value)))
    g.add((s, T.unit, r.unit))
    _dated(g, s, r.date)


def _phenotype(g: Any, r: PhenotypeRecord, p: URIRef) -> None:
    s = _node(g, r.key, (T.PhenotypeResult,), p)
    g.add((s, T.gene, r.gene))
    g.add((s, T.phenotype, r.phenotype))
    _dated(g, s, r.date)


def _genotype(g: Any, r: GenotypeRecord, p: URIRef) -> None:
    s = _node(g, r.key, (T.GenotypeResult,), p)
    g.add((s, T.gene, r.gene))
    g.add((s, T.variant, r.variant))
    g.add((s, T.alleles, Literal(r.alleles)))
    _dated(g, s, r.date)


def _ect(g: Any, r: ECTCourseRecord, p: URIRef) -> None:
    s = _node(g, r.key, (r.cls,), p)
    _start(g, s, r.start)
    if r.end is not None:
        _end(g, s, r.end)
    g.add((s, T.laterality, r.laterality))
    if r.absent_response:
        g.add((s, T.absentResponse, TRUE))


def _period(g: Any, r: DosePeriodRecord, trial: URIRef) -> None:
    s = iri(r.key)
    g.add((s, RDF.type, T.DosePeriod))
    g.add((s, T.trial, trial))
    _start(g, s, r.start)
    _period_end(g, s, r.end, r.ongoing, required=False)
    if r.daily_dose_mg is not None:
        g.add((s, T.dailyDoseMg, decimal(r.daily_dose_mg)))
    g.add((s, T.sourceResource, _source(r.key)))


def _trial(g: Any, r: TrialRecord, p: URIRef) -> None:
    t = URIRef(str(iri(r.key)) + "/trial")
    g.add((t, RDF.type, T.AntidepressantTrial))
    g.add((t, T.patient, p))
    g.add((t, T.identifier, Literal(r.identifier)))
    g.add((t, T.drug, r.drug))
    _start(g, t, r.start)
    _period_end(g, t, r.end, r.ongoing, required=True)
    for period in r.periods:
        _period(g, period, t)
    for src in r.sources:
        g.add((t, T.sourceResource, _source(src)))
    if r.dose_optimised:
        g.add((t, T.doseOptimised, TRUE))
    if r.daily_dose_mg is not None:
        g.add((t, T.dailyDoseMg, decimal(r.daily_dose_mg)))
    if r.stop_reason is not None:
        g.add((t, T.stopReason, r.stop_reason))
    for agent in r.augmented_with:
        g.add((t, T.augmentedWith, agent))
    if r.adherence is not None:
        g.add((t, T.adherence, decimal(r.adherence)))


def _medication_use(g: Any, r: MedicationUseRecord, p: URIRef) -> None:
    s = _node(g, r.key, (T.MedicationUse,), p)
    if r.drug is not None:
        g.add((s, T.drug, r.drug))
    if r.code:
        g.add((s, T.sourceCode, Literal(r.code)))
    if r.label:
        g.add((s, RDFS.label, Literal(r.label)))
    if r.start is not None:
        _start(g, s, r.start)
    _period_end(g, s, r.end, r.ongoing, required=False)
    if r.daily_dose_mg is not None:
        g.add((s, T.dailyDoseMg, decimal(r.daily_dose_mg)))
    for src in r.sources:
        g.add((s, T.sourceResource, _source(src)))


def add_patient(records: PatientRecords, g: Any) -> URIRef:
    """Add every record of one patient to ``g`` (anything with ``add(triple)``); returns the patient node."""
    pr = records.patient
    p = node("Patient", pr.id)
    g.add((p, RDF.type, T.Patient))
    g.add((p, T.identifier, Literal(pr.id)))
    g.add((p, T.sourceResource, _source(pr.key)))
    if pr.birth_date is not None:
        g.add((p, T.birthDate, date_literal(pr.birth_date)))
    if pr.gender is not None:
        g.add((p, T.gender, Literal(pr.gender)))
    for d in records.diagnoses:
        _diagnosis(g, d, p)
    for n in records.noncompliance:
        _noncompliance(g, n, p)
    for a in records.assessments:
        _assessment(g, a, p)
    for lab in records.labs:
        _lab(g, lab, p)
    for ph in records.phenotypes:
        _phenotype(g, ph, p)
    for ge in records.genotypes:
        _genotype(g, ge, p)
    for e in records.ect_courses:
        _ect(g, e, p)
    for t in records.trials:
        _trial(g, t, p)
    for m in records.medication_uses:
        _medication_use(g, m, p)
    return p


__all__ = ["add_patient", "iri"]
