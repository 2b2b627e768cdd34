"""Writes the FHIR regression cases of issue 16 (hostile or broken values) into this folder.

Each case is a data file (a Bundle ``<case>.json`` or a Bulk folder ``<case>/``) and, beside it, the
outcome written by hand, ``<case>.expected.json`` (read by tests/corpus/test_fhir_corpus.py). The
data files are committed; run ``python tests/corpus/fhir/make_cases.py`` to write them again.

Every case tells the story of tests/fhir/real_shapes_corpus.py (trial A of sertraline failed;
trial B of venlafaxine in the shape under test) with one hostile value in B or in the patient.
JSON that Python's encoder would refuse (``NaN``, ``Infinity``, a 400-digit integer) is written as
text, the way a broken exporter writes it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from tests.fhir.real_shapes_corpus import bundle, daily, patient, story, trial_b  # noqa: E402

#: A dose value that json.dumps cannot write, as raw JSON text (replaces the placeholder 987654321).
RAW_DOSES = {"dose-nan": "NaN", "dose-infinity": "Infinity", "dose-1e309": "1e309", "dose-1e308": "1e308",
             "dose-400-digits": "9" * 400}
PLACEHOLDER = 987654321


def _write(name: str, doc: dict, raw: str | None = None) -> None:
    text = json.dumps(doc, indent=1)
    if raw is not None:
        text = text.replace(str(PLACEHOLDER), raw)
    (HERE / f"{name}.json").write_text(text + "\n", encoding="utf-8")


def _bulk(name: str, files: dict[str, list]) -> None:
    folder = HERE / name
    folder.mkdir(exist_ok=True)
    for file, lines in files.items():
        (folder / file).write_text("".join((json.dumps(x) if isinstance(x, dict) else x) + "\n" for x in lines),
                                   encoding="utf-8")


def main() -> None:
    for name, start in (("start-2025-02-30", "2025-02-30"), ("start-10000-01-01", "10000-01-01"),
                        ("start-0000-01-01", "0000-01-01"), ("start-yesterday", "yesterday")):
        _write(name, bundle(story([trial_b(effectivePeriod={"start": start, "end": "2025-07-07"})])))
    for name, value in (("dose-ten", "ten"), ("dose-true", True)):
        _write(name, bundle(story([trial_b(dosage=[daily(value)])])))  # type: ignore[arg-type]
    for name, raw in RAW_DOSES.items():
        _write(name, bundle(story([trial_b(dosage=[daily(PLACEHOLDER)])])), raw)

    # a Bulk export with one truncated line that names its patient, and one that names none
    resources = story([trial_b()])
    files: dict[str, list] = {}
    for r in resources:
        files.setdefault(f"{r['resourceType']}.ndjson", []).append(r)
    line = json.dumps(trial_b())
    files["MedicationStatement.ndjson"].append(line[: line.index('"subject"') + 40])
    files["Condition.ndjson"].append('{"resourceType": "Condition", "id": "c-broken", "code": {"coding": [{"sys')
    _bulk("truncated-lines", files)

    # patient ids FHIR does not allow: kept as given, made safe only in IRIs
    ids = ["a/b", "..", "a b", "a\u0000b", "a\nb", "<x>", "x" * 100_000]
    people = []
    for pid in ids:
        p = {**patient(), "id": pid}
        p.pop("identifier")
        people += [p, {"resourceType": "Condition", "id": f"dx-{ids.index(pid)}", "subject": {"reference": f"Patient/{pid}"},
                       "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "F33.1"}]},
                       "clinicalStatus": {"coding": [{"code": "active"}]}, "onsetDateTime": "2024-11-01"}]
    _write("patient-ids", bundle(people))
    _bulk("patient-ids-bulk", {"Patient.ndjson": [p for p in people if p["resourceType"] == "Patient"],
                               "Condition.ndjson": [p for p in people if p["resourceType"] == "Condition"]})

    # the same Patient twice, with another birthDate: the first read is used, the second reported
    _write("duplicate-patient", bundle(story([trial_b()]) + [{**patient(), "birthDate": "1975-02-01"}]))


if __name__ == "__main__":
    main()
