"""Input handling: Bundles, NDJSON folders, bad input -> exit 2 naming the file, empty bundle, limits."""

from __future__ import annotations

import json

import pytest

from reasoner.cli.main import main
from reasoner.errors import InputError
from reasoner.fhir import iter_resources, load_patient_graph
from reasoner.fhir import reader
from reasoner.knowledge.namespaces import TRD

from .builders import (ICD10, SERTRALINE, bundle, concept, condition, dosage, iri, patient, statement, trials, value,
                       write_json)


def _run(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    return exit_info.value.code


@pytest.mark.parametrize("content, message", [("{not json", "not valid JSON"), ('{"hello": 1}', "not a FHIR resource"),
                                              ('[1, 2]', "not a FHIR resource")])
def test_bad_files_exit_2_naming_the_file(tmp_path, capsys, content, message):
    bad = tmp_path / "input.json"
    bad.write_text(content)
    assert _run(["import", str(bad), "-o", str(tmp_path / "out.ttl")]) == 2
    err = capsys.readouterr().err
    assert str(bad) in err and message in err and "Traceback" not in err
    assert not (tmp_path / "out.ttl").exists()


def test_ndjson_file_that_is_not_fhir_exits_2_naming_file_and_line(tmp_path, capsys):
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "Patient.ndjson").write_text("{oops\n[1, 2]\n")  # no line is a FHIR resource
    assert _run(["import", str(folder), "-o", str(tmp_path / "out.ttl")]) == 2
    assert f"{folder / 'Patient.ndjson'}:1" in capsys.readouterr().err


def test_a_truncated_first_line_of_an_export_file_is_a_data_issue(tmp_path):
    """Issue 16: a broken first line followed by resources is a truncated line, not a foreign file."""
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "Patient.ndjson").write_text('{"resourceType": "Patient", "id": "p0", "birthD\n' + json.dumps(patient()) + "\n")
    g, report = load_patient_graph(folder)
    [issue] = report.issues
    assert issue.source == "Patient.ndjson:1" and issue.patient == "p0" and "not valid JSON" in issue.message
    assert report.counts["Patient"].read == 2 and report.counts["Patient"].issues == 1


def test_a_bad_line_later_in_an_export_is_reported_and_the_rest_imported(tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "Patient.ndjson").write_text(json.dumps(patient("p1")) + "\n{oops\n" + '{"no": "type"}\n'
                                           + json.dumps(patient("p2")) + "\n")
    g, report = load_patient_graph(folder)
    assert report.counts["Patient"].read == 4 and report.counts["Patient"].mapped == 2
    assert [(u.id, u.reason) for u in report.unmapped] == [(f"{folder / 'Patient.ndjson'}:2", "unreadable line"),
                                                           (f"{folder / 'Patient.ndjson'}:3", "unreadable line")]
    assert value(g, iri("Patient", "p2"), "identifier") == "p2"


def test_unsupported_bundle_type_is_refused(tmp_path):
    path = write_json(tmp_path / "b.json", bundle([patient()], btype="history"))
    with pytest.raises(InputError, match="Bundle type"):
        list(iter_resources(path))


def test_empty_bundle_gives_no_patients_and_exit_0(tmp_path, capsys):
    path = write_json(tmp_path / "b.json", bundle([]))
    out = tmp_path / "out.ttl"
    assert _run(["import", str(path), "-o", str(out)]) == 0
    assert out.exists() and out.read_text().strip() == ""
    assert "patients: 0" in capsys.readouterr().out


def test_ndjson_line_limit(tmp_path, monkeypatch):
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "Patient.000.ndjson").write_text(json.dumps(patient()) + "\n")
    monkeypatch.setattr(reader, "MAX_LINE_BYTES", 20)
    with pytest.raises(InputError, match="longer than the limit"):
        list(iter_resources(folder))


def test_bundle_size_limit(tmp_path, monkeypatch):
    path = write_json(tmp_path / "b.json", bundle([patient()]))
    monkeypatch.setattr(reader, "MAX_BUNDLE_BYTES", 10)
    with pytest.raises(InputError, match="larger than the Bundle limit"):
        list(iter_resources(path))


def test_bulk_folder_streams_files_and_skips_non_resource_files(tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "Patient.000.ndjson").write_text(json.dumps(patient()) + "\n\n")
    (folder / "Condition.ndjson").write_text(json.dumps(condition("c1", concept(ICD10, "F33.1"))) + "\n")
    (folder / "log.ndjson").write_text('{"eventId": "kickoff"}\n')
    resources = iter_resources(folder)
    assert not isinstance(resources, list)  # lazy
    assert sorted(r["resourceType"] for r in resources) == ["Condition", "Patient"]


