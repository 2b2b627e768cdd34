"""The typed records the FHIR reader yields: the one seam between FHIR and everything after it.

Why a seam of typed records: FHIR is understood in one place (the readers of this package turn
resources into these records), and what is built from the records does not read FHIR again.
Today one consumer exists, :mod:`reasoner.fhir.triples` (records -> the RDF patient graph of
docs/data-model.md §6, the last step of an import); the columnar cohort engine (issue 17) reads
the same records into typed tables. Each record mirrors one node kind of data-model §6 and
names the FHIR resources it was made from (``sources``, ``Type/id``), so provenance survives
every consumer.

| record | data-model §6 node | made from |
|---|---|---|
| :class:`PatientRecord` | ``trd:Patient`` | Patient (or a reference to one) |
| :class:`DiagnosisRecord` | a ``trd:Diagnosis`` subclass | Condition |
| :class:`NoncomplianceRecord` | ``trd:NoncomplianceFinding`` | Condition / Observation (SNOMED 129834002) |
| :class:`AssessmentRecord` | ``trd:Assessment`` (score) | Observation, panel, QuestionnaireResponse |
| :class:`LabRecord` | ``trd:LabMeasurement`` | Observation |
| :class:`PhenotypeRecord` | ``trd:PhenotypeResult`` | Observation (CYP2D6/CYP2C19) |
| :class:`GenotypeRecord` | ``trd:GenotypeResult`` | Observation (ABCB1) |
| :class:`ECTCourseRecord` | ``trd:ECTCourse`` | Procedure |
| :class:`TrialRecord` + :class:`DosePeriodRecord` | ``trd:AntidepressantTrial``, ``trd:DosePeriod`` | MedicationStatement/Request (+ Dispense, adherence Observation) |
| :class:`MedicationUseRecord` | ``trd:MedicationUse`` | MedicationStatement/Request of another drug |
| :class:`DataIssue` | a ``dataIssues`` entry of the output | anything that could not be used as given |

Dates are :class:`~reasoner.fhir.values.DateSpan` (a day, or the days of a partial date): a
consumer writes the first day as the date and the last as its latest bound (RDF:
``trd:startDate`` + ``trd:startDateLatest``; the end of a period: ``trd:endDate`` = last day +
``trd:endDateEarliest``). Terms (drug, class, instrument, unit, stop reason …) are ontology IRIs,
resolved by the reader through the ontology's code tables. Numbers are finite and checked
(:mod:`reasoner.fhir.values`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from rdflib import URIRef

from reasoner.fhir.values import DateSpan

#: Severities of a data issue (docs/output-contract.md).
WARNING, INFO, VIOLATION = "warning", "info", "violation"


@dataclass
class DataIssue:
    """Something about an input record the user must know: it names the record (``resource``
    ``Type/id``, or ``source`` ``File.ndjson:17`` for an unreadable line), says what is wrong
    (``message``) and what it did to the assessment (``effect``)."""

    message: str
    effect: str
    resource: str | None = None
    source: str | None = None
    severity: str = WARNING
    patient: str | None = None  # the patient id it belongs to; None: no patient can be named
    kind: str = ""  # a short stable name ("bad date", "dose unknown", …): what summaries count

    def output(self) -> dict[str, Any]:
        """The ``dataIssues`` entry of the JSON output (docs/output-contract.md)."""
        out: dict[str, Any] = {"severity": self.severity}
        if self.resource is not None:
            out["resource"] = self.resource
        if self.source is not None:
            out["source"] = self.source
        out["message"] = self.message
        out["effect"] = self.effect
        if self.kind:
            out["kind"] = self.kind
        return out


@dataclass
class PatientRecord:
    """A patient: ``id`` is the FHIR ``Patient.id`` as given (the output's patient id)."""

    id: str
    birth_date: dt.date | None = None
    gender: str | None = None
    #: False when no Patient resource was read (records name a patient the input does not hold)
    from_resource: bool = True

    @property
    def key(self) -> str:
        return f"Patient/{self.id}"


@dataclass
class DiagnosisRecord:
    """A diagnosis; ``classes`` are the ontology classes its code maps to."""

    key: str  # Condition/<id>
    classes: tuple[URIRef, ...]
    code: str | None  # SYSTEM:code that mapped
    onset: DateSpan | None = None
    #: only a latest bound of the onset is known (a Condition with ``recordedDate`` alone)
    onset_latest: dt.date | None = None
    abatement: dt.date | None = None
    active: bool | None = None


@dataclass
class NoncomplianceRecord:
    """A recorded finding of medication noncompliance (fhir-profile "Adherence", point 3)."""

    key: str  # Condition/<id> or Observation/<id>
    classes: tuple[URIRef, ...]
    code: str | None
    date: DateSpan | None = None


@dataclass
class AssessmentRecord:
    """A rating-scale total."""

    key: str  # Observation/<id> or QuestionnaireResponse/<id>
    instrument: URIRef
    score: int
    date: DateSpan
    sources: tuple[str, ...] = ()  # further resources the total was read from (panel items)


@dataclass
class LabRecord:
    """A lab value in the analyte's canonical unit."""

    key: str
    analyte: URIRef
    value: float
    unit: URIRef
    date: DateSpan


@dataclass
class PhenotypeRecord:
    key: str
    gene: URIRef
    phenotype: URIRef
    date: DateSpan


@dataclass
class GenotypeRecord:
    key: str
    gene: URIRef
    variant: URIRef
    alleles: str
    date: DateSpan


@dataclass
class ECTCourseRecord:
    key: str  # Procedure/<id>
    cls: URIRef
    start: DateSpan | None
    end: DateSpan | None
    laterality: URIRef
    absent_response: bool


@dataclass
class DosePeriodRecord:
    """One statement or order of a trial: a period at one daily dose (None: unknown)."""

    key: str  # MedicationStatement/<id> or MedicationRequest/<id>
    start: DateSpan | None
    end: DateSpan | None
    ongoing: bool
    daily_dose_mg: float | None


@dataclass
class TrialRecord:
    """An antidepressant trial (clinical-reference §2): one drug, its dose periods and what is
    known of adherence, stop reason and augmentation. ``key`` is its first statement/order."""

    key: str
    identifier: str
    drug: URIRef
    start: DateSpan | None
    end: DateSpan | None
    ongoing: bool
    periods: list[DosePeriodRecord] = field(default_factory=list)
    daily_dose_mg: float | None = None  # the one dose of every period, when they agree
    dose_optimised: bool = False
    adherence: float | None = None
    stop_reason: URIRef | None = None
    augmented_with: tuple[URIRef, ...] = ()
    #: resources the trial was made from: its statements/orders, adherence Observations,
    #: dispenses, Medications
    sources: tuple[str, ...] = ()


@dataclass
class MedicationUseRecord:
    """A medication outside an antidepressant trial (augmenting agent, other or unknown drug)."""

    key: str
    drug: URIRef | None
    code: str | None  # SYSTEM:code in the ontology's systems only (the shapes' pattern)
    label: str
    start: DateSpan | None
    end: DateSpan | None
    ongoing: bool
    daily_dose_mg: float | None = None
    sources: tuple[str, ...] = ()


@dataclass
class PatientRecords:
    """Everything the reader made of one patient's resources."""

    patient: PatientRecord
    diagnoses: list[DiagnosisRecord] = field(default_factory=list)
    noncompliance: list[NoncomplianceRecord] = field(default_factory=list)
    assessments: list[AssessmentRecord] = field(default_factory=list)
    labs: list[LabRecord] = field(default_factory=list)
    phenotypes: list[PhenotypeRecord] = field(default_factory=list)
    genotypes: list[GenotypeRecord] = field(default_factory=list)
    ect_courses: list[ECTCourseRecord] = field(default_factory=list)
    trials: list[TrialRecord] = field(default_factory=list)
    medication_uses: list[MedicationUseRecord] = field(default_factory=list)
    issues: list[DataIssue] = field(default_factory=list)


__all__ = ["DataIssue", "PatientRecord", "DiagnosisRecord", "NoncomplianceRecord", "AssessmentRecord", "LabRecord",
           "PhenotypeRecord", "GenotypeRecord", "ECTCourseRecord", "DosePeriodRecord", "TrialRecord",
           "MedicationUseRecord", "PatientRecords", "WARNING", "INFO", "VIOLATION"]
