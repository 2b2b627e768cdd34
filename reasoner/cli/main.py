"""The ``trd`` command line.

Each command lives in the module of its area (validation, inference, import, …) and is
imported only when it is used, so ``trd --help`` and small commands start fast. A
:class:`~reasoner.errors.TrdError` becomes a one-line message on stderr and its exit code,
never a traceback.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import sqlite3
import sys

import click

from reasoner import __version__
from reasoner.errors import TrdError

#: command name -> "module:attribute" of a click command. Add one line per command.
COMMANDS: dict[str, str] = {
    "ontology": "reasoner.cli.ontology:ontology",
    "validate": "reasoner.cli.validate:validate",
    "assess": "reasoner.cli.assess:assess",
    "explain": "reasoner.cli.explain:explain",
    "query": "reasoner.cli.query:query",
    "import": "reasoner.cli.fhir_import:import_fhir",
    "report": "reasoner.cli.report:report",
    "endpoint": "reasoner.cli.endpoint:endpoint",
    "serve": "reasoner.cli.serve:serve",
    "feedback": "reasoner.cli.serve:feedback",
}


def _module_present(module_name: str) -> bool:
    """True when the module's file exists (its parent package may be absent too)."""
    try:
        return importlib.util.find_spec(module_name) is not None
    except ModuleNotFoundError:
        return False


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        # A command whose module is not part of this installation is not listed; a module
        # that exists but fails to import still raises, so errors are never hidden.
        return sorted(name for name, target in COMMANDS.items() if _module_present(target.split(":")[0]))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None or not _module_present(target.split(":")[0]):
            return None
        module_name, attribute = target.split(":")
        return getattr(importlib.import_module(module_name), attribute)


#: Set by the global ``--debug`` flag: errors then raise with their traceback.
_debug = False


def _set_debug(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
    global _debug
    _debug = _debug or bool(value)
    return value


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="trd")
@click.option("--debug", is_flag=True, is_eager=True, expose_value=False, callback=_set_debug,
              help="Show the Python traceback of an error instead of the one-line message.")
def cli() -> None:
    """trd-reasoner: validate patient graphs, infer treatment-resistant depression, explain why."""


def _one_line(exc: BaseException) -> str:
    """The first line of an exception's message (its type when it has none)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _os_error(exc: OSError) -> str:
    """``path: reason`` for an OSError (a read-only or full folder, a missing file)."""
    where = exc.filename if exc.filename is not None else None
    reason = exc.strerror or _one_line(exc)
    return f"{where}: {reason}" if where is not None else reason


def main(argv: list[str] | None = None) -> None:
    """Console entry point: run the CLI and map project errors to clean exit codes."""
    # rdflib logs a traceback for every ill-typed literal it meets; the shapes report each such
    # value as a data issue, so the log would only repeat it as noise on stderr.
    logging.getLogger("rdflib.term").setLevel(logging.CRITICAL)
    global _debug
    _debug = False
    try:
        # Without standalone mode click returns the code of ctx.exit(n) instead of exiting.
        result = cli.main(args=argv, prog_name="trd", standalone_mode=False)
        if isinstance(result, int) and not isinstance(result, bool):
            sys.exit(result)
    except TrdError as exc:
        if _debug:
            raise
        click.echo(f"trd: error: {_one_line(exc)}", err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("trd: aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2 if exc.exit_code == 1 else exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        if _debug:
            raise
        click.echo("trd: aborted", err=True)
        sys.exit(130)
    except (OSError, sqlite3.Error) as exc:  # the environment: a read-only or full disk, a lost file
        if _debug:
            raise
        text = _os_error(exc) if isinstance(exc, OSError) else _one_line(exc)
        click.echo(f"trd: error: {text}", err=True)
        sys.exit(2)
    except Exception as exc:  # noqa: BLE001 - a bug: still one line for the user, traceback with --debug
        if _debug:
            raise
        click.echo(f"trd: internal error: {type(exc).__name__}: {_one_line(exc)} "
                   "(run again with trd --debug … for the traceback)", err=True)
        sys.exit(2)
    sys.exit(0)


if __name__ == "__main__":  # pragma: no cover
    main()
