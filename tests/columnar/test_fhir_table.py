"""The columnar processor's triples table made from the importer's records directly
(:mod:`reasoner.columnar.fhir_table`) is exactly the table the N-Triples path gives
(N-Triples written by the importer, read by :func:`reasoner.columnar.tables.parse_ntriples`):
every row, in order, on the real-shapes corpus, on generated patients and on odd text.
One triple that differs fails."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from rdflib import RDF, URIRef

from reasoner.cohort.pipeline_processor import ShardImport, _fhir_import
from reasoner.cohort.shards import FHIR, ShardSpec, materialize
from reasoner.cohort.worker import RunSettings
from reasoner.columnar.fhir_table import join_tables, text_triples_table
from reasoner.columnar.tables import parse_ntriples
from reasoner.fhir import iter_resources
from reasoner.fhir.bulk_index import FhirIndex
from reasoner.fhir.convert import resources_to_ntriples, resources_to_triples, text_to_ntriples, to_ntriples
from reasoner.fhir.triples import RDF_TERMS, TEXT_TERMS

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "tests" / "fhir" / "real-shapes"
AS_OF = dt.date(2026, 1, 15)


def _same(old: pa.Table, new: pa.Table) -> None:
    """Equal tables, or the first row that differs in the failure message."""
    if old.equals(new):
        return
    a, b = old.to_pylist(), new.to_pylist()
    for i, (x, y) in enumerate(zip(a, b)):
        assert x == y, f"row {i} differs"
    assert len(a) == len(b), f"{len(a)} rows by N-Triples, {len(b)} directly"
    assert old.schema == new.schema
    raise AssertionError("tables differ")  # pragma: no cover


def _both(resources: list[dict[str, Any]]) -> tuple[bytes, pa.Table, list, list]:
    rdf, report_rdf, used_rdf = resources_to_triples(resources, as_of=AS_OF, terms=RDF_TERMS)
    text, report_text, used_text = resources_to_triples(resources, as_of=AS_OF, terms=TEXT_TERMS)
    assert report_rdf.model_dump() == report_text.model_dump() and used_rdf == used_text
    return to_ntriples(rdf), text_triples_table(text), rdf, text


@pytest.mark.parametrize("name", sorted(p.name for p in CORPUS.iterdir()))
def test_real_shapes_give_the_same_table(name: str) -> None:
    resources = list(iter_resources(CORPUS / name))
    data, table, _, text = _both(resources)
    assert table.num_rows > 0
    _same(parse_ntriples(data), table)
    assert text_to_ntriples(text) == data  # the way back writes the very same bytes
    assert resources_to_ntriples(resources, as_of=AS_OF)[0] == data  # the public N-Triples path too


def test_an_iri_rdflib_refuses_is_refused_alike() -> None:
    """No importer IRI has such characters (ids are percent-encoded); if one had, both encodings
    would refuse it with rdflib's words."""
    bad = "https://w3id.org/trd-reasoner/fhir/Patient/a b"
    with pytest.raises(Exception) as old:
        to_ntriples([(URIRef(bad), RDF.type, URIRef(bad))])
    with pytest.raises(Exception) as new:
        text_to_ntriples([(bad, str(RDF.type), bad)])
    assert str(old.value) == str(new.value)


ODD = ['a"b', "back\\slash", "line\nbreak\r", "tab\there", "é ü 漢字 🙂", "\x00nul\x7f", "\u2028", " ", "%20",
       "..", ".", "Patient/x", "<iri>", "_:b0"]


def _patient_story(pid: str, label: str) -> list[dict[str, Any]]:
    subject = {"reference": f"Patient/{pid}"}
    return [
        {"resourceType": "Patient", "id": pid, "gender": "female", "birthDate": "1980-02"},
        {"resourceType": "Condition", "id": f"c-{pid}", "subject": subject, "onsetDateTime": "2024-11",
         "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "F33.1"}]},
         "clinicalStatus": {"coding": [{"code": "active"}]}},
        {"resourceType": "MedicationStatement", "id": f"m-{pid}", "status": "completed", "subject": subject,
         "medicationCodeableConcept": {"coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm",
                                                   "code": "36437", "display": "sertraline"}]},
         "effectivePeriod": {"start": "2025-01-06", "end": "2025-03-17"},
         "dosage": [{"doseAndRate": [{"doseQuantity": {"value": 100.0000001, "unit": "mg"}}],
                     "timing": {"repeat": {"frequency": 1, "period": 1, "periodUnit": "d"}}}]},
        {"resourceType": "MedicationStatement", "id": f"o-{pid}", "status": "completed", "subject": subject,
         "medicationCodeableConcept": {"text": label}, "effectiveDateTime": "2025-02"},
        {"resourceType": "Observation", "id": f"h-{pid}", "status": "final", "subject": subject,
         "code": {"coding": [{"system": "http://loinc.org", "code": "44249-1"}]},
         "effectiveDateTime": "2025-01-05", "valueQuantity": {"value": 14}},
    ]


