"""``trd report``: a clinician's report, one self-contained HTML page per patient (optionally PDF).

The same pipeline as ``trd assess`` (same rules, policy and ``--as-of``), with the workspace kept
so the report can draw every record behind the findings (:mod:`reasoner.render.html`). Exit codes
as ``trd assess``: 0 written, 1 a patient graph violates a shape (reports still written, the
violations listed in their Data issues section), 2 unreadable input or a usage error.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from reasoner.cli.options import as_of_option, policy_option

_EPILOG = """\b
Examples:
  trd report examples/trd-confirmed.ttl --out reports/ --as-of 2026-01-15
  trd report examples/trd-confirmed.fhir.json --out reports/ --pdf
"""


def write_pages(pages: dict[str, str], out_dir: Path, pdf: bool = False) -> list[Path]:
    """Write each page atomically (and its PDF when asked); returns the written files."""
    from reasoner.render.browser import print_pdf
    from reasoner.render.html import report_name

    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for patient_id, html in sorted(pages.items()):
        target = out_dir / f"{report_name(patient_id)}.html"
        tmp = target.with_suffix(".html.tmp")
        tmp.write_text(html, encoding="utf-8")
        tmp.replace(target)
        written.append(target)
        if pdf:
            written.append(print_pdf(target, target.with_suffix(".pdf")))
    return written


@click.command("report", epilog=_EPILOG)
@click.argument("inputs", nargs=-1, required=True)
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the reports: one <patient>.html per patient.")
@click.option("--pdf", is_flag=True, help="Also print each report to <patient>.pdf (headless Chromium).")
@as_of_option
@policy_option
def report(inputs: tuple[str, ...], out_dir: Path, pdf: bool, as_of: str | None, policy: str) -> None:
    """Write a clinician's report (HTML, optionally PDF) for each patient of INPUT."""
    from reasoner.cli.assess import warn_unreadable
    from reasoner.inputs import read_inputs
    from reasoner.pipeline import Pipeline
    from reasoner.render.html import pages

    data = read_inputs(inputs, as_of, policy)
    warn_unreadable(data.issues)
    # the import's data issues (records not usable as written) join their patient's page
    result = Pipeline(policy=policy, as_of=as_of).assess(data.graph, derived="none", keep_workspace=True,
                                                         issues=data.issues)
    for path in write_pages(pages(result), out_dir, pdf=pdf):
        click.echo(str(path))
    if not result.conforms:
        sys.stdout.flush()
        sys.exit(1)


__all__ = ["report", "write_pages"]
