"""What the clinician's report and the cohort summary show, read from the ontology and policy
(hand-worked from docs/clinical-reference.md §3-§6 and the examples)."""

from __future__ import annotations

import re
from pathlib import Path

from reasoner.render.report_data import ReportKnowledge

from .conftest import AS_OF, EXAMPLES, run_cli


def test_bands_and_cut_offs_come_from_the_ontology_and_the_policy() -> None:
    k = ReportKnowledge.load("default", AS_OF)
    hamd = next(i for i in k.instruments.values() if i.label == "HAM-D17")
    # clinical-reference §4 bands, §3 remission (STAR*D ≤ 7), response 50%
    assert [(b.low, b.high, b.severity) for b in hamd.bands] == [
        (0, 7, "subsyndromal"), (8, 16, "mild"), (17, 23, "moderate"), (24, 52, "severe")]
    assert hamd.remission == 7 and k.response_reduction == 0.5
    madrs = next(i for i in k.instruments.values() if i.label == "MADRS")
    assert madrs.remission == 10
    assert k.ontology_version_iri.startswith("https://w3id.org/trd-reasoner/ontology/")


def test_report_page_shows_thresholds_findings_and_footer(tmp_path: Path) -> None:
    code, _, err = run_cli("report", str(EXAMPLES / "trd-confirmed.ttl"), "--out", str(tmp_path), "--as-of", AS_OF)
    assert code == 0, err
    html = (tmp_path / "pat-001.html").read_text(encoding="utf-8")
    # matplotlib keeps each text as an SVG comment: the cut-offs drawn
    assert "remission ≤ 7 (policy default)" in html
    assert "response ≤ 12 (ms-1)" in html and "response ≤ 11 (ms-2)" in html  # 50% below baselines 24 and 22
    assert "CRP inflammation threshold: 3" in html and "4.2 mg/L (2025-05-30)" in html
    assert "adequate · non-response · FAILED · 9 wk at adequate dose" in html
    assert "queries/infer/trd-status.rq" in html
    assert re.search(r"Policy <b>default</b> · evaluation date <b>2026-01-15</b> · trd-reasoner <b>[\d.]+</b>", html)
    assert "https://w3id.org/trd-reasoner/ontology/2026-11-24" in html
    options = html[html.index('id="options"'):html.index('id="data-issues"')]
    order = [m for m in re.findall(r'badge o-([a-z-]+)', options)]
    assert order == ["recommended", "consider", "investigational", "not-yet-eligible"]
    assert "needs ≥ 4 failed adequate trials; has 2" in options


def test_cohort_summary_and_reports(cohort_results: Path) -> None:
    summary = (cohort_results / "summary.html").read_text(encoding="utf-8")
    assert "default-src 'none'" in summary and summary.count("<svg") == 6
    assert [f"reports/{p}.html" for p in ("pat-001", "pat-002", "pat-003")] == re.findall(r'<li><a href="([^"]+)"', summary)
    page = (cohort_results / "reports" / "pat-001.html").read_text(encoding="utf-8")
    # the store holds no policy graph: the threshold comes from the run's effective policy
    assert "CRP inflammation threshold: 3" in page and "remission ≤ 7 (policy default)" in page
