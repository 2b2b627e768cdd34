"""``trd import``: FHIR R4 Bundle / Bulk Data export -> patient graph file + import report.

Why it streams its output: a Bulk export of many patients would make one huge in-memory graph;
each patient's graph is serialised as soon as it is built (Turtle allows repeated ``@prefix``
lines, so per-patient chunks concatenate into one valid document).
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from reasoner.cli.options import as_of_option, epilog, policy_option
from reasoner.errors import InputError
from reasoner.fhir.report import ImportReport
from reasoner.knowledge.policy import as_of_date


def _summary(report: ImportReport) -> str:
    """A short fixed-width table: one row per resource type (read = mapped + not relevant + data
    issues), then totals, then the data issues by kind."""
    head = ("resource type", "read", "mapped", "not relevant", "data issues")
    rows = [head]
    for rtype in sorted(report.counts):
        c = report.counts[rtype]
        rows.append((rtype, str(c.read), str(c.mapped), str(c.notRelevant), str(c.issues)))
    totals = [sum(getattr(c, k) for c in report.counts.values()) for k in ("read", "mapped", "notRelevant", "issues")]
    rows.append(("total", *map(str, totals)))
    width = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines = ["  ".join(f"{cell:<{width[0]}}" if i == 0 else f"{cell:>{width[i]}}" for i, cell in enumerate(r))
             for r in rows]
    lines.insert(1, "-" * len(lines[0]))
    lines.insert(len(lines) - 1, "-" * len(lines[0]))
    kinds: dict[str, int] = {}
    for issue in report.issues:
        kinds[issue.kind or "note"] = kinds.get(issue.kind or "note", 0) + 1
    reasons: dict[str, int] = {}
    for u in report.unmapped:
        if u.category == "not relevant":
            reasons[u.reason] = reasons.get(u.reason, 0) + 1
    lines.append(f"patients: {report.patients}; data issues: {len(report.issues)}"
                 + (" (" + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())) + ")" if kinds else "")
                 + ("; not relevant by reason: " + ", ".join(f"{k} {v}" for k, v in sorted(reasons.items()))
                    if reasons else ""))
    return "\n".join(lines)


_EPILOG = """\b
FHIR_INPUT is a FHIR R4 file (a Bundle or one resource, .json; Bulk NDJSON, .ndjson) or a Bulk
FHIR export folder (*.ndjson). It is read as docs/fhir-profile.md says; the report counts, per
resource type, what was mapped, what is not relevant and what was left out with a data issue.
""" + epilog("trd import examples/trd-confirmed.fhir.json -o patient.ttl --report report.json",
               "trd import export-folder/ -o cohort.nt --as-of 2026-01-15", inputs=False)


@click.command("import", epilog=_EPILOG)
@click.argument("fhir_input", type=click.Path(exists=True, path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Patient graph to write (.ttl Turtle, or .nt N-Triples).")
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the import report (JSON) here.")
@click.option("--strict", is_flag=True, help="Fail (exit 2) if any resource is not mapped.")
@as_of_option
@policy_option
def import_fhir(fhir_input: Path, output: Path, report_path: Path | None, strict: bool, as_of: str | None, policy: str) -> None:
    """Import a FHIR R4 Bundle (JSON) or Bulk Data folder (NDJSON) into a patient graph.

    The policy gives the trial gap and the default supply of an order.
    """
    from reasoner.fhir.context import get_context
    from reasoner.fhir.convert import Importer, write_patients
    from reasoner.fhir.reader import iter_resources_with_lines, bulk_files

    importer = Importer(get_context(policy=policy), as_of_date(as_of))
    importer.report.source = str(fhir_input)
    if fhir_input.is_dir():
        importer.report.skippedFiles = [str(p) for p in bulk_files(fhir_input)[1]]
    for resource, line in iter_resources_with_lines(fhir_input):
        importer.feed(resource, line)
    fmt = "nt" if output.suffix.lower() == ".nt" else "turtle"
    tmp = output.with_name(output.name + ".part")
    try:
        with tmp.open("wb") as out:
            write_patients(importer, out, fmt)
    except OSError as exc:
        raise InputError(f"{output}: cannot write ({exc.strerror or exc})") from exc
    report = importer.report
    if report_path is not None:
        report_path.write_text(report.model_dump_json(indent=2), encoding="utf-8")
    click.echo(_summary(report))
    if strict and report.total_not_mapped:
        tmp.unlink(missing_ok=True)
        first = report.unmapped[0]
        raise InputError(f"{fhir_input}: --strict: {report.total_not_mapped} resources not mapped "
                         f"(first: {first.resourceType}/{first.id}: {first.reason} {first.detail})".rstrip())
    os.replace(tmp, output)
