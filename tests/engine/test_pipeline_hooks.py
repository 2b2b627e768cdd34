"""The pipeline's seams: its stages called one by one, and a validator of the caller's choice.

Why: benchmarks time the stages by calling them themselves (the product carries no clock), and the
reference path swaps in pySHACL through the validator seam. Neither may change what a call returns.
"""

from __future__ import annotations

from pathlib import Path

from reasoner.knowledge.namespaces import GRAPH_ASSERTED
from reasoner.pipeline import Pipeline
from reasoner.validate.report import ResultRecord, Validation

EXAMPLE = (Path(__file__).resolve().parents[2] / "examples" / "trd-confirmed.ttl").read_bytes()


def test_the_stages_called_one_by_one_give_what_assess_gives() -> None:
    pipe = Pipeline(as_of="2026-01-15")
    whole = pipe.assess(EXAMPLE, format="turtle")
    ws = pipe.workspace()
    ws.add_graph(GRAPH_ASSERTED, EXAMPLE, "turtle")
    stats = pipe.derive(ws)
    validation = pipe.check(ws)
    patients, unattributed = pipe.read(ws, validation)
    assert patients == whole.patients and unattributed == whole.unattributed
    assert validation is not None and validation.conforms == whole.conforms
    assert stats.passes == whole.stats.passes == 1


class _OneIssue:
    """A validator that reports one fixed warning, whatever the data."""

    name = "one-issue"

    def check(self, workspace, report=False, source=None) -> Validation:
        record = ResultRecord(focus_node="https://example.org/trd/pat-001", severity="Warning",
                              source_shape="urn:test:shape", constraint_component="urn:test:component",
                              messages=("from the injected validator",))
        return Validation(True, [record])


def test_a_validator_object_is_used_as_given() -> None:
    pipe = Pipeline(as_of="2026-01-15", validator=_OneIssue())
    result = pipe.assess(EXAMPLE, format="turtle")
    assert result.validation is not None and result.conforms
    issues = [i for p in result.patients for i in p.get("dataIssues", [])]
    assert [i["message"] for i in issues] == ["from the injected validator"]


def test_no_validator_means_no_validation() -> None:
    result = Pipeline(as_of="2026-01-15", validator=None).assess(EXAMPLE, format="turtle")
    assert result.validation is None and result.conforms
