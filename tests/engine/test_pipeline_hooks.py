"""Pipeline hooks for benchmarks and the reference path: stage timings and a validator of choice.

Why: benchmarks/profile_batch.py times the stages of ``Pipeline.assess`` itself (it used to copy
its steps), and cohort/baseline.py swaps in pySHACL through ``make_validator`` (it used to set a
private attribute). Neither hook may change what a call returns.
"""

from __future__ import annotations

from pathlib import Path

from reasoner.pipeline import Pipeline
from reasoner.validate.reference import ResultRecord

EXAMPLE = (Path(__file__).resolve().parents[2] / "examples" / "trd-confirmed.ttl").read_bytes()


def test_timings_are_filled_per_stage_and_change_nothing() -> None:
    pipe = Pipeline(as_of="2026-01-15")
    plain = pipe.assess(EXAMPLE, format="turtle").patients
    timings: dict[str, float] = {}
    timed = pipe.assess(EXAMPLE, format="turtle", timings=timings).patients
    assert timed == plain
    assert sorted(timings) == ["json", "load", "rules", "validate"]
    assert all(seconds > 0 for seconds in timings.values())
    once = dict(timings)
    pipe.assess(EXAMPLE, format="turtle", timings=timings)
    assert all(timings[stage] > once[stage] for stage in once)  # a second call adds to the same dict


class _OneIssue:
    """A validator that reports one fixed warning, whatever the data."""

    def __init__(self, ontology, policy) -> None:
        self.built_with = (len(ontology), len(policy))

    def validate(self, data, report=True):
        record = ResultRecord(focus_node="https://example.org/trd/pat-001", severity="Warning",
                              source_shape="urn:test:shape", constraint_component="urn:test:component",
                              messages=("from the injected validator",))
        return True, None, [record]


def test_make_validator_is_built_with_ontology_and_policy_and_used() -> None:
    pipe = Pipeline(as_of="2026-01-15", make_validator=_OneIssue)
    assert all(n > 0 for n in pipe._validator.built_with)
    result = pipe.assess(EXAMPLE, format="turtle")
    assert result.report is not None and result.report.conforms
    issues = [i for p in result.patients for i in p.get("dataIssues", [])]
    assert [i["message"] for i in issues] == ["from the injected validator"]
    # validate=False still wins over a validator factory
    assert Pipeline(as_of="2026-01-15", validate=False, make_validator=_OneIssue)._validator is None
