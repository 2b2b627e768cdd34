"""Readers of the one-resource-one-record kinds: Patient, Condition, Observation, Procedure,
QuestionnaireResponse -> typed records (:mod:`reasoner.fhir.records`).

Each reader either returns the record and accounts for the resource as mapped, or accounts for
it as not relevant (a code or status the reasoner does not use) or as a data issue (left out,
with what it did to the assessment). Codes are resolved only through the ontology's code index;
the FHIR status value sets (clinicalStatus, verificationStatus, status) are FHIR structure and
are read here. Dates are spans (a partial date is the range of its days); an unreadable date on
a record that must not be lost (a diagnosis, an ECT course) keeps the record with the date
unknown, and says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rdflib import URIRef

from reasoner.fhir import report as R
from reasoner.fhir.codes import coding_key, codings_of, first_code_string
from reasoner.fhir.context import DEFAULT_LATERALITY
from reasoner.fhir.records import (INFO, WARNING, AssessmentRecord, DiagnosisRecord, ECTCourseRecord, GenotypeRecord,
                                   LabRecord, NoncomplianceRecord, PatientRecord, PhenotypeRecord)
from reasoner.fhir.references import resolve
from reasoner.fhir.scope import Scope
from reasoner.fhir.scores import (instrument_of, item_of, observation_value, panel_of, panel_total,
                                  questionnaire_total, terms_of)
from reasoner.fhir.terms import T
from reasoner.knowledge.namespaces import TRD
from reasoner.fhir.values import BadValue, DateSpan, checked_number, optional_span, parse_span, show, text

#: Condition.clinicalStatus codes (FHIR value set) -> active?
_CLINICAL_ACTIVE = {"active": True, "recurrence": True, "relapse": True,
                    "inactive": False, "remission": False, "resolved": False}
#: Statuses that mean "this record does not describe a real finding or event" (FHIR value sets).
_VOID_STATUS = {"entered-in-error", "cancelled", "not-done", "refuted", "not-taken"}
#: QuestionnaireResponse statuses whose answers are final.
_QR_DONE = {"completed", "amended"}
_ALLELES = re.compile(r"^[ACGT]+/[ACGT]+$")

#: Effects (docs/output-contract.md: what a data issue did to the assessment).
SCORE_LEFT_OUT = "score left out"
IMPRECISE = "judged over every day of the range: a criterion that does not hold on all of them is unknown"


def status_code(concept: Any) -> str | None:
    for coding in codings_of(concept):
        if isinstance(coding.get("code"), str):
            return coding["code"]
    return None


def _texts(*concepts: Any) -> list[str]:
    """Every text and display of some CodeableConcepts (lower-case), for label matching."""
    out = []
    for concept in concepts:
        items = concept if isinstance(concept, list) else [concept]
        for item in items:
            if isinstance(item, dict):
                if isinstance(item.get("text"), str):
                    out.append(item["text"].lower())
                out += [c["display"].lower() for c in codings_of(item) if isinstance(c.get("display"), str)]
    return out


def _imprecise(scope: Scope, rtype: str, rid: str, what: str, span: DateSpan | None) -> None:
    if span is not None and not span.precise:
        scope.issue(rtype, rid, f"{what} {span.describe()} is imprecise", IMPRECISE, INFO, kind="imprecise date")


def map_patient(res: dict[str, Any], pid: str, scope: Scope) -> PatientRecord:
    """A patient: birth date (checked; an unreadable one is a data issue) and gender."""
    record = PatientRecord(pid)
    try:
        birth = optional_span(res.get("birthDate"), "birthDate")
        record.birth_date = birth.first if birth is not None and birth.precise else None
        if birth is not None and not birth.precise:
            scope.issue("Patient", pid, f"birthDate {birth.describe()} is a partial date", "birth date unknown", INFO,
                        kind="imprecise date")
    except BadValue as exc:
        scope.issue("Patient", pid, str(exc), "birth date unknown", kind="bad date")
    if isinstance(res.get("gender"), str):
        record.gender = res["gender"]
    scope.mapped("Patient", pid)
    return record


def map_condition(res: dict[str, Any], rid: str, scope: Scope) -> DiagnosisRecord | NoncomplianceRecord | None:
    """A diagnosis (class from the code's xref) or a noncompliance finding."""
    ctx = scope.ctx
    verification = status_code(res.get("verificationStatus"))
    if verification in _VOID_STATUS:
        scope.not_relevant("Condition", rid, R.NOT_APPLICABLE, f"verificationStatus {verification}")
        return None
    codings = codings_of(res.get("code"))
    classes, code = ctx.lookup(codings, T.Diagnosis)
    noncompliance = not classes
    if noncompliance:
        classes, code = ctx.lookup(codings, T.NoncomplianceFinding)
    if not classes:
        scope.not_relevant("Condition", rid, R.UNKNOWN_CODE, first_code_string(res.get("code")))
        return None
    key = f"Condition/{rid}"
    onset = None
    onset_problem: str | None = None
    try:
        onset = optional_span(res.get("onsetDateTime"), "onsetDateTime")
        period = res.get("onsetPeriod")
        if onset is None and isinstance(period, dict):
            onset = optional_span(period.get("start"), "onsetPeriod.start")
    except BadValue as exc:
        onset_problem = str(exc)
    try:
        recorded = optional_span(res.get("recordedDate"), "recordedDate")
    except BadValue as exc:
        recorded = None
        scope.issue("Condition", rid, str(exc), "recorded date not used", kind="bad date")
    if noncompliance:
        when = onset or recorded
        if when is None:
            scope.issue("Condition", rid, onset_problem or "noncompliance finding without a date",
                        "not placed in any trial: adherence not affected",
                        kind="bad date" if onset_problem else "missing date")
        else:
            _imprecise(scope, "Condition", rid, "date", when)
        scope.mapped("Condition", rid)
        return NoncomplianceRecord(key, tuple(classes), code, when)
    record = DiagnosisRecord(key, tuple(classes), code, onset)
    if onset is None and onset_problem is None and recorded is not None:
        record.onset_latest = recorded.last
        scope.issue("Condition", rid, f"no onset date: onset on or before the recorded date {recorded.describe()}",
                    "the diagnosis counts; its onset opens no episode (episode start unknown)", INFO,
                    kind="imprecise date")
    elif onset is None:
        scope.issue("Condition", rid, onset_problem or "no onset date",
                    "the diagnosis counts; its onset opens no episode (episode start unknown)",
                    WARNING if onset_problem else INFO, kind="bad date" if onset_problem else "missing date")
    elif not onset.precise:
        scope.issue("Condition", rid, f"onset {onset.describe()} is imprecise",
                    f"episode start taken as its first day, {onset.first.isoformat()}", INFO, kind="imprecise date")
    try:
        abatement = optional_span(res.get("abatementDateTime"), "abatementDateTime")
        record.abatement = abatement.last if abatement is not None else None
    except BadValue as exc:
        scope.issue("Condition", rid, str(exc), "abatement date not used", kind="bad date")
    record.active = _CLINICAL_ACTIVE.get(status_code(res.get("clinicalStatus")) or "")
    note = ctx.notes.get(code or "")
    if note is not None:
        label = next(iter(ctx.codes.labels.get(classes[0], ())), "diagnosis")
        scope.issue("Condition", rid, note, f"counted as a {label}", INFO, kind="code note")
    scope.mapped("Condition", rid)
    return record


@dataclass
class AdherenceObservation:
    """An adherence Observation waiting for the trial part it is about (its ``focus``)."""

    rid: str
    focus: str | None
    value: float
    date: Any


@dataclass
class PendingItem:
    """A questionnaire item Observation: used when a panel of this patient sums it, else not relevant."""

    rid: str


def observation_date(res: dict[str, Any]) -> DateSpan:
    """effective[x] (dateTime, Period start, instant), else ``issued``."""
    for key in ("effectiveDateTime", "effectiveInstant"):
        if res.get(key) is not None:
            return parse_span(res[key], key)
    period = res.get("effectivePeriod")
    if isinstance(period, dict) and period.get("start") is not None:
        return parse_span(period["start"], "effectivePeriod.start")
    if res.get("issued") is not None:
        return parse_span(res["issued"], "issued")
    raise BadValue("no effectiveDateTime, effectivePeriod.start, effectiveInstant or issued")


_OBSERVATION_CATEGORIES = (T.RatingInstrument, T.Analyte, T.Gene, T.GenotypeResult, T.NoncomplianceFinding)
#: The same, public: what an Observation's code must land on to be read (the CDS Hooks service asks
#: EHRs for exactly these codes).
OBSERVATION_CATEGORIES = _OBSERVATION_CATEGORIES


def map_observation(res: dict[str, Any], rid: str, scope: Scope, members: dict[str, dict[str, Any]]) -> Any:
    """Scores (totals, panels), labs, phenotypes, ABCB1 genotypes, noncompliance findings.

    Returns the record; an :class:`AdherenceObservation` (it belongs to a trial assembled later,
    counted there); a :class:`PendingItem` (a questionnaire item, counted by the caller); or None.
    ``members``: the patient's Observations by key, for a panel's ``hasMember``.
    """
    ctx = scope.ctx
    if text(res.get("status")) in _VOID_STATUS:
        scope.not_relevant("Observation", rid, R.NOT_APPLICABLE, f"status {res.get('status')}")
        return None
    terms = terms_of(res.get("code"), ctx)
    key = f"Observation/{rid}"
    panel = panel_of(terms, ctx)
    if panel is None and item_of(terms, ctx) is not None and instrument_of(terms, ctx) is None:
        return PendingItem(rid)
    kind = None  # (the first category any term is in, the terms in it): each term asked once per category
    for cat in _OBSERVATION_CATEGORIES:
        found_in = tuple(t for t in terms if ctx.codes.is_a(t, cat))
        if found_in:
            kind = (cat, found_in)
            break
    adherence = T.adherence in terms
    if kind is None and not adherence and panel is None:
        scope.not_relevant("Observation", rid, R.UNKNOWN_CODE, first_code_string(res.get("code")))
        return None
    try:
        when = observation_date(res)
    except BadValue as exc:
        scope.left_out("Observation", rid, R.BAD_DATE, str(exc), "record left out: its date is unknown")
        return None
    quantity = res.get("valueQuantity") if isinstance(res.get("valueQuantity"), dict) else None

    if adherence:
        try:
            value = checked_number(quantity.get("value") if quantity else None, "adherence")
        except BadValue as exc:
            scope.left_out("Observation", rid, R.MISSING_VALUE, str(exc), "adherence left out")
            return None
        unit = ctx.units.unit_of(quantity) if quantity else None
        factor = ctx.units.factor(unit, ctx.one) if unit is not None and ctx.one is not None else None
        if factor is None:
            scope.left_out("Observation", rid, R.UNKNOWN_UNIT,
                           f"adherence unit {show((quantity or {}).get('code') or (quantity or {}).get('unit'))}",
                           "adherence left out")
            return None
        focus = res.get("focus")
        focus_key = resolve(focus[0], scope.full_urls, scope.identifiers) if isinstance(focus, list) and focus else None
        return AdherenceObservation(rid, focus_key, value * factor, when)

    if panel is not None:
        try:
            total = panel_total(res, panel, ctx, members, lambda ref: resolve(ref, scope.full_urls, scope.identifiers))
        except BadValue as exc:
            scope.left_out("Observation", rid, R.MISSING_VALUE, f"panel: {exc}", SCORE_LEFT_OUT)
            return None
        scope.mapped("Observation", rid)
        if total.how == "member":  # the member Observation is the assessment; nothing to add
            return None
        _imprecise(scope, "Observation", rid, "date", when)
        if total.how.startswith("total summed"):
            scope.issue("Observation", rid, f"{total.how}: {total.score}", f"{total.score} used as the total", INFO,
                        kind="total summed")
        return AssessmentRecord(key, panel, total.score, when, total.members)

    category, found = kind  # type: ignore[misc]
    record: Any
    if category == T.RatingInstrument:
        try:
            score = observation_value(res)
        except BadValue as exc:
            scope.left_out("Observation", rid, R.MISSING_VALUE, str(exc), SCORE_LEFT_OUT)
            return None
        record = AssessmentRecord(key, found[0], score, when)
    elif category == T.Analyte:
        analyte = found[0]
        try:
            value = checked_number(quantity.get("value") if quantity else None, "lab value")
        except BadValue as exc:
            scope.left_out("Observation", rid, R.MISSING_VALUE, str(exc), "lab value left out")
            return None
        target = ctx.units.canonical.get(analyte)
        unit = ctx.units.unit_of(quantity) if quantity else None
        factor = ctx.units.factor(unit, target, analyte) if unit is not None and target is not None else None
        if factor is None or target is None:
            scope.left_out("Observation", rid, R.UNKNOWN_UNIT,
                           f"{show((quantity or {}).get('code') or (quantity or {}).get('unit'))} for "
                           f"{analyte.split('#')[-1]}", "lab value left out")
            return None
        record = LabRecord(key, analyte, value * factor, target, when)
    elif category == T.Gene:
        phenotypes, _ = ctx.lookup(codings_of(res.get("valueCodeableConcept")), T.MetabolizerPhenotype)
        if not phenotypes:
            scope.left_out("Observation", rid, R.UNKNOWN_CODE,
                           f"phenotype answer {first_code_string(res.get('valueCodeableConcept'))}",
                           "phenotype left out")
            return None
        record = PhenotypeRecord(key, found[0], phenotypes[0], when)
    elif category == T.GenotypeResult:
        genotype = _genotype(res, scope)
        if isinstance(genotype, str):
            scope.left_out("Observation", rid, R.MISSING_VALUE, genotype, "genotype left out")
            return None
        record = GenotypeRecord(key, *genotype, when)
    else:  # noncompliance finding (SNOMED 129834002 as an Observation)
        codings = codings_of(res.get("code"))
        _, code = ctx.lookup(codings, T.NoncomplianceFinding)
        record = NoncomplianceRecord(key, found, code, when)
    _imprecise(scope, "Observation", rid, "date", when)
    scope.mapped("Observation", rid)
    return record


def _genotype(res: dict[str, Any], scope: Scope) -> tuple[URIRef, URIRef, str] | str:
    """(gene, variant, alleles) of a genotype Observation, or why it cannot be read."""
    ctx = scope.ctx
    gene = None
    for comp in res.get("component") if isinstance(res.get("component"), list) else []:
        if not isinstance(comp, dict):
            continue
        terms = [t for cd in codings_of(comp.get("code")) for t in ctx.codes.terms(*(coding_key(cd) or ("", "")))]
        if T.gene in terms:
            for label in _texts(comp.get("valueCodeableConcept")):
                gene = gene or ctx.gene_labels.get(label.strip())
    if gene is None:
        return "no gene studied component naming a known gene"
    variant = alleles = None
    for label in _texts(res.get("valueCodeableConcept")):
        for token in label.replace(",", " ").split():
            variant = variant or ctx.variant_labels.get(token)
            if _ALLELES.match(token.upper()):
                alleles = alleles or token.upper()
    if variant is None or alleles is None:
        return "valueCodeableConcept.text does not name a known variant and its alleles (e.g. 'rs2032583 T/T')"
    return gene, variant, alleles


def map_questionnaire(res: dict[str, Any], rid: str, scope: Scope) -> AssessmentRecord | None:
    """A QuestionnaireResponse of a known instrument (the PHQ-9): its total item, or its items summed."""
    status = text(res.get("status"))
    if status is not None and status not in _QR_DONE:
        scope.not_relevant("QuestionnaireResponse", rid, R.NOT_APPLICABLE, f"status {status}")
        return None
    try:
        total = questionnaire_total(res, scope.ctx)
    except BadValue as exc:
        scope.left_out("QuestionnaireResponse", rid, R.MISSING_VALUE, str(exc), SCORE_LEFT_OUT)
        return None
    if total is None:
        scope.not_relevant("QuestionnaireResponse", rid, R.UNKNOWN_CODE, "no item of an instrument the reasoner reads")
        return None
    try:
        when = parse_span(res.get("authored"), "authored")
    except BadValue as exc:
        scope.left_out("QuestionnaireResponse", rid, R.BAD_DATE, str(exc), SCORE_LEFT_OUT)
        return None
    _imprecise(scope, "QuestionnaireResponse", rid, "date", when)
    if total.how.startswith("total summed"):
        scope.issue("QuestionnaireResponse", rid, f"{total.how}: {total.score}", f"{total.score} used as the total",
                    INFO, kind="total summed")
    scope.mapped("QuestionnaireResponse", rid)
    return AssessmentRecord(f"QuestionnaireResponse/{rid}", total.instrument, total.score, when)


def map_procedure(res: dict[str, Any], rid: str, scope: Scope) -> ECTCourseRecord | None:
    """An ECT course: period, laterality (bilateral unless the text says otherwise), outcome."""
    ctx = scope.ctx
    if text(res.get("status")) in _VOID_STATUS:
        scope.not_relevant("Procedure", rid, R.NOT_APPLICABLE, f"status {res.get('status')}")
        return None
    classes, _ = ctx.lookup(codings_of(res.get("code")), T.ECTCourse)
    if not classes:
        scope.not_relevant("Procedure", rid, R.UNKNOWN_CODE, first_code_string(res.get("code")))
        return None
    period = res.get("performedPeriod") if isinstance(res.get("performedPeriod"), dict) else {}
    spans: list[DateSpan | None] = []
    for element, what in ((period.get("start") or res.get("performedDateTime"), "performed start"),
                          (period.get("end") or res.get("performedDateTime"), "performed end")):
        try:
            spans.append(optional_span(element, what))
        except BadValue as exc:
            spans.append(None)
            scope.issue("Procedure", rid, str(exc), f"ECT course kept with its {what.split()[-1]} unknown", kind="bad date")
        else:
            if spans[-1] is None and what == "performed start":
                scope.issue("Procedure", rid, "no performed start", "ECT course kept with its start unknown",
                            kind="missing date")
    start, end = spans
    texts = _texts(res.get("bodySite"), res.get("code"))
    laterality = next((lat for label, lat in ctx.laterality_labels if any(label in t for t in texts)), DEFAULT_LATERALITY)
    outcome, _ = ctx.lookup(codings_of(res.get("outcome")), T.StopReason)
    _imprecise(scope, "Procedure", rid, "start", start)
    scope.mapped("Procedure", rid)
    return ECTCourseRecord(f"Procedure/{rid}", classes[0], start, end, laterality,
                           TRD["stop-absent-response"] in outcome)


__all__ = ["map_patient", "map_condition", "map_observation", "map_questionnaire", "map_procedure",
           "AdherenceObservation", "PendingItem", "observation_date", "status_code", "IMPRECISE", "SCORE_LEFT_OUT"]
