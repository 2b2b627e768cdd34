"""``trd explain``: why a patient has a finding, down to the data, the rule and its published source."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from reasoner.cli.options import as_of_option, backend_option, epilog, policy_option
from reasoner.errors import InputError


def explanations(result: Any, finding: str | None = None, only: str | None = None) -> list[str]:
    """The explanation lines of every patient of a result whose workspace was kept."""
    from reasoner.findings.explain import explain
    from reasoner.findings.read import patient_iris

    iris = patient_iris(result.workspace)
    lines: list[str] = []
    for p in result.patients:
        if only is not None and p["id"] != only:
            continue
        lines += explain(result.workspace, p, iris[p["id"]], finding)
        lines.append("")
    return lines


@click.command(epilog=epilog("trd explain examples/trd-confirmed.ttl pat-001 --as-of 2026-01-15",
                             "trd explain examples/trd-confirmed.fhir.json pat-001 ms-1 --as-of 2026-01-15"))
@click.argument("input_path", metavar="INPUT")
@click.argument("patient")
@click.argument("finding", required=False)
@as_of_option
@policy_option
@backend_option
def explain(input_path: str, patient: str, finding: str | None, as_of: str | None, policy: str, backend: str) -> None:
    """Explain why PATIENT has FINDING (trd, stages, a trial id, or a code such as esketamine).

    INPUT is read as by ``trd assess`` (patient graph, FHIR file or folder).
    """
    from reasoner.inputs import read_inputs
    from reasoner.pipeline import Pipeline

    if not Path(input_path).exists():
        raise InputError(f"{input_path}: no such file or directory")
    data = read_inputs((input_path,), as_of, policy)
    result = Pipeline(policy=policy, as_of=as_of, backend=backend).assess(
        data.graph, derived="none", keep_workspace=True, issues=data.issues)
    ids = [p["id"] for p in result.patients]
    if patient not in ids:
        raise InputError(f"no patient {patient!r} in {input_path} (patients: {', '.join(ids[:20]) or 'none'})")
    click.echo("\n".join(explanations(result, finding, only=patient)).rstrip())
