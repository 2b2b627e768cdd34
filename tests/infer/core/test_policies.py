"""Policies: the same patients under each shipped policy show exactly the differences the policies
define, and changing any one threshold the rules read changes their result (the rules read the
policy graph; they do not repeat its numbers)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from reasoner.errors import PolicyError
from reasoner.knowledge.namespaces import POLICY, TRD
from reasoner.knowledge.policy import available_policies, effective_policy, policy_graph, setting

from .conftest import assess_shard, override_policy


def trial(results: dict[str, Any], pid: str, n: int = 1) -> dict[str, Any]:
    return next(t for t in results[pid]["trials"] if t["id"] == f"{pid}-t{n}")


def test_shipped_policies_are_available() -> None:
    assert {"default", "fda-ema", "athf-strict", "eu-pearl"} <= set(available_policies())


def test_unknown_policy_lists_the_available_ones() -> None:
    with pytest.raises(PolicyError, match="athf-strict"):
        policy_graph("no-such-policy")


def test_inherited_settings_are_merged_and_overrides_win() -> None:
    _, g = effective_policy("athf-strict")
    assert setting(g, TRD["param-minimum-adequate-weeks"]) == 8.0          # overridden
    assert setting(g, TRD["param-adherence-threshold"]) == pytest.approx(0.8)  # inherited
    assert setting(g, TRD["param-remission-max-score"], TRD.HAMD17) == 7     # per instrument
    # exactly one minimum-weeks setting survives
    assert len(list(g.subjects(TRD.parameter, TRD["param-minimum-adequate-weeks"]))) == 1


def test_policy_file_by_path(tmp_path: Path) -> None:
    path = override_policy(tmp_path, "minimum-adequate-weeks", "10.0")
    node, g = effective_policy(str(path))
    assert node == POLICY["test-minimum-adequate-weeks"]
    assert setting(g, TRD["param-minimum-adequate-weeks"]) == 10.0


# (policy, scenario, trial or None for the patient, field, value under default, value under the policy)
POLICY_DIFFERENCES = [
    # FDA esketamine label / EMA 2013: two different agents of one class are enough
    ("fda-ema", "one-class", None, "trd.status", "not-met", "confirmed"),
    ("fda-ema", "two-classes", None, "trd.status", "confirmed", "confirmed"),
    # ATHF-strict: 8 weeks; a 7-week trial is too short
    ("athf-strict", "weeks-7", 1, "reasons", [], ["duration-too-short"]),
    ("athf-strict", "adequate", 1, "adequacy", "adequate", "adequate"),
    # EU-PEARL: failure = non-response; a response without remission is not a failure
    ("eu-pearl", "drop-50", 1, "failed", True, False),
    ("eu-pearl", "drop-46", 1, "failed", True, False),      # partial response is not non-response
    ("eu-pearl", "drop-21", 1, "failed", True, True),
    # EU-PEARL: discontinuation before week 4 is not a failure
    ("eu-pearl", "weeks-shortcut", 1, "failed", True, False),
]


def _get(results: dict[str, Any], pid: str, n: int | None, field: str) -> Any:
    entry = trial(results, pid, n) if n else results[pid]
    for part in field.split("."):
        entry = entry[part]
    return entry


@pytest.mark.parametrize("policy,pid,n,field,default_value,policy_value", POLICY_DIFFERENCES,
                         ids=[f"{e[0]}-{e[1]}-{e[3]}" for e in POLICY_DIFFERENCES])
def test_policy_differences(policy: str, pid: str, n: int | None, field: str, default_value: Any,
                            policy_value: Any) -> None:
    assert _get(assess_shard("default"), pid, n, field) == default_value
    assert _get(assess_shard(policy), pid, n, field) == policy_value


def test_policy_name_is_reported() -> None:
    from reasoner.pipeline import Pipeline
    assert Pipeline(policy="eu-pearl", as_of="2026-01-15", validator=None).policy == "eu-pearl"


# Every threshold the core rules read, moved so that one scenario's result must change:
# (parameter, new Turtle value, instrument, scenario, trial or None, field, value after the change)
THRESHOLD_CHANGES = [
    ("minimum-adequate-weeks", "10.0", None, "adequate", 1, "reasons", ["duration-too-short"]),
    ("adherence-threshold", "0.95", None, "adequate", 1, "reasons", ["adherence-below-threshold"]),
    ("baseline-window-days", "0", None, "adequate", 1, "outcome", "outcome-unknown"),
    ("endpoint-window-days", "10", None, "endpoint-14d", 1, "outcome", "outcome-unknown"),
    ("response-reduction", "0.60", None, "drop-50", 1, "outcome", "partial-response"),
    ("partial-response-reduction", "0.30", None, "drop-25", 1, "outcome", "non-response"),
    ("remission-max-score", "8", "HAMD17", "hamd-8", 1, "outcome", "remission"),
    ("failure-definition", "trd:failure-non-response", None, "hamd-8", 1, "failed", False),
    ("early-discontinuation-weeks", "10.0", None, "adequate", 1, "failed", False),
    ("trd-minimum-failed-trials", "3", None, "two-classes", None, "trd.status", "not-met"),
    ("trd-requires-distinct-classes", "false", None, "one-class", None, "trd.status", "confirmed"),
    ("mdq-positive-score", "6", None, "mdq-6", None, "trd.status", "excluded"),
    ("days-per-month", "10.0", None, "two-classes", None, "stages.maudsley.score", 7),
]


@pytest.mark.parametrize("parameter,value,instrument,pid,n,field,changed", THRESHOLD_CHANGES,
                         ids=[e[0] for e in THRESHOLD_CHANGES])
def test_changing_a_threshold_changes_the_result(tmp_path: Path, parameter: str, value: str,
                                                 instrument: str | None, pid: str, n: int | None,
                                                 field: str, changed: Any) -> None:
    before = _get(assess_shard("default"), pid, n, field)
    path = override_policy(tmp_path, parameter, value, instrument)
    after = _get(assess_shard(str(path)), pid, n, field)
    assert before != changed, "the scenario must not already show the changed value"
    assert after == changed
