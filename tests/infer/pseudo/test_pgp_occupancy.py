"""The P-glycoprotein worked example of clinical-reference §5 as a trd:OccupancyFinding:
plasma 50 nM → brain 25 nM with a highly active ABCB1 pump → 71.4 % SERT occupancy, below the 80 %
threshold; inhibiting the pump restores 50 nM → 83.3 %. Every constant comes from the policy."""

from __future__ import annotations

from pathlib import Path

import pytest

from .cases import assess, override_policy

PID = "pgp-50nm"


def test_worked_example_numbers() -> None:
    occ = assess((PID,))[PID].occupancy
    assert len(occ) == 1
    o = occ[0]
    assert float(o["plasma"]) == 50.0
    assert float(o["brain"]) == 25.0                     # halved by the pump
    assert float(o["occ"]) == pytest.approx(0.714)        # 25 / (25 + 10)
    assert o["below"] is True                             # < 80 %
    assert float(o["restored"]) == pytest.approx(0.833)   # 50 / (50 + 10), pump inhibited
    assert o["restoredBelow"] is False


def test_no_occupancy_finding_without_the_abcb1_flag() -> None:
    assert assess(("pgp-50nm-ct",))["pgp-50nm-ct"].occupancy == []


@pytest.mark.parametrize(("parameter", "value", "occupancy", "below"), [
    ("pgp-brain-fraction", "1.0", 0.833, False),          # no efflux: brain = plasma
    ("sert-kd-nm", "5.0", 0.833, False),                  # 25 / (25 + 5)
    ("sert-occupancy-threshold", "0.70", 0.714, False),   # same occupancy, lower bar
])
def test_every_constant_is_read_from_the_policy(tmp_path: Path, parameter: str, value: str,
                                                occupancy: float, below: bool) -> None:
    policy = override_policy(tmp_path, parameter, value)
    o = assess((PID,), policy=str(policy))[PID].occupancy[0]
    assert float(o["occ"]) == pytest.approx(occupancy)
    assert o["below"] is below
