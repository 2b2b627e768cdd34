"""Lines of a Bulk export that belong to no patient (Practitioners, Organizations, Locations) are
committed in units of their own size, not in the patients' shard size, and the summary's shard
total counts those units: a small cohort cut for two workers once committed its 130-odd loose
lines three at a time and printed "shards (run now / total) 48 / 4"."""

from __future__ import annotations

import json
from pathlib import Path

from reasoner.cohort import run_cohort
from reasoner.cohort.run import LOOSE_LINES_PER_UNIT

SMART = Path(__file__).resolve().parents[1] / "data" / "smart-bulk-fhir-10"


def test_loose_lines_are_few_units_and_counted_in_the_total(tmp_path: Path) -> None:
    loose = sum(1 for f in SMART.glob("*.ndjson") if f.stem.split(".")[0] in ("Practitioner", "Organization", "Location")
                for line in f.read_text(encoding="utf-8").splitlines() if line.strip())
    assert 0 < loose < LOOSE_LINES_PER_UNIT  # the sample has loose lines, fewer than one unit
    summary = run_cohort(SMART, tmp_path / "out", workers=2, shard_size=3, as_of="2026-01-15", progress=False)
    patient_shards = -(-summary.patients // 3)
    assert summary.shards == patient_shards + 1 and summary.shards_run == summary.shards
    written = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert written["shards"] == summary.shards
