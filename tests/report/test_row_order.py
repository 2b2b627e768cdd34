"""The JSON findings do not depend on the order a backend returns rows in (regression).

The evidence reader kept the *first* row of a data node that has several values of one field
(two source resources, two labels), so which value a clinician saw depended on row order, which
SPARQL leaves undefined. The same held for the first row of a trial, a TRD finding, an option, and
for the patient a record of two patients was filed under. Each now keeps the least row.
"""

from __future__ import annotations

from typing import Any

from reasoner.findings.read import read_findings
from reasoner.knowledge.paths import EXAMPLES_DIR
from reasoner.pipeline import Pipeline

#: Two source resources for one score, and one record that claims two patients.
EXTRA = b"""
@prefix trd: <https://w3id.org/trd-reasoner/ontology#> .
@prefix ex:  <https://example.org/trd/> .
ex:pat-001-hamd-1 trd:sourceResource "Observation/b-second", "Observation/a-first" .
ex:pat-001-hamd-2 trd:patient ex:pat-777 .
"""


class _ReversedRows:
    """A workspace whose SELECT rows come back in reverse order (everything else unchanged)."""

    def __init__(self, ws: Any) -> None:
        self._ws = ws

    def select_values(self, query: str) -> list[dict[str, Any]]:
        return list(reversed(self._ws.select_values(query)))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._ws, name)


def test_findings_are_the_same_whatever_the_row_order() -> None:
    data = (EXAMPLES_DIR / "trd-confirmed.ttl").read_bytes() + EXTRA
    result = Pipeline(as_of="2026-01-15").assess(data, format="turtle", keep_workspace=True)
    issues = (result.validation.issues if result.validation else [])
    forward = read_findings(result.workspace, issues)
    backward = read_findings(_ReversedRows(result.workspace), issues)
    assert forward == backward
    patients, _unattributed = forward
    sources = {item.get("resource") for p in patients for t in p["trials"] for item in t["evidence"]
               if item.get("id", "").endswith("hamd-1")}
    assert sources == {"Observation/a-first"}   # the least value, in both orders
