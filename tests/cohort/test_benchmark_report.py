"""The cohort benchmark's verdicts (benchmarks/cohort.py ``targets``): the speed-up over the naive
baseline counts as measured on the same patients only when the baseline ran on as many patients,
or its time per patient was seen to grow with the cohort (so a smaller baseline run understates
the speed-up on the larger cohort)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "cohort.py"
spec = importlib.util.spec_from_file_location("cohort_benchmark", SCRIPT)
bench = importlib.util.module_from_spec(spec)
assert spec.loader is not None
spec.loader.exec_module(bench)

PIPELINE_1K = {"input": "turtle", "patients_n": 1000, "seconds": 5.0, "peak_rss": 2**29}


def _baseline(n: int, seconds: float) -> dict[str, Any]:
    return {"patients_n": n, "seconds": seconds, "wall": seconds, "peak_rss": 2**27, "cap": 600}


def _speedup_line(baselines: list[dict[str, Any]]) -> str:
    lines = bench.targets([PIPELINE_1K], baselines, None)
    return next(line for line in lines if "naive baseline" in line)


def test_growing_time_per_patient_makes_the_ratio_a_lower_bound() -> None:
    line = _speedup_line([_baseline(25, 15.0), _baseline(50, 50.0), _baseline(100, 200.0)])
    assert "**met**" in line and "400×" in line and "larger still" in line


def test_shrinking_time_per_patient_leaves_the_target_unjudged() -> None:
    # setup-dominated small runs: 0.8 then 0.6 s a patient; the ratio says nothing about 1,000
    line = _speedup_line([_baseline(5, 4.0), _baseline(10, 6.0)])
    assert "not measured" in line and "not for the same patients" in line


def test_a_single_baseline_size_leaves_the_target_unjudged() -> None:
    assert "not measured" in _speedup_line([_baseline(25, 15.0)])


def test_a_baseline_on_the_same_patients_is_judged_directly() -> None:
    assert "**not met**" in _speedup_line([_baseline(1000, 400.0)])   # only 80x
    assert "**met**" in _speedup_line([_baseline(1000, 600.0)])       # 120x
