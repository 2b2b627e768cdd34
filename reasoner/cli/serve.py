"""``trd serve`` (the CDS Hooks service) and ``trd feedback summary`` (what clinicians did with its cards).

``trd serve`` starts uvicorn on one process, or ``--workers`` processes behind a balancer that gives
each connection to the worker with the fewest (:mod:`reasoner.serve.balancer`): the pipeline is warm in
each process, calls are assessed one batch at a time (CPU work; the ``patient-view`` calls waiting
at the same time form one batch, ``--max-batch``), and the request log has one line per call.
Authentication is on unless ``--insecure-dev`` is given, which is logged loudly at start and on
every request line.
"""

from __future__ import annotations

import logging
from pathlib import Path

import click

from reasoner.cli.options import as_of_option, backend_option, policy_option
from reasoner.config import CDS_BATCH_WAIT_MS, CDS_MAX_BATCH, MAX_CDS_BODY_BYTES

_DEFAULT_DATA_DIR = "trd-serve-data"

_EPILOG = """\b
Examples:
  trd serve --trust trust.json --public-url https://cds.example.org
  trd serve --insecure-dev --port 8080 --as-of 2026-01-15     # a local trial, no authentication
  curl -s localhost:8080/cds-services
\b
The trust file names the CDS clients (JWT issuers) and their JWK Sets:
  {"clients": [{"iss": "https://ehr.example.org", "jwks_file": "ehr.jwks.json"}],
   "algorithms": ["ES384", "RS384"]}
"""


@click.command(epilog=_EPILOG)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@policy_option
@as_of_option
@backend_option
@click.option("--trust", "trust_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Trust file: the CDS clients (iss, JWK Set file or trusted jku URLs) and accepted algorithms.")
@click.option("--public-url", default=None,
              help="The service's base URL as CDS clients call it (token audiences are under it); "
                   "default http://HOST:PORT.")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=Path(_DEFAULT_DATA_DIR),
              show_default=True, help="Where the feedback store and the token replay cache are kept.")
@click.option("--fhir-server", "fhir_servers", multiple=True, metavar="URL",
              help="A FHIR server base URL the service may fetch missing prefetch data from (repeatable); "
                   "no other server is ever contacted.")
@click.option("--fhir-timeout", default=5.0, show_default=True, type=click.FloatRange(0.1, 60),
              help="Time limit in seconds for fetching one call's data from its fhirServer.")
@click.option("--max-body", default=MAX_CDS_BODY_BYTES, show_default=True, type=click.IntRange(1024, None),
              help="Largest request body in bytes.")
@click.option("--report-url", default=None, metavar="TEMPLATE",
              help="A link added to every card, {patientId} replaced (e.g. a report viewer).")
@click.option("--insecure-dev", is_flag=True, default=False,
              help="Accept calls WITHOUT a signed JWT. Only for local trials; never with real patient data.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes (each with its own warm pipeline; the replay cache and feedback store are "
                   "shared SQLite files). With more than one, this process accepts and gives each connection "
                   "to the worker with the fewest. One per core gives the most hooks per second.")
@click.option("--max-batch", default=CDS_MAX_BATCH, show_default=True, type=click.IntRange(1, 64),
              help="Most patient-view calls assessed together when they wait for the pipeline at the same "
                   "time (1: one call at a time).")
@click.option("--batch-wait-ms", default=CDS_BATCH_WAIT_MS, show_default=True, type=click.FloatRange(0, 100),
              help="Longest a batch about to start waits for patient-view calls already received, or expected "
                   "(as many as were queued or assessed together in the last second; 0: no wait).")
@click.option("--log-level", type=click.Choice(["debug", "info", "warning"]), default="info", show_default=True)
def serve(host: str, port: int, policy: str, as_of: str | None, backend: str, trust_file: Path | None,
          public_url: str | None, data_dir: Path, fhir_servers: tuple[str, ...], fhir_timeout: float,
          max_body: int, report_url: str | None, insecure_dev: bool, workers: int, max_batch: int,
          batch_wait_ms: float, log_level: str) -> None:
    """Run the CDS Hooks 2.0 service (patient-view, order-select, order-sign, feedback)."""
    import uvicorn

    from reasoner.serve.app import ServeSettings, configure_logging, create_app

    configure_logging(log_level)
    log = logging.getLogger("trd.serve")
    settings = ServeSettings(host=host, port=port, public_url=public_url, policy=policy, as_of=as_of,
                             trust_file=trust_file, insecure_dev=insecure_dev, data_dir=data_dir,
                             fhir_servers=fhir_servers, fhir_time_limit=fhir_timeout, max_body_bytes=max_body,
                             report_url=report_url, backend=backend, max_batch=max_batch,
                             batch_wait_ms=batch_wait_ms)
    if insecure_dev:
        for _ in range(3):
            log.warning("!!! --insecure-dev: calls are accepted WITHOUT authentication. Local trials only; "
                        "never expose this service or give it real patient data. !!!")
    summary = ("trd serve: policy %s, evaluation date %s, base URL %s, data in %s, FHIR servers: %s, workers %d",
               policy, as_of or "the day of each call", settings.base_url, data_dir,
               ", ".join(fhir_servers) or "none (prefetch only)", workers)
    if workers == 1:
        app = create_app(settings)
        log.info(*summary)
        uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=False, server_header=False)
        return
    import os

    from reasoner.serve.app import SETTINGS_ENV, Service, settings_to_env

    Service.start(settings).close()  # check trust file, policy and data dir once, before starting workers
    os.environ[SETTINGS_ENV] = settings_to_env(settings)
    log.info(*summary)
    from reasoner.serve.balancer import bind, serve_balanced

    try:
        listener = bind(host, port)
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    status = serve_balanced(listener, workers, log_level)
    if status:
        raise SystemExit(status)


@click.group()
def feedback() -> None:
    """Feedback that clinicians gave on the cards of ``trd serve``."""


@feedback.command("summary")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=Path(_DEFAULT_DATA_DIR),
              show_default=True, help="The --data-dir of trd serve.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def summary(data_dir: Path, fmt: str) -> None:
    """Per card type: cards issued, accepted, overridden, and the override reasons and comments."""
    import json
    from dataclasses import asdict

    from reasoner.serve.feedback import summary as read_summary

    rows = read_summary(data_dir / "feedback.sqlite")
    if fmt == "json":
        click.echo(json.dumps([asdict(r) for r in rows], indent=2, ensure_ascii=False, allow_nan=False))
        return
    if not rows:
        click.echo("no cards issued yet")
        return
    click.echo(f"{'card type':<36} {'issued':>7} {'accepted':>9} {'overridden':>11}  override reasons")
    for r in rows:
        reasons = "; ".join(f"{reason} ×{n}" for reason, n in sorted(r.reasons.items(), key=lambda kv: -kv[1]))
        click.echo(f"{r.card_type:<36} {r.issued:>7} {r.accepted:>9} {r.overridden:>11}  {reasons or '-'}")
        for comment in r.comments:
            click.echo(f"{'':<36}   comment: {comment}")


__all__ = ["serve", "feedback"]
