"""The clinician's report in a real browser: headless Chromium (Debian's ``chromium``) loads each
example's report and prints it to PDF.

For each example: no console message (errors, CSP refusals), no request leaves the file (Chromium's
own network log), the timeline is drawn (a non-empty inline SVG), every finding section is present,
a screenshot is saved under the pytest tmp dir, and the PDF has the expected number of pages and
names the TRD status (``pdftotext``). Expected statuses are hand-worked from the examples
(docs/clinical-reference.md §4): pat-001 confirmed (two failed adequate trials of two classes),
pat-002 and pat-003 not met.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from reasoner.render.browser import run

from .conftest import AS_OF, EXAMPLES, run_cli

pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    shutil.which("chromium") is None or shutil.which("pdftotext") is None,
    reason="headless Chromium or poppler-utils not installed (.ci/run installs Debian's chromium and poppler-utils)")]

#: example -> (patient id, TRD status, pages of its A4 PDF as laid out by the report's print styles)
CASES = {
    "trd-confirmed.ttl": ("pat-001", "confirmed", 6),
    "trd-confirmed.fhir.json": ("pat-001", "confirmed", 6),
    "inadequate-trial.ttl": ("pat-002", "not-met", 4),
    "malformed.ttl": ("pat-003", "not-met", 4),
}
SECTIONS = ("timeline", "findings", "finding-trd", "finding-stages", "finding-pseudo-resistance",
            "finding-mechanisms", "options", "data-issues")


@pytest.fixture(scope="module", params=sorted(CASES))
def report(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    name = request.param
    out = tmp_path_factory.mktemp(name.replace(".", "-"))
    code, stdout, err = run_cli("report", str(EXAMPLES / name), "--out", str(out), "--as-of", AS_OF, "--pdf")
    assert code == (1 if name == "malformed.ttl" else 0), err  # malformed: shape violations, reports still written
    patient = CASES[name][0]
    assert stdout.split() == [str(out / f"{patient}.html"), str(out / f"{patient}.pdf")]
    return name, out


def _page_requests(netlog: Path) -> list[str]:
    """URLs the page (not the browser's own services) asked for: requests whose network
    isolation key is the file:// page."""
    log = json.loads(netlog.read_text(encoding="utf-8"))
    start = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    return [e["params"]["url"] for e in log["events"]
            if e["type"] == start and "file://" in e["params"].get("network_isolation_key", "")]


def test_loads_without_console_message_or_request_and_draws_everything(report: tuple[str, Path], tmp_path: Path) -> None:
    name, out = report
    patient, status, _ = CASES[name]
    page = out / f"{patient}.html"
    netlog = tmp_path / "net.json"
    done = run(page.as_uri(), "--enable-logging=stderr", "--v=0", f"--log-net-log={netlog}", "--dump-dom")
    assert done.returncode == 0, done.stderr[-2000:]
    assert [line for line in done.stderr.splitlines() if ":CONSOLE" in line] == []
    assert [url for url in _page_requests(netlog) if not url.startswith("file:")] == []
    dom = done.stdout
    for section in SECTIONS:
        assert f'id="{section}"' in dom, section
    timeline = dom.split('id="timeline-chart"', 1)[1]
    svg = timeline[timeline.index("<svg"):timeline.index("</svg>")]
    assert len(re.findall(r"<path\b", svg)) > 10  # bars, axes and labels drawn
    assert f'class="badge s-{status}"' in dom
    shot = tmp_path / f"{name}.png"
    done = run(page.as_uri(), "--window-size=1100,1500", f"--screenshot={shot}")
    assert shot.is_file() and shot.stat().st_size > 20_000, done.stderr[-2000:]


def test_the_page_fetches_nothing_by_construction(report: tuple[str, Path]) -> None:
    name, out = report
    html = (out / f"{CASES[name][0]}.html").read_text(encoding="utf-8")
    assert "default-src 'none'" in html  # the browser refuses any request the page might make
    assert not re.search(r"<(script|link|iframe|img|object|embed)\b", html)
    assert not re.search(r"@import|url\((?!#)", html)  # url(#id): the SVG's own clip paths and hatches


def test_pdf_pages_and_text(report: tuple[str, Path]) -> None:
    name, out = report
    patient, status, pages = CASES[name]
    pdf = out / f"{patient}.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1)) == pages
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "TRD status" in text and status in text and f"patient {patient}" in text
