"""Hostile or sloppy resources never crash the importer: every field replaced by a wrong type.

Each variant must convert (or be reported); an exception other than InputError would surface as a
traceback to the user.
"""

from __future__ import annotations

import copy

from .builders import (ICD10, LOINC, SERTRALINE, SNOMED, TRDCS, concept, condition, convert, dispense, dosage,
                       observation, patient, quantity, request, statement)

WRONG = [None, 7, "x", [], {}, [1, "a"], {"a": [1]}, True]


def _paths(obj, prefix=()):
    """Every key path of a JSON object (lists through index 0)."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield prefix + (k,)
            yield from _paths(v, prefix + (k,))
    elif isinstance(obj, list) and obj:
        yield prefix + (0,)
        yield from _paths(obj[0], prefix + (0,))


def _set(obj, path, value):
    for step in path[:-1]:
        obj = obj[step]
    obj[path[-1]] = value


def test_no_field_of_any_mapped_type_can_crash_the_importer():
    resources = [
        patient(), condition("c1", concept(ICD10, "F33.1"), abatementDateTime="2025-01-01"),
        statement("s1", SERTRALINE, "2025-01-06", "2025-03-10", dose=dosage(100), reason="59037007"),
        request("r1", SERTRALINE, "2025-04-01", dose=dosage(100), supply_days=30, repeats=1),
        dispense("d1", SERTRALINE, "2025-01-06", 30),
        {**observation("o1", concept(TRDCS, "adherence"), "2025-02-01", **quantity(90, "%")),
         "focus": [{"reference": "MedicationStatement/s1"}]},
        observation("o2", concept(LOINC, "1988-5"), "2025-01-05", **quantity(0.4, "mg/dL")),
        observation("o3", concept(LOINC, "79714-2"), "2025-01-05", valueCodeableConcept=concept(LOINC, "LA10315-2")),
        {"resourceType": "Procedure", "id": "e1", "status": "completed", "code": concept(TRDCS, "ect"),
         "subject": {"reference": "Patient/p1"}, "performedPeriod": {"start": "2025-05-01", "end": "2025-06-01"},
         "outcome": concept(SNOMED, "266721009"), "bodySite": [{"text": "unilateral"}]},
    ]
    variants = 0
    for i, res in enumerate(resources):
        for path in list(_paths(res)):
            if path == ("resourceType",):
                continue
            for wrong in WRONG:
                broken = copy.deepcopy(resources)
                _set(broken[i], path, wrong)
                graph, report = convert(broken)  # must not raise
                assert report.consistent()
                variants += 1
    assert variants > 500
