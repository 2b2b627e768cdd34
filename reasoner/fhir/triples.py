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

Terms: the same shape is written in one of two term encodings (``terms``): rdflib terms
(:data:`RDF_TERMS`, the default: a Graph, N-Triples) or plain text (:data:`TEXT_TERMS`: IRIs as
``str``, literals as ``(lexical form, datatype IRI or None)``), which the columnar cohort engine
turns into its triples table without writing N-Triples and parsing them back. Why one function
with two encodings rather than a second writer: the graph's shape stays decided here once, and
the text encoding skips rdflib's term construction (IRI checks, literal casting), most of the
cost of this step. Both encodings give the same triples (tests/columnar/test_fhir_table.py).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from types import SimpleNamespace
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from reasoner.fhir.records import (AssessmentRecord, DiagnosisRecord, DosePeriodRecord, ECTCourseRecord,
                                   GenotypeRecord, LabRecord, MedicationUseRecord, NoncomplianceRecord,
                                   PatientRecords, PhenotypeRecord, TrialRecord)
from reasoner.fhir.terms import T
from reasoner.fhir.values import TRUE, DateSpan, date_literal, decimal, node, node_text

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


def _integer(value: Any) -> Literal:
    return Literal(value, datatype=XSD.integer)


class RdfTerms:
    """rdflib terms (the default encoding): what a Graph holds and N-Triples are written from.

    The attributes are the plain functions (``staticmethod``), so a call costs what calling the
    function directly costs."""

    type = RDF.type
    label = RDFS.label
    T = T
    true = TRUE
    node = staticmethod(node)
    iri = staticmethod(iri)
    source = staticmethod(_source)
    string = staticmethod(Literal)
    integer = staticmethod(_integer)
    date = staticmethod(date_literal)
    decimal = staticmethod(decimal)

    @staticmethod
    def trial(key: str) -> URIRef:
        """The IRI of the trial whose first statement/order is ``key``."""
        return URIRef(str(iri(key)) + "/trial")

    @staticmethod
    def ref(term: URIRef) -> URIRef:
        """An ontology IRI a record holds (drug, class, unit …), as this encoding writes it."""
        return term


#: A literal in the text encoding: (lexical form, datatype IRI; None for a plain string literal,
#: which N-Triples readers give as ``xsd:string``).
TextLiteral = tuple[str, "str | None"]

_XSD_DATE, _XSD_DECIMAL = str(XSD.date), str(XSD.decimal)


@functools.lru_cache(maxsize=65536, typed=True)
def _cached_literal(value: Any, datatype: str | None) -> TextLiteral:
    return _literal_text(Literal(value, datatype=datatype))


def _literal_text(lit: Literal) -> TextLiteral:
    """The text encoding of an rdflib literal: its lexical form and datatype, as N-Triples say them."""
    if lit.language:  # never made by this module; a language would change the N-Triples written
        raise ValueError(f"a language-tagged literal ({lit.n3()}) has no text encoding here")
    return str(lit), (str(lit.datatype) if lit.datatype is not None else None)


def _text_string(value: Any) -> TextLiteral:
    """``Literal(value)`` in the text encoding: a ``str`` as it is, anything else as rdflib casts it."""
    if type(value) is str:
        return value, None
    try:
        return _cached_literal(value, None)
    except TypeError:  # unhashable: not cached
        return _literal_text(Literal(value))


def _text_integer(value: Any) -> TextLiteral:
    try:
        return _cached_literal(value, str(XSD.integer))
    except TypeError:
        return _literal_text(Literal(value, datatype=XSD.integer))


def _text_date(value: dt.date) -> TextLiteral:
    """:func:`~reasoner.fhir.values.date_literal` in the text encoding: the lexical form that
    literal is made from (rdflib keeps a valid date's ISO text as it is)."""
    return value.isoformat(), _XSD_DATE


def _text_decimal(value: float) -> TextLiteral:
    return _decimal_text(decimal(value))


@functools.lru_cache(maxsize=65536)
def _decimal_text(lit: Literal) -> TextLiteral:
    return _literal_text(lit)


def _text_iri(key: str) -> str:
    rtype, _, rid = key.partition("/")
    return node_text(rtype, rid)


class TextTerms:
    """The text encoding: IRIs as plain ``str``, literals as :data:`TextLiteral` tuples.

    Each literal is the lexical form and datatype rdflib gives the same value (computed through
    rdflib once per distinct typed value and cached), so a triple here is the text of the triple
    :class:`RdfTerms` makes, and equal triples in one encoding are equal in the other."""

    type = str(RDF.type)
    label = str(RDFS.label)
    T = SimpleNamespace(**{name: str(term) for name, term in vars(T).items()})
    true = _literal_text(TRUE)
    node = staticmethod(node_text)
    iri = staticmethod(_text_iri)
    string = staticmethod(_text_string)
    integer = staticmethod(_text_integer)
    date = staticmethod(_text_date)
    decimal = staticmethod(_text_decimal)
    ref = staticmethod(str)

    @staticmethod
    def source(key: str) -> TextLiteral:
        return key, None

    @staticmethod
    def trial(key: str) -> str:
        return _text_iri(key) + "/trial"


