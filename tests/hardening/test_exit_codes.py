"""Exit codes as documented (0 ok, 1 shape violations, 2 bad input or environment) and no
traceback without ``--debug``, through the real CLI in a process of its own (issue 16)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent.parent
HERE = Path(__file__).resolve().parent
EXAMPLE = REPO / "examples" / "inadequate-trial.ttl"


def trd(*args: str, extra_path: Path | None = None) -> subprocess.CompletedProcess:
    path = str(REPO) + ((":" + str(extra_path)) if extra_path else "")
    return subprocess.run([sys.executable, "-m", "reasoner.cli.main", *args], capture_output=True, timeout=300,
                          env={"PYTHONPATH": path, "PATH": "/usr/bin:/bin"}, text=True)


def one_line(done: subprocess.CompletedProcess) -> bool:
    return len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr


def test_unreadable_input_is_one_line_and_2_and_debug_shows_the_traceback(tmp_path: Path) -> None:
    missing = str(tmp_path / "missing.ttl")
    done = trd("assess", missing)
    assert done.returncode == 2 and one_line(done) and done.stderr.startswith("trd: error:")
    debug = trd("--debug", "assess", missing)
    assert debug.returncode != 0 and "Traceback" in debug.stderr


def test_out_under_a_file_is_one_line_and_2(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    done = trd("assess", str(EXAMPLE), "--out", str(blocker / "out"))
    assert done.returncode == 2 and one_line(done) and "cannot create the output folder" in done.stderr


def test_a_query_file_that_is_a_folder_is_a_usage_error_2(tmp_path: Path) -> None:
    """click's usage error: the usage line and the error, no traceback."""
    done = trd("query", str(tmp_path), str(EXAMPLE))
    assert done.returncode == 2 and "Traceback" not in done.stderr and "is a directory" in done.stderr


@pytest.mark.parametrize(("command", "code", "text"), [
    ("boom", 2, "trd: internal error: ZeroDivisionError: a bug (run again with trd --debug"),
    ("disk", 2, "trd: error: /out/patients.jsonl: No space left on device"),
])
def test_unexpected_errors_are_one_line(tmp_path: Path, command: str, code: int, text: str) -> None:
    """A bug and an OSError from anywhere: one line and exit 2; ``--debug`` lets the traceback out."""
    script = ("import sys\n"
              "from reasoner.cli import main as m\n"
              f"m.COMMANDS[{command!r}] = 'failing_command:{command}'\n"
              "m.main(sys.argv[1:])\n")
    run = [sys.executable, "-c", script]
    env = {"PYTHONPATH": f"{REPO}:{HERE}", "PATH": "/usr/bin:/bin"}
    done = subprocess.run([*run, command], capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == code and one_line(done) and done.stderr.startswith(text), done.stderr
    debug = subprocess.run([*run, "--debug", command], capture_output=True, text=True, timeout=120, env=env)
    assert "Traceback" in debug.stderr


def test_shape_violation_is_1_and_clean_input_is_0() -> None:
    assert trd("assess", str(REPO / "tests" / "corpus" / "turtle" / "ten-dose.ttl"), "--as-of", "2026-01-15",
               "--format", "json").returncode == 1
    ok = trd("assess", str(REPO / "tests" / "corpus" / "turtle" / "usable-dose.ttl"), "--as-of", "2026-01-15")
    assert ok.returncode == 0 and ok.stderr == ""
