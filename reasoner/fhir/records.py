"""Mappers for the one-resource-one-node records: Patient, Condition, Observation, Procedure.

Each mapper either adds the node (data-model §6 shape, ``trd:sourceResource`` provenance) and
records the resource as mapped, or records why not. Codes are resolved only through the
ontology xref index of the context; the FHIR status value sets (clinicalStatus, …) are FHIR
structure and are read here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from reasoner.knowledge.namespaces import TRD
from reasoner.fhir import report as R
from reasoner.fhir.codes import coding_key, codings_of, first_code_string
from reasoner.fhir.context import DEFAULT_LATERALITY, ImportContext
from reasoner.fhir.report import ImportReport
from reasoner.fhir.values import text, TRUE, BadValue, date_literal, decimal, node, number, optional_date, parse_date
from reasoner.fhir.references import resolve
from reasoner.fhir.terms import T

#: Condition.clinicalStatus codes (FHIR value set) -> active?
_CLINICAL_ACTIVE = {"active": True, "recurrence": True, "relapse": True,
                    "inactive": False, "remission": False, "resolved": False}
#: Statuses that mean "this record does not describe a real finding or event".
_VOID_STATUS = {"entered-in-error", "cancelled", "not-done", "refuted", "not-taken"}
#: What an Observation code can be, in order of preference (ontology classes, data-model §4).
_OBSERVATION_CATEGORIES = (T.RatingInstrument, T.Analyte, T.Gene, T.GenotypeResult, T.NoncomplianceFinding)
#: The same, public: what an Observation's code must land on to be read (the CDS Hooks service asks
#: EHRs for exactly these codes).
OBSERVATION_CATEGORIES = _OBSERVATION_CATEGORIES
_ALLELES = re.compile(r"^[ACGT]+/[ACGT]+$")


def _status_code(concept: Any) -> str | None:
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


def add_source(g: Graph, subject: URIRef, rtype: str, rid: str) -> None:
    g.add((subject, T.sourceResource, Literal(f"{rtype}/{rid}")))


def map_patient(res: dict, rid: str, g: Graph, report: ImportReport) -> URIRef:
    """``trd:Patient`` with identifier, birth date and gender; a bad birth date is an issue."""
    s = node("Patient", rid)
    g.add((s, RDF.type, T.Patient))
    g.add((s, T.identifier, Literal(rid)))
    add_source(g, s, "Patient", rid)
    try:
        birth = optional_date(res.get("birthDate"), "birthDate")
        if birth is not None:
            g.add((s, T.birthDate, date_literal(birth)))
    except BadValue as exc:
        report.issue("Patient", rid, str(exc))
    if isinstance(res.get("gender"), str):
        g.add((s, T.gender, Literal(res["gender"])))
    report.mapped("Patient", rid)
    return s


def map_condition(res: dict, rid: str, patient: URIRef, g: Graph, ctx: ImportContext, report: ImportReport) -> None:
    """A diagnosis (class from the code's xref) or a noncompliance finding."""
    if _status_code(res.get("verificationStatus")) in _VOID_STATUS:
        report.not_mapped("Condition", rid, R.NOT_APPLICABLE, f"verificationStatus {_status_code(res.get('verificationStatus'))}")
        return
    codings = codings_of(res.get("code"))
    classes, code = ctx.lookup(codings, T.Diagnosis)
    if not classes:
        classes, code = ctx.lookup(codings, T.NoncomplianceFinding)
    if not classes:
        report.not_mapped("Condition", rid, R.UNKNOWN_CODE, first_code_string(res.get("code")))
        return
    try:
        onset = optional_date(res.get("onsetDateTime"), "onsetDateTime")
        period = res.get("onsetPeriod")
        if onset is None and isinstance(period, dict):
            onset = optional_date(period.get("start"), "onsetPeriod.start")
        abatement = optional_date(res.get("abatementDateTime"), "abatementDateTime")
        recorded = optional_date(res.get("recordedDate"), "recordedDate")
    except BadValue as exc:
        report.not_mapped("Condition", rid, R.BAD_DATE, str(exc))
        return
    s = node("Condition", rid)
    for cls in classes:
        g.add((s, RDF.type, cls))
    g.add((s, T.patient, patient))
    g.add((s, T.sourceCode, Literal(code)))
    add_source(g, s, "Condition", rid)
    if ctx.codes.is_a(classes[0], T.NoncomplianceFinding) and not ctx.codes.is_a(classes[0], T.Diagnosis):
        when = onset or recorded
        if when is not None:
            g.add((s, T.date, date_literal(when)))
    else:
        if onset is not None:
            g.add((s, T.onsetDate, date_literal(onset)))
        if abatement is not None:
            g.add((s, T.abatementDate, date_literal(abatement)))
        active = _CLINICAL_ACTIVE.get(_status_code(res.get("clinicalStatus")) or "")
        if active is not None:
            g.add((s, T.isActive, Literal(active)))
    report.mapped("Condition", rid)


@dataclass
class AdherenceObservation:
    """An adherence Observation waiting for the trial part it is about (its ``focus``)."""

    rid: str
    focus: str | None
    value: float
    date: Any


def _observation_date(res: dict) -> Any:
    when = res.get("effectiveDateTime")
    if when is None and isinstance(res.get("effectivePeriod"), dict):
        when = res["effectivePeriod"].get("start")
    if when is None:
        when = res.get("issued")
    if when is None:
        raise BadValue("no effectiveDateTime, effectivePeriod.start or issued")
    return parse_date(when, "effective date")


def map_observation(res: dict, rid: str, patient: URIRef, g: Graph, ctx: ImportContext, report: ImportReport,
                    full_urls: dict[str, str]) -> AdherenceObservation | None:
    """Scores, labs, phenotypes, ABCB1 genotypes, noncompliance findings; adherence is returned
    to the caller (it belongs to a trial, which is assembled later)."""
    if text(res.get("status")) in _VOID_STATUS:
        report.not_mapped("Observation", rid, R.NOT_APPLICABLE, f"status {res.get('status')}")
        return None
    codings = codings_of(res.get("code"))
    c = ctx.codes
    # One lookup per coding, then the first category (in this order) that a term belongs to.
    found_terms = [t for cd in codings for t in c.terms(*(_key(cd) or ("", "")))]
    adherence_terms = [t for t in found_terms if t == T.adherence]
    kind = next(((cat, tuple(t for t in found_terms if c.is_a(t, cat))) for cat in _OBSERVATION_CATEGORIES
                 if any(c.is_a(t, cat) for t in found_terms)), None)
    if kind is None and not adherence_terms:
        report.not_mapped("Observation", rid, R.UNKNOWN_CODE, first_code_string(res.get("code")))
        return None
    try:
        when = _observation_date(res)
    except BadValue as exc:
        report.not_mapped("Observation", rid, R.BAD_DATE, str(exc))
        return None
    quantity = res.get("valueQuantity") if isinstance(res.get("valueQuantity"), dict) else None

    if adherence_terms:
        value = number(quantity.get("value")) if quantity else None
        if value is None:
            report.not_mapped("Observation", rid, R.MISSING_VALUE, "adherence without valueQuantity.value")
            return None
        unit = ctx.units.unit_of(quantity)
        factor = ctx.units.factor(unit, ctx.one) if unit is not None and ctx.one is not None else None
        if factor is None:
            report.not_mapped("Observation", rid, R.UNKNOWN_UNIT, f"adherence unit {quantity.get('code') or quantity.get('unit')!r}")
            return None
        focus = res.get("focus")
        focus_key = resolve(focus[0], full_urls) if isinstance(focus, list) and focus else None
        # Counted later: mapped when its focus is a trial part of this patient.
        return AdherenceObservation(rid, focus_key, value * factor, when)

    category, terms = kind
    s = node("Observation", rid)
    if category == T.RatingInstrument:
        raw = res.get("valueInteger")
        if raw is None and quantity:
            raw = quantity.get("value")
        score = number(raw)
        if score is None or score != int(score):
            report.not_mapped("Observation", rid, R.MISSING_VALUE, f"score {raw!r} is not an integer")
            return None
        g.add((s, RDF.type, T.Assessment))
        g.add((s, T.instrument, terms[0]))
        g.add((s, T.score, Literal(int(score), datatype=XSD.integer)))
    elif category == T.Analyte:
        analyte = terms[0]
        value = number(quantity.get("value")) if quantity else None
        if value is None:
            report.not_mapped("Observation", rid, R.MISSING_VALUE, "lab without valueQuantity.value")
            return None
        target = ctx.units.canonical.get(analyte)
        unit = ctx.units.unit_of(quantity)
        factor = ctx.units.factor(unit, target, analyte) if unit is not None and target is not None else None
        if factor is None:
            report.not_mapped("Observation", rid, R.UNKNOWN_UNIT, f"{quantity.get('code') or quantity.get('unit')!r} for {analyte.split('#')[-1]}")
            return None
        g.add((s, RDF.type, T.LabMeasurement))
        g.add((s, T.analyte, analyte))
        g.add((s, T.value, decimal(value * factor)))
        g.add((s, T.unit, target))
    elif category == T.Gene:
        phenotypes, _ = ctx.lookup(codings_of(res.get("valueCodeableConcept")), T.MetabolizerPhenotype)
        if not phenotypes:
            report.not_mapped("Observation", rid, R.UNKNOWN_CODE, f"phenotype answer {first_code_string(res.get('valueCodeableConcept'))}")
            return None
        g.add((s, RDF.type, T.PhenotypeResult))
        g.add((s, T.gene, terms[0]))
        g.add((s, T.phenotype, phenotypes[0]))
    elif category == T.GenotypeResult:
        genotype = _genotype(res, ctx)
        if isinstance(genotype, str):
            report.not_mapped("Observation", rid, R.MISSING_VALUE, genotype)
            return None
        gene, variant, alleles = genotype
        g.add((s, RDF.type, T.GenotypeResult))
        g.add((s, T.gene, gene))
        g.add((s, T.variant, variant))
        g.add((s, T.alleles, Literal(alleles)))
    else:  # noncompliance finding (SNOMED 129834002 as an Observation)
        g.add((s, RDF.type, T.NoncomplianceFinding))
    g.add((s, T.patient, patient))
    g.add((s, T.date, date_literal(when)))
    add_source(g, s, "Observation", rid)
    report.mapped("Observation", rid)
    return None


def _key(coding: dict) -> tuple[str, str] | None:
    return coding_key(coding)


def _genotype(res: dict, ctx: ImportContext) -> tuple[URIRef, URIRef, str] | str:
    """(gene, variant, alleles) of a genotype Observation, or why it cannot be read."""
    gene = None
    for comp in res.get("component") or []:
        if not isinstance(comp, dict):
            continue
        terms = [t for cd in codings_of(comp.get("code")) for t in ctx.codes.terms(*(_key(cd) or ("", "")))]
        if T.gene in terms:
            for text in _texts(comp.get("valueCodeableConcept")):
                gene = gene or ctx.gene_labels.get(text.strip())
    if gene is None:
        return "no gene studied component naming a known gene"
    variant = alleles = None
    for text in _texts(res.get("valueCodeableConcept")):
        for token in text.replace(",", " ").split():
            variant = variant or ctx.variant_labels.get(token)
            if _ALLELES.match(token.upper()):
                alleles = alleles or token.upper()
    if variant is None or alleles is None:
        return "valueCodeableConcept.text does not name a known variant and its alleles (e.g. 'rs2032583 T/T')"
    return gene, variant, alleles


def map_procedure(res: dict, rid: str, patient: URIRef, g: Graph, ctx: ImportContext, report: ImportReport) -> None:
    """An ECT course: period, laterality (bilateral unless the text says otherwise), outcome."""
    if text(res.get("status")) in _VOID_STATUS:
        report.not_mapped("Procedure", rid, R.NOT_APPLICABLE, f"status {res.get('status')}")
        return
    classes, _ = ctx.lookup(codings_of(res.get("code")), T.ECTCourse)
    if not classes:
        report.not_mapped("Procedure", rid, R.UNKNOWN_CODE, first_code_string(res.get("code")))
        return
    try:
        period = res.get("performedPeriod") if isinstance(res.get("performedPeriod"), dict) else {}
        start = optional_date(period.get("start") or res.get("performedDateTime"), "performed start")
        end = optional_date(period.get("end") or res.get("performedDateTime"), "performed end")
    except BadValue as exc:
        report.not_mapped("Procedure", rid, R.BAD_DATE, str(exc))
        return
    s = node("Procedure", rid)
    g.add((s, RDF.type, classes[0]))
    g.add((s, T.patient, patient))
    add_source(g, s, "Procedure", rid)
    if start is not None:
        g.add((s, T.startDate, date_literal(start)))
    if end is not None:
        g.add((s, T.endDate, date_literal(end)))
    texts = _texts(res.get("bodySite"), res.get("code"))
    laterality = next((lat for label, lat in ctx.laterality_labels if any(label in t for t in texts)), DEFAULT_LATERALITY)
    g.add((s, T.laterality, laterality))
    outcome, _ = ctx.lookup(codings_of(res.get("outcome")), T.StopReason)
    if TRD["stop-absent-response"] in outcome:
        g.add((s, T.absentResponse, TRUE))
    report.mapped("Procedure", rid)
