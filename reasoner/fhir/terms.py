"""Ontology terms used by the mappers, resolved to IRIs once.

Why: ``TRD.patient`` builds a new ``URIRef`` on every attribute access (rdflib's Namespace is a
``str`` subclass with ``__getattr__``), and the per-patient conversion touches such terms about a
hundred times per patient. A plain namespace of pre-built IRIs makes that a dict lookup.
These are names of the data model (docs/data-model.md §4, §6), not codes or thresholds.
"""

from __future__ import annotations

from types import SimpleNamespace

from reasoner.knowledge.namespaces import TRD

_NAMES = (
    "Analyte Antidepressant AntidepressantTrial Assessment AugmentingAgent Diagnosis DosePeriod Drug ECTCourse "
    "Gene GeneticVariant GenotypeResult InstrumentItem InstrumentPanel LabMeasurement MedicationUse MetabolizerPhenotype "
    "NoncomplianceFinding TimingAbbreviation "
    "Patient PhenotypeResult RatingInstrument StopReason abatementDate absentResponse adherence alleles analyte "
    "augmentedWith birthDate dailyDoseMg date dateLatest doseOptimised drug endDate endDateEarliest endDateUnknown gender "
    "gene identifier instrument "
    "isActive laterality ongoing onsetDate onsetDateLatest onsetDateUnknown patient phenotype score sourceCode "
    "sourceResource startDate startDateLatest startDateUnknown "
    "stopReason trial unit value variant"
).split()

#: ``T.patient`` is ``TRD.patient`` as a ready URIRef.
T = SimpleNamespace(**{name: TRD[name] for name in _NAMES})
