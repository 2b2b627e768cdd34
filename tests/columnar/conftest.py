"""Fixtures and options of the columnar engine's tests.

Tests marked ``slow`` (the big generated-patient differential, the per-dataset runs that the
combined run of test_twins.py already covers) are skipped unless asked for: ``-m slow`` or
``TRD_COLUMNAR_SLOW=1``. The default run of this folder stays within some two minutes of CPU.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # differential.py, datasets.py

REPO = Path(__file__).resolve().parents[2]


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("slow") is None:
        return
    expression = item.config.getoption("-m") or ""
    if os.environ.get("TRD_COLUMNAR_SLOW") == "1" or ("slow" in expression and "not slow" not in expression):
        return
    pytest.skip("slow: run with -m slow or TRD_COLUMNAR_SLOW=1")
