"""Smoke test of benchmarks/import_bench.py on 20 generated patients (numbers are not asserted)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "import_bench.py"


def test_import_benchmark_runs_on_a_small_export(tmp_path):
    pytest.importorskip("benchmarks.support.synthetic")
    spec = importlib.util.spec_from_file_location("import_bench", BENCH)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    folder = bench.ensure_export(20, tmp_path)
    stream = bench.measure_stream(folder)
    per = bench.measure_per_patient(folder)
    lines = sum(1 for f in folder.glob("*.ndjson") for line in f.open() if line.strip())
    assert stream["resources"] == lines and stream["consistent"] and stream["patients"] == 20
    assert per["patients"] == 20 and per["triples"] == stream["triples"] > 0
    bench.write_results(20, folder, stream, per, path=tmp_path / "import.md")
    assert "resources/s" in (tmp_path / "import.md").read_text()
