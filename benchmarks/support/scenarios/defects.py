"""A generated multi-patient graph in which every patient has at least one problem.

Why: the shape fixtures (tests/shapes) hold one problem each; this cohort checks that one
validation of a big file lists *every* patient's problems (not only the first) and that the fast
validator equals pySHACL on a graph with many focus nodes of every kind (tests/shapes), and it is
the validator benchmark's worst case (``benchmarks/validate_fast.py``: every patient yields
results). Deterministic: patient i gets defect i mod len(DEFECTS).
Clinical values (doses, ranges) are the reference's (docs/clinical-reference.md §2, §3).
"""

from __future__ import annotations

HEAD = """@prefix trd: <https://w3id.org/trd-reasoner/ontology#> .
@prefix ex:  <https://example.org/trd/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""

#: name -> (trial attributes override, extra Turtle for the patient); {p} is the patient id.
DEFECTS: list[tuple[str, dict[str, str | None], str]] = [
    ("hamd-out-of-range", {}, 'ex:{p}-a9 a trd:Assessment ; trd:patient ex:{p} ; trd:instrument trd:HAMD17 ; trd:score 60 ; trd:date "2025-02-01"^^xsd:date .'),
    ("adherence-above-one", {"adherence": "1.4"}, ""),
    ("end-before-start", {"end": "2024-12-01"}, ""),
    ("no-drug", {"drug": None}, ""),
    ("integer-dose", {"dose": "100"}, ""),
    ("short-trial", {"end": "2025-02-10"}, ""),
    ("low-dose", {"dose": "25.0"}, ""),
    ("adherence-unknown", {"adherence": None}, ""),
    ("intolerance", {"extra": "trd:stopReason trd:stop-intolerance"}, ""),
    ("unknown-unit", {}, 'ex:{p}-l9 a trd:LabMeasurement ; trd:patient ex:{p} ; trd:analyte trd:TSH ; trd:value 3.0 ; trd:unit ex:unit-x ; trd:date "2025-01-05"^^xsd:date .'),
    ("blank-assessment", {}, '[] a trd:Assessment ; trd:patient ex:{p} ; trd:instrument trd:MADRS ; trd:score 20 ; trd:date "2025-01-05"^^xsd:date .'),
    ("bad-source-code", {}, 'ex:{p}-dx trd:sourceCode "ICD10:F33.1" .'),
    ("no-end-not-ongoing", {"end": None}, ""),
    ("orphan-lab", {}, 'ex:{p}-l8 a trd:LabMeasurement ; trd:analyte trd:CRP ; trd:value 4.0 ; trd:unit trd:unit-mg-per-L ; trd:date "2025-01-05"^^xsd:date .'),
    ("zero-dose", {"dose": "0.0"}, ""),
    ("two-drugs", {"drug": "trd:sertraline, trd:escitalopram"}, ""),
]


def patient_turtle(i: int) -> str:
    """One patient: a valid record set plus defect i mod len(DEFECTS)."""
    p = f"pat-{i:04d}"
    _name, trial, extra = DEFECTS[i % len(DEFECTS)]
    t = {"drug": "trd:sertraline", "start": "2025-01-06", "end": "2025-03-10", "dose": "100.0", "adherence": "0.9",
         "extra": None, **trial}
    parts = [f"ex:{p}-t1 a trd:AntidepressantTrial ; trd:patient ex:{p}"]
    if t["drug"]:
        parts.append(f"trd:drug {t['drug']}")
    parts.append(f'trd:startDate "{t["start"]}"^^xsd:date')
    if t["end"]:
        parts.append(f'trd:endDate "{t["end"]}"^^xsd:date')
    if t["dose"]:
        parts.append(f"trd:dailyDoseMg {t['dose']}")
    if t["adherence"]:
        parts.append(f"trd:adherence {t['adherence']}")
    if t["extra"]:
        parts.append(t["extra"])
    return "\n".join([
        f'ex:{p} a trd:Patient ; trd:identifier "{p}" ; trd:birthDate "1980-01-01"^^xsd:date .',
        f'ex:{p}-dx a trd:MDDRecurrentDiagnosis ; trd:patient ex:{p} ; trd:onsetDate "2024-11-01"^^xsd:date ; trd:isActive true .',
        " ;\n    ".join(parts) + " .",
        f'ex:{p}-a1 a trd:Assessment ; trd:patient ex:{p} ; trd:instrument trd:HAMD17 ; trd:score 24 ; trd:date "2025-01-05"^^xsd:date .',
        f'ex:{p}-a2 a trd:Assessment ; trd:patient ex:{p} ; trd:instrument trd:HAMD17 ; trd:score 18 ; trd:date "2025-03-08"^^xsd:date .',
        f'ex:{p}-l1 a trd:LabMeasurement ; trd:patient ex:{p} ; trd:analyte trd:TSH ; trd:value 2.1 ; trd:unit trd:unit-mIU-per-L ; trd:date "2025-01-05"^^xsd:date .',
        extra.format(p=p),
        "",
    ])


def cohort_turtle(n: int) -> str:
    """n patients in one Turtle document."""
    return HEAD + "\n" + "\n".join(patient_turtle(i) for i in range(n))