def test_odd_ids_and_text_give_the_same_table() -> None:
    resources = [r for i, odd in enumerate(ODD) for r in _patient_story(f"{odd}{i}", f"a drug {odd}")]
    data, table, _, text = _both(resources)
    _same(parse_ntriples(data), table)
    assert text_to_ntriples(text) == data


def test_text_arrow_cannot_hold_fails_as_the_ntriples_path_fails() -> None:
    """A lone surrogate (JSON ``"\\ud800"``): both paths raise the same error."""
    resources = _patient_story("p1", "drug \ud800")
    rdf, _, _ = resources_to_triples(resources, as_of=AS_OF)
    text, _, _ = resources_to_triples(resources, as_of=AS_OF, terms=TEXT_TERMS)
    with pytest.raises(UnicodeEncodeError) as old:
        to_ntriples(rdf)
    with pytest.raises(UnicodeEncodeError) as new:
        text_to_ntriples(text)
    assert str(old.value) == str(new.value)
    with pytest.raises((ValueError, pa.ArrowException)):
        text_triples_table(text)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    from benchmarks.support.synthetic import generate_cohort

    out = tmp_path_factory.mktemp("generated")
    generate_cohort(out, 300, turtle=False)
    index = FhirIndex(out / "index.sqlite", out / "fhir")
    index.build()
    index.close()
    return out / "index.sqlite", out / "fhir"


@pytest.mark.parametrize("first,stop", [(0, 300), (17, 18)])
def test_generated_patients_give_the_same_table(generated: tuple[Path, Path], first: int, stop: int) -> None:
    db, source = generated
    shard = materialize(ShardSpec(0, FHIR, str(db), str(source), first, stop))
    settings = RunSettings(policy="default", as_of=AS_OF.isoformat())
    by_nt, direct = ShardImport(shard, settings), ShardImport(shard, settings)
    units_nt, units_table = by_nt.units(shard.groups), direct.units(shard.groups, form="table")
    assert [(u.pid, u.error) for u in units_nt] == [(u.pid, u.error) for u in units_table]
    old = parse_ntriples(b"".join(u.data for u in units_nt if u.error is None))
    new = join_tables([u.data for u in units_table if u.error is None])
    assert new.num_rows > 0
    _same(old, new)
    assert (by_nt.issues, by_nt.lost, by_nt.counts) == (direct.issues, direct.lost, direct.counts)
    # and the N-Triples are the bytes rdflib terms give (the encoding before the text one)
    rdf = _fhir_import(shard.groups, settings.as_of, shard.shared, shard.broken, settings.policy, RDF_TERMS)[0]
    assert [u.data for u in units_nt] == [to_ntriples(rdf)]


def test_patient_by_patient_units_join_as_their_ntriples_do(generated: tuple[Path, Path]) -> None:
    """The fallback of a batch the importer refuses: one unit per patient, joined without
    removing duplicates across units (as joined N-Triples keep them)."""
    db, source = generated
    shard = materialize(ShardSpec(0, FHIR, str(db), str(source), 0, 40))
    settings = RunSettings(policy="default", as_of=AS_OF.isoformat())
    groups = shard.groups[:5] + shard.groups[:5]  # the same patients twice: duplicate triples across units
    units_nt, units_table = [], []
    for group in groups:
        units_nt += ShardImport(shard, settings).units([group])
        units_table += ShardImport(shard, settings).units([group], form="table")
    _same(parse_ntriples(b"".join(u.data for u in units_nt)), join_tables([u.data for u in units_table]))
