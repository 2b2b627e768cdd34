"""``trd ontology``: build the generated artefacts, print statistics, run the QC queries.

Thin click wrappers around :mod:`reasoner.knowledge.build`; every option that names a file
lets a user (or a test) point the command at a copy of the ontology instead of the repo's.
"""

from __future__ import annotations

from pathlib import Path

import click

from reasoner.cli.options import epilog
from reasoner.knowledge import paths
from reasoner.knowledge.build import OntologyCheckError, build, ontology_stats, read_policies, run_qc
from reasoner.knowledge.loader import read_ontology

_existing_file = click.Path(exists=True, dir_okay=False, path_type=Path)
_existing_dir = click.Path(exists=True, file_okay=False, path_type=Path)


_EPILOG = """\b
The commands read the ontology (ontology/trd.ttl) and the policy graphs (ontology/policies/),
not patient data; trd assess, validate, explain, query and import read patients.
""" + epilog("trd ontology check", "trd ontology stats", "trd ontology build --out /tmp/build", inputs=False)


@click.group(epilog=_EPILOG)
def ontology() -> None:
    """Build, count and check the TRD ontology (ontology/trd.ttl) and its policy graphs."""


@ontology.command("build", epilog=_EPILOG)
@click.option("--source", type=_existing_file, default=None, help="Ontology Turtle source (default: ontology/trd.ttl).")
@click.option("--policies", "policy_dir", type=_existing_dir, default=None, help="Policy folder (default: ontology/policies).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder (default: ontology/build).")
def build_command(source: Path | None, policy_dir: Path | None, out_dir: Path | None) -> None:
    """Write trd.owl (RDF/XML, for owlready2 and Protégé) and trd-merged.ttl (ontology + default policy)."""
    for path in build(out_dir=out_dir, source=source, policy_dir=policy_dir):
        click.echo(f"wrote {path}")


@ontology.command("stats", epilog=_EPILOG)
@click.option("--source", type=_existing_file, default=None, help="Ontology Turtle source (default: ontology/trd.ttl).")
@click.option("--policies", "policy_dir", type=_existing_dir, default=None, help="Policy folder (default: ontology/policies).")
def stats_command(source: Path | None, policy_dir: Path | None) -> None:
    """Print counts of classes, properties, individuals, code mappings and sourced thresholds."""
    stats = ontology_stats(read_ontology(source), read_policies(policy_dir))
    click.echo("terms in the trd: namespace")
    click.echo(f"classes                {stats.classes}")
    click.echo(f"object properties      {stats.object_properties}")
    click.echo(f"data properties        {stats.data_properties}")
    click.echo(f"annotation properties  {stats.annotation_properties}")
    click.echo(f"individuals            {stats.individuals}")
    click.echo(f"mappings (hasDbXref)   {sum(stats.mappings.values())}  (by system)")
    for system, count in stats.mappings.items():
        click.echo(f"  {system:<20} {count}")
    click.echo(f"skos:exactMatch        {stats.exact_matches}")
    click.echo("thresholds: minimum doses, severity bands, staging tables, option eligibility, policy settings (all policies)")
    click.echo(f"thresholds with source {stats.thresholds_with_source} (without: {stats.thresholds_without_source})  (by evidence status)")
    for status, count in stats.evidence.items():
        click.echo(f"  {status:<20} {count}")


@ontology.command("check", epilog=_EPILOG)
@click.option("--source", type=_existing_file, default=None, help="Ontology Turtle source (default: ontology/trd.ttl).")
@click.option("--policies", "policy_dir", type=_existing_dir, default=None, help="Policy folder (default: ontology/policies).")
@click.option("--queries", "qc_dir", type=_existing_dir, default=None,
              help=f"Folder of ontology-*-violation.rq queries (default: {paths.QC_DIR.relative_to(paths.HOME)}).")
def check_command(source: Path | None, policy_dir: Path | None, qc_dir: Path | None) -> None:
    """Run the ontology QC queries; exit 1 when any of them returns a row."""
    graph = read_ontology(source)
    read_policies(policy_dir, graph)
    results = run_qc(graph, qc_dir)
    failed = 0
    for name, rows in results.items():
        click.echo(f"{'ok  ' if not rows else 'FAIL'} {name}: {len(rows)} violation(s)")
        for row in rows:
            click.echo("     " + " | ".join(row))
        failed += len(rows)
    if failed:
        raise OntologyCheckError(f"{failed} ontology QC violation(s)")
