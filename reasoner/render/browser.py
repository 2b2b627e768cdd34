"""Headless Chromium: prints a report page to PDF (``trd report --pdf``) and loads it in tests.

Why a browser: the PDF must be the same page the clinician sees, printed by a real layout engine
with the page's print styles. The flags keep the run local: no sandbox (containers), no GPU, no
first-run or background networking, and a host resolver that resolves no name, so neither the
page nor the browser's own services can reach another machine.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from reasoner import config
from reasoner.errors import InputError

#: The flags of every run (issue 19; the host resolver rule makes any network name unresolvable).
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-default-apps", "--disable-extensions",
         "--no-default-browser-check", "--disable-spell-checking", "--host-resolver-rules=MAP * ~NOTFOUND")


def chromium() -> str:
    """The Chromium executable, or a one-line error saying how to get it."""
    found = shutil.which(config.CHROMIUM)
    if found is None:
        raise InputError(f"headless Chromium not found ({config.CHROMIUM!r}): install Debian's `chromium` package "
                         "or set TRD_CHROMIUM to its path")
    return found


def run(url: str, *extra: str, profile: Path | None = None) -> subprocess.CompletedProcess[str]:
    """One headless run on ``url`` with the fixed flags plus ``extra`` (a fresh profile by default)."""
    with tempfile.TemporaryDirectory(prefix="trd-chromium-") as tmp:
        args = [chromium(), *FLAGS, f"--user-data-dir={profile or tmp}", *extra, url]
        try:
            return subprocess.run(args, capture_output=True, text=True, timeout=config.BROWSER_SECONDS, check=False)
        except subprocess.TimeoutExpired as exc:
            raise InputError(f"headless Chromium did not finish within {config.BROWSER_SECONDS} s on {url}") from exc


def print_pdf(html: Path, pdf: Path) -> Path:
    """Print a report page to PDF with Chromium's print (A4 per the page's @page rule, no header)."""
    tmp = pdf.with_suffix(".pdf.tmp")
    done = run(html.resolve().as_uri(), f"--print-to-pdf={tmp}", "--no-pdf-header-footer")
    if done.returncode != 0 or not tmp.is_file() or tmp.stat().st_size == 0:
        tmp.unlink(missing_ok=True)
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise InputError(f"{html}: printing to PDF failed ({last})")
    tmp.replace(pdf)
    return pdf


__all__ = ["FLAGS", "chromium", "run", "print_pdf"]