#: The two encodings (see the module docstring).
RDF_TERMS, TEXT_TERMS = RdfTerms(), TextTerms()
Terms = RdfTerms | TextTerms


def _start(g: Any, t: Terms, s: Any, span: DateSpan | None, start: Any = None, latest: Any = None,
           unknown: bool = True) -> None:
    """Start date and latest bound (default: ``trd:startDate``/``startDateLatest``); ``unknown``:
    a missing span is said as ``trd:startDateUnknown true``."""
    if span is None:
        if unknown:
            g.add((s, t.T.startDateUnknown, t.true))
        return
    g.add((s, start if start is not None else t.T.startDate, t.date(span.first)))
    if not span.precise:
        g.add((s, latest if latest is not None else t.T.startDateLatest, t.date(span.last)))


def _end(g: Any, t: Terms, s: Any, span: DateSpan | None) -> None:
    if span is None:
        return
    g.add((s, t.T.endDate, t.date(span.last)))
    if not span.precise:
        g.add((s, t.T.endDateEarliest, t.date(span.first)))


def _period_end(g: Any, t: Terms, s: Any, span: DateSpan | None, ongoing: bool, required: bool) -> None:
    """End, ``ongoing`` or (for a record that needs one of them) end unknown."""
    if span is not None:
        _end(g, t, s, span)
    elif ongoing:
        g.add((s, t.T.ongoing, t.true))
    elif required:
        g.add((s, t.T.endDateUnknown, t.true))


def _node(g: Any, t: Terms, key: str, cls: Iterable[URIRef], patient: Any) -> Any:
    s = t.iri(key)
    for c in cls:
        g.add((s, t.type, t.ref(c)))
    g.add((s, t.T.patient, patient))
    g.add((s, t.T.sourceResource, t.source(key)))
    return s


def _diagnosis(g: Any, t: Terms, r: DiagnosisRecord, p: Any) -> None:
    s = _node(g, t, r.key, r.classes, p)
    if r.code:
        g.add((s, t.T.sourceCode, t.string(r.code)))
    if r.onset is not None:
        _start(g, t, s, r.onset, t.T.onsetDate, t.T.onsetDateLatest, False)
    elif r.onset_latest is not None:
        g.add((s, t.T.onsetDateLatest, t.date(r.onset_latest)))
    else:
        g.add((s, t.T.onsetDateUnknown, t.true))
    if r.abatement is not None:
        g.add((s, t.T.abatementDate, t.date(r.abatement)))
    if r.active is not None:
        g.add((s, t.T.isActive, t.string(r.active)))


def _noncompliance(g: Any, t: Terms, r: NoncomplianceRecord, p: Any) -> None:
    s = _node(g, t, r.key, r.classes, p)
    if r.code:
        g.add((s, t.T.sourceCode, t.string(r.code)))
    if r.date is not None:
        _dated(g, t, s, r.date)


def _dated(g: Any, t: Terms, s: Any, span: DateSpan) -> None:
    _start(g, t, s, span, t.T.date, t.T.dateLatest, False)


def _assessment(g: Any, t: Terms, r: AssessmentRecord, p: Any) -> None:
    s = _node(g, t, r.key, (T.Assessment,), p)
    g.add((s, t.T.instrument, t.ref(r.instrument)))
    g.add((s, t.T.score, t.integer(r.score)))
    _dated(g, t, s, r.date)
    for src in r.sources:
        g.add((s, t.T.sourceResource, t.source(src)))


def _lab(g: Any, t: Terms, r: LabRecord, p: Any) -> None:
    s = _node(g, t, r.key, (T.LabMeasurement,), p)
    g.add((s, t.T.analyte, t.ref(r.analyte)))
    g.add((s, t.T.value, t.decimal(r.value)))
    g.add((s, t.T.unit, t.ref(r.unit)))
    _dated(g, t, s, r.date)


def _phenotype(g: Any, t: Terms, r: PhenotypeRecord, p: Any) -> None:
    s = _node(g, t, r.key, (T.PhenotypeResult,), p)
    g.add((s, t.T.gene, t.ref(r.gene)))
    g.add((s, t.T.phenotype, t.ref(r.phenotype)))
    _dated(g, t, s, r.date)


