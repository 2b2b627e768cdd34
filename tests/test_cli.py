"""The `trd` command line: every registered command is installed and documented, and usage errors
and unreadable input end with exit code 2 and a one-line message, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from reasoner import __version__
from reasoner.cli.main import COMMANDS

REPO = Path(__file__).resolve().parent.parent


def run_trd(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "reasoner.cli.main", *args], capture_output=True, text=True,
                          cwd=REPO, timeout=300)


def test_help_lists_every_registered_command() -> None:
    result = run_trd("--help")
    assert result.returncode == 0, result.stderr
    for name in COMMANDS:
        assert name in result.stdout, f"`trd {name}` is registered but not installed"


def test_version() -> None:
    result = run_trd("--version")
    assert result.returncode == 0
    assert __version__ in result.stdout


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_each_command_has_help(name: str) -> None:
    result = run_trd(name, "--help")
    assert result.returncode == 0, result.stderr
    assert "Usage:" in result.stdout


def test_unknown_command_is_a_usage_error() -> None:
    result = run_trd("no-such-command")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", ["validate", "assess"])
def test_unreadable_input_exits_2_naming_the_file(command: str, tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_text("@prefix trd: <https://w3id.org/trd-reasoner/ontology#> .\n<x> a trd:Patient ;\n")
    result = run_trd(command, str(broken))
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert str(broken) in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_ctx_exit_code_of_a_command_reaches_the_shell(monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression: `ctx.exit(1)` inside a command used to end the process with 0."""
    import click

    from reasoner.cli import main as cli_module

    @click.command()
    @click.pass_context
    def failing(ctx: click.Context) -> None:
        ctx.exit(1)

    monkeypatch.setitem(cli_module.COMMANDS, "failing-for-test", "tests.test_cli:_unused")
    monkeypatch.setattr(cli_module.LazyGroup, "get_command",
                        lambda self, ctx, name: failing if name == "failing-for-test" else None)
    with pytest.raises(SystemExit) as info:
        cli_module.main(["failing-for-test"])
    assert info.value.code == 1


def test_cohort_mode_exit_codes_follow_the_contract(tmp_path: Path) -> None:
    """Regression: `trd assess --out` exited 0 even when a patient graph violated a shape, and
    silently ignored --format. docs/output-contract.md: exit 1 on a violation, 2 on a usage error."""
    with_malformed = run_trd("assess", str(REPO / "examples"), "--out", str(tmp_path / "a"), "--as-of", "2026-01-15")
    assert with_malformed.returncode == 1, with_malformed.stderr
    ids = sorted(json.loads(line)["id"] for line in (tmp_path / "a" / "patients.jsonl").read_text().splitlines())
    # three patients, and malformed.ttl's score of nobody on a line of its own
    assert ids == ["(unattributed)", "pat-001", "pat-002", "pat-003"]
    clean = tmp_path / "clean"
    clean.mkdir()
    (clean / "p.ttl").write_text((REPO / "examples" / "trd-confirmed.ttl").read_text())
    assert run_trd("assess", str(clean), "--out", str(tmp_path / "b"), "--as-of", "2026-01-15").returncode == 0
    misuse = run_trd("assess", str(clean), "--out", str(tmp_path / "c"), "--format", "json")
    assert misuse.returncode == 2
    assert "Traceback" not in misuse.stderr
