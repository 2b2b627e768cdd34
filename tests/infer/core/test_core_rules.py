"""Every stable code of clinical-reference §1 that the core rules produce, produced in one scenario
and withheld in its near-miss partner (benchmarks/support/scenarios/core.py), under the default policy."""

from __future__ import annotations

from typing import Any

import pytest

from benchmarks.support.scenarios.core import BY_ID


def trial(results: dict[str, Any], pid: str, n: int = 1) -> dict[str, Any]:
    return next(t for t in results[pid]["trials"] if t["id"] == f"{pid}-t{n}")


# (scenario, trial number, field, expected value) — the near-miss partner sits on the next line.
TRIAL_EXPECTATIONS = [
    ("adequate", 1, "adequacy", "adequate"),
    ("adequate", 1, "reasons", []),
    ("adequate", 1, "weeksAtAdequateDose", 9.0),
    ("dose-49", 1, "reasons", ["dose-below-minimum"]),
    ("dose-49", 1, "adequacy", "inadequate"),
    ("dose-50", 1, "adequacy", "adequate"),
    ("days-42", 1, "weeksAtAdequateDose", 6.0),
    ("days-42", 1, "adequacy", "adequate"),
    ("days-41", 1, "reasons", ["duration-too-short"]),
    ("days-41", 1, "weeksAtAdequateDose", 5.857),
    ("adherence-080", 1, "adequacy", "adequate"),
    ("adherence-079", 1, "reasons", ["adherence-below-threshold"]),
    ("intolerance", 1, "reasons", ["stopped-for-intolerance"]),
    ("intolerance", 1, "failed", False),
    ("intolerance-short", 1, "reasons", ["duration-too-short", "stopped-for-intolerance"]),
    ("absent-response", 1, "adequacy", "adequate"),
    ("no-dose", 1, "reasons", ["dose-unknown"]),
    ("no-dose", 1, "adequacy", "indeterminate"),
    ("no-end", 1, "reasons", ["duration-unknown"]),
    ("no-end", 1, "adequacy", "indeterminate"),
    ("ongoing", 1, "adequacy", "adequate"),
    ("no-adherence", 1, "reasons", ["adherence-unknown"]),
    ("no-adherence", 1, "adequacy", "indeterminate"),
    ("no-adherence", 1, "failed", False),
    ("periods-6w", 1, "weeksAtAdequateDose", 6.0),
    ("periods-6w", 1, "adequacy", "adequate"),
    ("periods-5w", 1, "weeksAtAdequateDose", 5.0),
    ("periods-5w", 1, "reasons", ["duration-too-short"]),
    ("weeks-shortcut", 1, "weeksAtAdequateDose", 9.0),
    ("weeks-shortcut", 1, "adequacy", "adequate"),
    # outcome (§3)
    ("hamd-7", 1, "outcome", "remission"),
    ("hamd-7", 1, "failed", False),
    ("hamd-8", 1, "outcome", "response"),
    ("hamd-8", 1, "failed", True),           # a response without remission is still a failure
    ("drop-50", 1, "outcome", "response"),
    ("drop-46", 1, "outcome", "partial-response"),
    ("drop-25", 1, "outcome", "partial-response"),
    ("drop-21", 1, "outcome", "non-response"),
    ("adequate", 1, "outcome", "non-response"),
    ("adequate", 1, "failed", True),
    ("no-endpoint", 1, "outcome", "outcome-unknown"),
    ("no-endpoint", 1, "failed", False),
    ("baseline-30d", 1, "outcome", "non-response"),
    ("baseline-31d", 1, "outcome", "outcome-unknown"),
    ("endpoint-14d", 1, "outcome", "non-response"),
    ("endpoint-15d", 1, "outcome", "outcome-unknown"),
    ("madrs-10", 1, "outcome", "remission"),
    ("madrs-11", 1, "outcome", "response"),
    ("no-end", 1, "outcome", "outcome-unknown"),
]


@pytest.mark.parametrize("pid,n,key,expected", TRIAL_EXPECTATIONS,
                         ids=[f"{e[0]}-{e[2]}" for e in TRIAL_EXPECTATIONS])