def _genotype(g: Any, t: Terms, r: GenotypeRecord, p: Any) -> None:
    s = _node(g, t, r.key, (T.GenotypeResult,), p)
    g.add((s, t.T.gene, t.ref(r.gene)))
    g.add((s, t.T.variant, t.ref(r.variant)))
    g.add((s, t.T.alleles, t.string(r.alleles)))
    _dated(g, t, s, r.date)


def _ect(g: Any, t: Terms, r: ECTCourseRecord, p: Any) -> None:
    s = _node(g, t, r.key, (r.cls,), p)
    _start(g, t, s, r.start)
    if r.end is not None:
        _end(g, t, s, r.end)
    g.add((s, t.T.laterality, t.ref(r.laterality)))
    if r.absent_response:
        g.add((s, t.T.absentResponse, t.true))


def _period(g: Any, t: Terms, r: DosePeriodRecord, trial: Any) -> None:
    s = t.iri(r.key)
    g.add((s, t.type, t.T.DosePeriod))
    g.add((s, t.T.trial, trial))
    _start(g, t, s, r.start)
    _period_end(g, t, s, r.end, r.ongoing, required=False)
    if r.daily_dose_mg is not None:
        g.add((s, t.T.dailyDoseMg, t.decimal(r.daily_dose_mg)))
    g.add((s, t.T.sourceResource, t.source(r.key)))


def _trial(g: Any, t: Terms, r: TrialRecord, p: Any) -> None:
    s = t.trial(r.key)
    g.add((s, t.type, t.T.AntidepressantTrial))
    g.add((s, t.T.patient, p))
    g.add((s, t.T.identifier, t.string(r.identifier)))
    g.add((s, t.T.drug, t.ref(r.drug)))
    _start(g, t, s, r.start)
    _period_end(g, t, s, r.end, r.ongoing, required=True)
    for period in r.periods:
        _period(g, t, period, s)
    for src in r.sources:
        g.add((s, t.T.sourceResource, t.source(src)))
    if r.dose_optimised:
        g.add((s, t.T.doseOptimised, t.true))
    if r.daily_dose_mg is not None:
        g.add((s, t.T.dailyDoseMg, t.decimal(r.daily_dose_mg)))
    if r.stop_reason is not None:
        g.add((s, t.T.stopReason, t.ref(r.stop_reason)))
    for agent in r.augmented_with:
        g.add((s, t.T.augmentedWith, t.ref(agent)))
    if r.adherence is not None:
        g.add((s, t.T.adherence, t.decimal(r.adherence)))


def _medication_use(g: Any, t: Terms, r: MedicationUseRecord, p: Any) -> None:
    s = _node(g, t, r.key, (T.MedicationUse,), p)
    if r.drug is not None:
        g.add((s, t.T.drug, t.ref(r.drug)))
    if r.code:
        g.add((s, t.T.sourceCode, t.string(r.code)))
    if r.label:
        g.add((s, t.label, t.string(r.label)))
    if r.start is not None:
        _start(g, t, s, r.start)
    _period_end(g, t, s, r.end, r.ongoing, required=False)
    if r.daily_dose_mg is not None:
        g.add((s, t.T.dailyDoseMg, t.decimal(r.daily_dose_mg)))
    for src in r.sources:
        g.add((s, t.T.sourceResource, t.source(src)))


def add_patient(records: PatientRecords, g: Any, terms: Terms = RDF_TERMS) -> Any:
    """Add every record of one patient to ``g`` (anything with ``add(triple)``), in the term
    encoding ``terms`` (rdflib terms by default; see the module docstring); returns the patient node."""
    t = terms
    pr = records.patient
    p = t.node("Patient", pr.id)
    g.add((p, t.type, t.T.Patient))
    g.add((p, t.T.identifier, t.string(pr.id)))
    g.add((p, t.T.sourceResource, t.source(pr.key)))
    if pr.birth_date is not None:
        g.add((p, t.T.birthDate, t.date(pr.birth_date)))
    if pr.gender is not None:
        g.add((p, t.T.gender, t.string(pr.gender)))
    for d in records.diagnoses:
        _diagnosis(g, t, d, p)
    for n in records.noncompliance:
        _noncompliance(g, t, n, p)
    for a in records.assessments:
        _assessment(g, t, a, p)
    for lab in records.labs:
        _lab(g, t, lab, p)
    for ph in records.phenotypes:
        _phenotype(g, t, ph, p)
    for ge in records.genotypes:
        _genotype(g, t, ge, p)
    for e in records.ect_courses:
        _ect(g, t, e, p)
    for tr in records.trials:
        _trial(g, t, tr, p)
    for m in records.medication_uses:
        _medication_use(g, t, m, p)
    return p


__all__ = ["RDF_TERMS", "TEXT_TERMS", "RdfTerms", "TextLiteral", "TextTerms", "add_patient", "iri"]