def test_urn_uuid_references_resolve_through_full_urls(tmp_path):
    doc = {"resourceType": "Bundle", "type": "transaction", "entry": [
        {"fullUrl": "urn:uuid:1f7c0a52-0000-4000-8000-000000000001", "resource": patient("pat-a"),
         "request": {"method": "POST", "url": "Patient"}},
        {"fullUrl": "urn:uuid:1f7c0a52-0000-4000-8000-000000000002",
         "resource": {**statement("s1", SERTRALINE, "2025-01-06", "2025-03-10", dose=dosage(100)),
                      "subject": {"reference": "urn:uuid:1f7c0a52-0000-4000-8000-000000000001"}}},
    ]}
    g, report = load_patient_graph(write_json(tmp_path / "b.json", doc))
    [t] = trials(g)
    assert value(g, t, "patient") == iri("Patient", "pat-a")
    assert report.consistent() and report.total_not_mapped == 0


def test_cli_writes_graph_and_report_and_strict_fails_on_unmapped(tmp_path, capsys):
    path = write_json(tmp_path / "b.json", bundle([
        patient(), statement("s1", SERTRALINE, "2025-01-06", "2025-03-10", dose=dosage(100)),
        {"resourceType": "Encounter", "id": "enc1", "status": "finished"}]))
    out, rep = tmp_path / "out.ttl", tmp_path / "report.json"
    assert _run(["import", str(path), "-o", str(out), "--report", str(rep), "--as-of", "2026-01-15"]) == 0
    from rdflib import Graph

    g = Graph().parse(out)
    assert len(trials(g)) == 1 and value(g, trials(g)[0], "drug") == TRD.sertraline
    report = json.loads(rep.read_text())
    assert report["counts"]["Encounter"] == {"read": 1, "mapped": 0, "notRelevant": 1, "issues": 0, "notMapped": 1}
    assert report["unmapped"] == [{"resourceType": "Encounter", "id": "enc1", "reason": "unsupported type", "detail": "",
                                   "category": "not relevant"}]
    assert "Encounter" in capsys.readouterr().out
    out2 = tmp_path / "strict.ttl"
    assert _run(["import", str(path), "-o", str(out2), "--strict"]) == 2
    assert "Encounter/enc1" in capsys.readouterr().err and not out2.exists()


def test_urn_uuid_subject_without_full_url_uses_the_uuid_as_patient_id():
    from reasoner.fhir import resources_to_graph

    ms = {**statement("s1", SERTRALINE, "2025-01-06", "2025-03-10", dose=dosage(100)),
          "subject": {"reference": "urn:uuid:1f7c0a52-0000-4000-8000-000000000001"}}
    g, report = resources_to_graph([patient("1f7c0a52-0000-4000-8000-000000000001"), ms])
    assert value(g, trials(g)[0], "patient") == iri("Patient", "1f7c0a52-0000-4000-8000-000000000001")
    assert report.total_not_mapped == 0


def test_ntriples_and_turtle_outputs_hold_the_same_triples(tmp_path):
    from rdflib import Graph

    path = write_json(tmp_path / "b.json", bundle([
        patient(), condition("c1", concept(ICD10, "F33.1")),
        statement("s1", SERTRALINE, "2025-01-06", "2025-03-10", dose=dosage(100))]))
    assert _run(["import", str(path), "-o", str(tmp_path / "o.nt"), "--as-of", "2026-01-15"]) == 0
    assert _run(["import", str(path), "-o", str(tmp_path / "o.ttl"), "--as-of", "2026-01-15"]) == 0
    nt, ttl = Graph().parse(tmp_path / "o.nt", format="nt"), Graph().parse(tmp_path / "o.ttl", format="turtle")
    assert len(nt) > 20 and set(nt) == set(ttl)


def test_deeply_nested_json_is_refused_cleanly(tmp_path, capsys):
    bad = tmp_path / "deep.json"
    bad.write_text('{"resourceType": "Bundle", "type": "collection", "entry": ' + "[" * 100_000 + "]" * 100_000 + "}")
    assert _run(["import", str(bad), "-o", str(tmp_path / "out.ttl")]) == 2
    err = capsys.readouterr().err
    assert str(bad) in err and "Traceback" not in err
