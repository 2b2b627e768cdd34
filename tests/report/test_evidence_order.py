"""Evidence lists do not depend on the order a backend returns rows in (regression).

Found while speeding up the JSON read-back: the same patient gave its trial evidence in a
different order from one run to the next. Data items of a finding are now in date order, then
by id, and rules by query file, on both engines.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reasoner.pipeline import Pipeline

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "trd-confirmed.ttl"


def _evidence_lists(patients: list[dict]) -> list[list[dict]]:
    lists = []
    for patient in patients:
        for trial in patient["trials"]:
            lists.append(trial["evidence"])
        for key in ("pseudoResistance", "mechanisms", "options"):
            lists.extend(item["evidence"] for item in patient[key])
    return lists


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_evidence_is_in_date_then_rule_order(engine: str) -> None:
    patients = Pipeline(as_of="2026-01-15", backend=engine).assess(EXAMPLE.read_bytes(), format="turtle").patients
    lists = _evidence_lists(patients)
    assert any(sum(1 for i in ev if "date" in i) > 1 for ev in lists)   # the check has something to check
    for evidence in lists:
        rules = [i["rule"] for i in evidence if i["kind"] == "rule"]
        kinds = [i["kind"] for i in evidence]
        assert kinds == sorted(kinds)                                  # "data" before "rule"
        assert len(set(rules)) == len(rules)


def test_both_engines_give_the_same_evidence_order() -> None:
    data = EXAMPLE.read_bytes()
    fast = Pipeline(as_of="2026-01-15", backend="oxigraph").assess(data, format="turtle").patients
    reference = Pipeline(as_of="2026-01-15", backend="rdflib").assess(data, format="turtle").patients
    assert _evidence_lists(fast) == _evidence_lists(reference)