def test_trial_findings(default_results: dict[str, Any], pid: str, n: int, key: str, expected: Any) -> None:
    assert trial(default_results, pid, n)[key] == expected


# (scenario, status, failed adequate trials, distinct failed classes)
TRD_EXPECTATIONS = [
    ("two-classes", "confirmed", 2, 2),
    ("one-class", "not-met", 2, 1),
    ("possible", "possible", 1, 1),
    ("possible-remitted", "not-met", 1, 1),
    ("bipolar", "excluded", 2, 2),
    ("mdq-7", "excluded", 2, 2),
    ("mdq-6", "confirmed", 2, 2),
    ("no-trials", "not-met", 0, 0),
    ("old-episode-trial", "not-met", 1, 1),
    ("no-diagnosis", "confirmed", 2, 2),
    ("adequate", "not-met", 1, 1),
]


@pytest.mark.parametrize("pid,status,failed,classes", TRD_EXPECTATIONS, ids=[e[0] for e in TRD_EXPECTATIONS])
def test_trd_status(default_results: dict[str, Any], pid: str, status: str, failed: int, classes: int) -> None:
    trd = default_results[pid]["trd"]
    assert (trd["status"], trd["failedAdequateTrials"], trd["distinctFailedClasses"]) == (status, failed, classes)


THASE_RUSH = [("no-trials", 0), ("adequate", 1), ("one-class", 1), ("two-classes", 2), ("tr-3", 3),
              ("tr-4", 4), ("tr-5", 5), ("tr-5-unilateral", 4), ("old-episode-trial", 1)]


@pytest.mark.parametrize("pid,stage", THASE_RUSH, ids=[e[0] for e in THASE_RUSH])
def test_thase_rush(default_results: dict[str, Any], pid: str, stage: int) -> None:
    assert default_results[pid]["stages"]["thaseRush"] == stage


# Maudsley components (clinical-reference §4), worked by hand for the as-of date 2026-01-15:
#   two-classes: onset 2024-12-01 → 410 days / 30.44 = 13.5 months → 2; latest score HAM-D 20
#     → moderate 3; 2 failed → 1; no augmentation, no ECT → 6 (mild)
#   maudsley-severe: onset 2023-06-01 → 31.5 months → 3; latest HAM-D 30 → severe 4; 2 failed → 1 → 8
#   tr-5: 2 + 3 + (4 failed → 2) + ECT 1 → 8 (moderate)
#   mghs: trial 1 augmented → augmentation 1; ECT 1 → 2 + 3 + 1 + 1 + 1 = 8
MAUDSLEY = [("two-classes", {"score": 6, "band": "mild"}), ("maudsley-severe", {"score": 8, "band": "moderate"}),
            ("tr-5", {"score": 8, "band": "moderate"}), ("mghs", {"score": 8, "band": "moderate"}),
            ("no-trials", None), ("hamd-7", None), ("no-diagnosis", None)]


@pytest.mark.parametrize("pid,expected", MAUDSLEY, ids=[e[0] for e in MAUDSLEY])
def test_maudsley(default_results: dict[str, Any], pid: str, expected: Any) -> None:
    assert default_results[pid]["stages"]["maudsley"] == expected


# MGH-S: 1 per failed trial, + 0.5 dose raised, + 0.5 augmented, + 3 per failed ECT course.
MGHS = [("no-trials", 0.0), ("adequate", 1.0), ("two-classes", 2.0), ("mghs", 1 + 0.5 + 0.5 + 1 + 3),
        ("tr-5", 4.0 + 3), ("hamd-7", 0.0)]


@pytest.mark.parametrize("pid,expected", MGHS, ids=[e[0] for e in MGHS])
def test_mghs(default_results: dict[str, Any], pid: str, expected: float) -> None:
    assert default_results[pid]["stages"]["mghS"] == pytest.approx(expected)


def test_unknown_episode_start_is_a_data_issue(default_results: dict[str, Any]) -> None:
    assert any(i["severity"] == "info" and "episode" in i["message"]
               for i in default_results["no-diagnosis"]["dataIssues"])
    assert not any("episode" in i["message"] for i in default_results["two-classes"]["dataIssues"])


def test_every_scenario_is_reported(default_results: dict[str, Any]) -> None:
    assert set(default_results) == set(BY_ID)
