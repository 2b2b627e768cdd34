"""``trd endpoint``: a read-only SPARQL 1.1 Protocol endpoint over a cohort's results store.

Not a server of our own: it runs Oxigraph's (the ``oxigraph`` package from PyPI, the same engine
and store format as the ``pyoxigraph`` that wrote the store) in read-only mode, so updates are
refused by the server itself. Queries see the union of the named graphs as their default graph,
as ``trd query --store`` does, so the competency questions of ``queries/report/`` give the same
rows over HTTP. It binds to loopback unless told otherwise; SPARQL 1.1 Protocol at ``/query``.
The server replaces the ``trd`` process (so Ctrl-C or a signal stops it). A store must not be written (a cohort run) while the endpoint serves it.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import click

from reasoner.errors import InputError

_EPILOG = """\b
Examples:
  trd endpoint results/store                     # http://127.0.0.1:7878/query
  trd endpoint results/store --port 8000
Open it from a SPARQL client, e.g. YASGUI with the endpoint URL http://127.0.0.1:7878/query.
"""


def oxigraph_binary() -> str:
    """The ``oxigraph`` server executable (from the ``oxigraph`` PyPI package)."""
    found = shutil.which("oxigraph") or shutil.which("oxigraph", path=str(Path(sys.executable).parent))
    if found is None:
        raise InputError("the Oxigraph server is not installed: pip install oxigraph")
    return found


def server_command(store: Path, bind: str, port: int) -> list[str]:
    """The command line of a read-only Oxigraph server over ``store`` (union default graph)."""
    host = f"[{bind}]" if ":" in bind and not bind.startswith("[") else bind
    return [oxigraph_binary(), "serve-read-only", "--location", str(store), "--bind", f"{host}:{port}",
            "--union-default-graph"]


def check_store(store: Path) -> None:
    """A results store folder (refused with one line otherwise, before any server starts)."""
    if not store.is_dir():
        raise InputError(f"{store}: store directory not found (a cohort run writes RESULTS/store)")
    if not any(store.glob("CURRENT")) and not any(store.iterdir()):
        raise InputError(f"{store}: empty folder, not an Oxigraph store")


@click.command("endpoint", epilog=_EPILOG)
@click.argument("store", type=click.Path(file_okay=False, path_type=Path))
@click.option("--bind", default="127.0.0.1", show_default=True,
              help="Address to listen on (loopback by default; another address exposes the data).")
@click.option("--port", default=7878, show_default=True, type=click.IntRange(1, 65535))
def endpoint(store: Path, bind: str, port: int) -> None:
    """Serve STORE (a cohort's RESULTS/store) read-only over the SPARQL 1.1 Protocol at /query."""
    check_store(store)
    command = server_command(store, bind, port)
    click.echo(f"SPARQL endpoint (read-only): http://{bind if ':' not in bind else '[' + bind + ']'}:{port}/query",
               err=True)
    sys.stdout.flush()
    sys.stderr.flush()
    # The server replaces this process: a signal to it (Ctrl-C, a service manager) stops the server.
    os.execv(command[0], command)


__all__ = ["endpoint", "server_command", "oxigraph_binary", "check_store"]
