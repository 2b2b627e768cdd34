"""Regression: `trd assess --as-of` used to import FHIR with today's date, so a statement that ended
after the evaluation date was judged finished (fhir-profile: open or future ends are ongoing up to
the evaluation date). The input seam now passes the evaluation date to the importer."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from rdflib import Literal
from rdflib.namespace import XSD

from reasoner.knowledge.namespaces import TRD
from reasoner.inputs import load_input

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"


def bundle(tmp_path: Path) -> Path:
    resources = [
        {"resourceType": "Patient", "id": "p1", "birthDate": "1980-01-01", "gender": "female"},
        {"resourceType": "MedicationStatement", "id": "ms1", "status": "active",
         "subject": {"reference": "Patient/p1"},
         "medicationCodeableConcept": {"coding": [{"system": RXNORM, "code": "36437"}]},
         "effectivePeriod": {"start": "2025-11-03", "end": "2026-06-01"},
         "dosage": [{"doseAndRate": [{"doseQuantity": {"value": 100, "unit": "mg",
                                                       "system": "http://unitsofmeasure.org", "code": "mg"}}],
                     "timing": {"repeat": {"frequency": 1, "period": 1, "periodUnit": "d"}}}]},
    ]
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps({"resourceType": "Bundle", "type": "collection",
                                "entry": [{"resource": r} for r in resources]}))
    return path


def test_statement_ending_after_the_evaluation_date_is_ongoing(tmp_path: Path) -> None:
    graph = load_input(bundle(tmp_path), as_of=dt.date(2026, 1, 15))
    assert (None, TRD.ongoing, Literal(True)) in graph


def test_statement_ended_before_the_evaluation_date_is_finished(tmp_path: Path) -> None:
    graph = load_input(bundle(tmp_path), as_of="2026-09-01")
    assert (None, TRD.ongoing, Literal(True)) not in graph
    assert (None, TRD.endDate, Literal("2026-06-01", datatype=XSD.date)) in graph
