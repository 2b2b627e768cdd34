"""``trd validate``: check patient graphs against the project's shapes before trusting inference.

Why a separate module: the command only parses options, calls :mod:`reasoner.validate.reference` and
prints; every decision (which shapes, which engine, what conforms) lives there. Exit codes are the
user contract (docs/output-contract.md): 0 conforms (Warnings and Infos allowed), 1 at least one
Violation, 2 unreadable input (an InputError naming the file, raised to ``reasoner.cli.main.main``).
"""

from __future__ import annotations

import json
import logging
import sys
from collections import Counter
from pathlib import Path

import click

from reasoner.cli.options import as_of_option, epilog, policy_option, validator_option
from reasoner.knowledge.namespaces import EX, FHIR_DATA, PREFIXES
from reasoner.validate.report import ResultRecord, Validation

FORMATS = ("text", "turtle", "json")
#: Prefixes for short IRIs in the text report (ex: for examples, the project's own terms).
_SHORT = sorted({**PREFIXES, "ex": str(EX), "fhir": str(FHIR_DATA),
                 "shape": "https://w3id.org/trd-reasoner/shapes#"}.items(),
                key=lambda kv: -len(kv[1]))


def _short(iri: str | None) -> str:
    """A readable form of an IRI (prefix:name) for the text report; empty for None."""
    if iri is None:
        return ""
    for prefix, ns in _SHORT:
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def _summary(outcome: Validation, n_inputs: int) -> str:
    counts = Counter(r.severity for r in outcome.records)
    verdict = "conforms" if outcome.conforms else "does NOT conform"
    return (f"{n_inputs} input(s) {verdict}: {counts.get('Violation', 0)} violation(s), "
            f"{counts.get('Warning', 0)} warning(s), {counts.get('Info', 0)} info(s)")


def _rows(results: list[ResultRecord]) -> list[tuple[str, str, str, str, str]]:
    # Ordered by focus node so each record's problems are listed together.
    ordered = sorted(results, key=lambda r: (r.focus_node, r.severity, r.source_shape, r.value or ""))
    return [(r.severity, _short(r.focus_node), _short(r.path), _short(r.value), " ".join(r.messages))
            for r in ordered]


def _print_text(outcome: Validation, n_inputs: int) -> None:
    rows = _rows(outcome.records)
    if sys.stdout.isatty():  # tables for people; plain tab-separated lines for pipes and files
        from rich.console import Console
        from rich.table import Table

        table = Table(title=_summary(outcome, n_inputs))
        for column in ("severity", "focus node", "path", "value", "message"):
            table.add_column(column, overflow="fold")
        for row in rows:
            table.add_row(*row)
        Console().print(table)
        return
    click.echo(_summary(outcome, n_inputs))
    for severity, focus, path, value, message in rows:
        click.echo(f"{severity}\t{focus}\t{path or '-'}\t{value or '-'}\t{message}")


@click.command("validate", epilog=epilog("trd validate examples/malformed.ttl",
                                          "trd validate examples/trd-confirmed.fhir.json --validator fast --format json"))
@click.argument("patient_graph", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="text: a readable report; turtle/json: the SHACL validation report graph (json = JSON-LD).")
@policy_option
@validator_option("reference")
@as_of_option
def validate(patient_graph: tuple[Path, ...], fmt: str, policy: str, validator: str, as_of: str | None) -> None:
    """Validate PATIENT_GRAPH... (Turtle, N-Triples, JSON-LD, RDF/XML, FHIR file or folder) against the shapes.

    All inputs are merged into one graph, so one report lists every patient's problems.
    Exit 0 when it conforms (warnings and infos allowed), 1 on violations, 2 on unreadable input.
    """
    from reasoner.cli.assess import warn_issues
    from reasoner.inputs import read_inputs
    from reasoner.pipeline import Pipeline

    # rdflib logs a traceback for every ill-typed literal; the report already names them.
    logging.getLogger("rdflib.term").setLevel(logging.ERROR)
    data = read_inputs(patient_graph, as_of, policy)
    warn_issues(data.issues, "an input record the SHACL report does not see")
    patient = data.graph
    result = Pipeline(policy=policy, as_of=as_of, validator=validator).validate(patient, report=fmt != "text")
    outcome = result.validation
    assert outcome is not None  # a validator was asked for
    if fmt == "turtle":
        click.echo(outcome.report.serialize(format="turtle"))
    elif fmt == "json":
        # An inline context (never a URL: readers must not fetch anything) keeps the keys short.
        context = {prefix: ns for prefix, ns in _SHORT}
        doc = json.loads(outcome.report.serialize(format="json-ld", context=context, auto_compact=True))
        click.echo(json.dumps(doc, indent=2, sort_keys=True, allow_nan=False))
    else:
        _print_text(outcome, len(patient_graph))
    if not outcome.conforms:
        # SystemExit, not ctx.exit: reasoner.cli.main runs click with standalone_mode=False and
        # would drop the code of a click Exit; a violation is exit 1, not an error message.
        sys.stdout.flush()
        sys.exit(1)
