"""Cohort output under faults: kill -9 at several points, two runs on one folder, a read-only and a
full output folder. Each ends in one JSON line per input patient, no duplicates and a summary that
tells the truth (issue 16).

The read-only and full folders are real file systems: a tmpfs mounted for the test (CI runs as
root). Where mounting is not allowed the test falls back to what the kernel offers an ordinary
process: a folder without write permission (as user ``nobody`` when the test runs as root) and a
file-size limit (``RLIMIT_FSIZE``, so a write fails as on a full disk).
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from cohort_helpers import ECHO, HERE, SLOW, read_jsonl
from reasoner.cohort import run_cohort
from reasoner.cohort.files import OutputError
from reasoner.render.jsonl import UNATTRIBUTED_ID

REPO = HERE.parent.parent
PATIENTS = 250          # cohort_250
SHARD = 25              # 10 shards


def _env(**extra: str) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(HERE)]), **extra}
    return env


def _start_run(source: Path, out: Path, seconds_per_shard: float) -> subprocess.Popen:
    """A cohort run in a process of its own (the slow test processor), to kill or to race."""
    script = (f"import sys; sys.path.insert(0, {str(HERE)!r})\n"
              "from reasoner.cohort import run_cohort\n"
              f"run_cohort({str(source)!r}, {str(out)!r}, shard_size={SHARD}, processor={SLOW!r}, progress=False, workers=1)\n")
    return subprocess.Popen([sys.executable, "-c", script], env=_env(TRD_TEST_SHARD_SECONDS=str(seconds_per_shard)),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _committed(out: Path) -> int:
    """Shards the manifest holds as committed (read-only: the running process owns the file)."""
    path = out / "manifest.sqlite"
    if not path.exists():
        return -1
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=0.1)
        try:
            return int(con.execute("SELECT COUNT(*) FROM shards").fetchone()[0])
        finally:
            con.close()
    except sqlite3.Error:
        return -1   # the table is not there yet


def _wait_for(predicate, proc: subprocess.Popen, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if proc.poll() is not None:
            raise AssertionError(f"the run ended early: {proc.communicate()[1].decode()[-2000:]}")
        if time.monotonic() > deadline:
            proc.kill()
            raise AssertionError("the run did not reach the point in time")
        time.sleep(0.02)


def _wait_for_state(pid: int, states: str, timeout: float = 30.0) -> None:
    """Wait until the kernel shows the process in one of ``states`` (T: stopped by SIGSTOP; t:
    the same under a tracer such as strace)."""
    deadline = time.monotonic() + timeout
    while Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] not in states:
        assert time.monotonic() < deadline, f"process {pid} never reached a state in {states!r}"
        time.sleep(0.01)


def _snapshot(directory: Path) -> dict[str, tuple[int, int, str]]:
    """Every file under a folder with its size, mtime and content hash."""
    files = {}
    for path in sorted(directory.rglob("*")):
        if path.is_file():
            stat = path.stat()
            files[str(path.relative_to(directory))] = (stat.st_size, stat.st_mtime_ns,
                                                       hashlib.sha256(path.read_bytes()).hexdigest())
    return files


def assert_complete(out: Path, patients: int = PATIENTS, reference: Path | None = None) -> None:
    """One line per input patient, none twice, nothing left in progress, a truthful summary."""
    assert not (out / "patients.jsonl.partial").exists()
    got = read_jsonl(out / "patients.jsonl")
    ids = [p["id"] for p in got if p["id"] != UNATTRIBUTED_ID]
    assert len(ids) == len(set(ids)) == patients
    summary = json.loads((out / "summary.json").read_text())
    assert summary["patients"] == patients
    assert summary["trd"] == dict(Counter(p["trd"]["status"] for p in got if p["id"] != UNATTRIBUTED_ID))
    if reference is not None:
        assert got == read_jsonl(reference / "patients.jsonl")


@pytest.fixture(scope="module")
def reference(cohort_250: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("reference") / "out"
    run_cohort(cohort_250 / "fhir", out, shard_size=SHARD, processor=ECHO, progress=False, workers=1)
    return out


# --- kill -9 ---------------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("after_shards", [-1, 0, 1, 4, 9])
def test_kill_9_at_several_points_then_resume(cohort_250: Path, tmp_path: Path, reference: Path,
                                              monkeypatch: pytest.MonkeyPatch, after_shards: int) -> None:
    """-1: killed while it starts (index, manifest); n: killed once n shards are committed."""
    out = tmp_path / "out"
    proc = _start_run(cohort_250 / "fhir", out, seconds_per_shard=0.15)
    if after_shards < 0:
        _wait_for(lambda: (out / "manifest.sqlite").exists() or (out / "index.sqlite").exists(), proc)
    else:
        _wait_for(lambda: _committed(out) >= after_shards, proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    # the crash state: nothing published under a final name, so no reader takes it for a result
    assert not (out / "patients.jsonl").exists() and not (out / "summary.json").exists()
    monkeypatch.setenv("TRD_TEST_SHARD_SECONDS", "0")
    summary = run_cohort(cohort_250 / "fhir", out, shard_size=SHARD, processor=SLOW, progress=False, workers=1)
    assert summary.patients == PATIENTS
    assert_complete(out, reference=reference)


@pytest.mark.slow
def test_kill_9_of_a_real_cli_run_then_resume(cohort_60: Path, tmp_path: Path) -> None:
    """The real pipeline through ``trd assess --out``, killed in the middle of its shard."""
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "reasoner.cli.main", "assess", str(cohort_60 / "fhir"), "--out", str(out),
           "--as-of", "2026-01-15"]
    proc = subprocess.Popen(cmd, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _wait_for(lambda: _committed(out) >= 0, proc, timeout=300)   # the manifest is there: shards run
    time.sleep(1.0)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert not (out / "patients.jsonl").exists() and not (out / "summary.json").exists()
    done = subprocess.run(cmd, env=_env(), capture_output=True, timeout=600)
    assert done.returncode in (0, 1), done.stderr.decode()[-2000:]   # 1: the cohort has shape violations
    assert "Traceback" not in done.stderr.decode()
    assert_complete(out, patients=60)


# --- two runs on one folder ------------------------------------------------------------------
@pytest.mark.slow
def test_a_second_run_fails_at_once_and_changes_nothing(cohort_250: Path, tmp_path: Path, reference: Path) -> None:
    out = tmp_path / "out"
    first = _start_run(cohort_250 / "fhir", out, seconds_per_shard=0.3)
    try:
        _wait_for(lambda: _committed(out) >= 1, first)
        first.send_signal(signal.SIGSTOP)      # hold the first run still while the second one tries
        _wait_for_state(first.pid, "Tt")
        try:
            before = _snapshot(out)
            second = subprocess.run([sys.executable, "-m", "reasoner.cli.main", "assess", str(cohort_250 / "fhir"),
                                     "--out", str(out)], env=_env(), capture_output=True, timeout=120)
            after = _snapshot(out)
            # the API says the same, asked while the first run is still held (once it goes on,
            # the folder changes because of it, not because of this call)
            with pytest.raises(OutputError, match="another trd run"):
                run_cohort(cohort_250 / "fhir", out, shard_size=SHARD, processor=ECHO, progress=False, workers=1)
            after_api = _snapshot(out)
        finally:
            first.send_signal(signal.SIGCONT)
        err = second.stderr.decode()
        assert second.returncode == 2 and "another trd run" in err
        assert "Traceback" not in err and len(err.strip().splitlines()) == 1
        assert after == before
        assert after_api == before
    finally:
        first.send_signal(signal.SIGCONT)
        stdout, stderr = first.communicate(timeout=300)
    assert first.returncode == 0, stderr.decode()[-2000:]
    assert_complete(out, reference=reference)


# --- read-only and full output folders ------------------------------------------------------
def _mount(target: Path, options: str) -> bool:
    if os.environ.get("TRD_TEST_NO_MOUNT") == "1" or os.geteuid() != 0:
        return False
    target.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(target)], capture_output=True)
    return done.returncode == 0


def _umount(target: Path) -> None:
    subprocess.run(["umount", "-l", str(target)], capture_output=True)


def _trd(args: list[str], preexec=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reasoner.cli.main", *args], env=_env(), capture_output=True,
                          timeout=600, preexec_fn=preexec)


def _trd_in_process(args: list[str], capsys: pytest.CaptureFixture[str]) -> subprocess.CompletedProcess:
    from reasoner.cli.main import main

    with pytest.raises(SystemExit) as exit_info:
        main(args)
    out, err = capsys.readouterr()
    return subprocess.CompletedProcess(args, int(exit_info.value.code or 0), out.encode(), err.encode())


def _read_only_wrapper(monkeypatch: pytest.MonkeyPatch, root: Path) -> None:
    """The fault-injecting fallback: every write under ``root`` fails with EROFS, as on a
    read-only mount (file opens for writing, new folders, SQLite databases)."""
    import builtins
    import errno
    import sqlite3 as sqlite

    def refuse(path: object) -> None:
        if str(os.fspath(path)).startswith(str(root)):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))

    real_open, real_os_open, real_mkdir, real_connect = builtins.open, os.open, os.mkdir, sqlite.connect

    def fake_open(file, mode="r", *args, **kwargs):
        if any(flag in mode for flag in "wax+"):
            refuse(file)
        return real_open(file, mode, *args, **kwargs)

    def fake_os_open(path, flags, *args, **kwargs):
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            refuse(path)
        return real_os_open(path, flags, *args, **kwargs)

    def fake_mkdir(path, *args, **kwargs):
        refuse(path)
        return real_mkdir(path, *args, **kwargs)

    def fake_connect(database, *args, **kwargs):
        refuse(database)
        return real_connect(database, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", fake_open)
    monkeypatch.setattr(os, "open", fake_os_open)
    monkeypatch.setattr(os, "mkdir", fake_mkdir)
    monkeypatch.setattr(sqlite, "connect", fake_connect)


@pytest.mark.parametrize("where", ["existing", "new/sub"])
def test_read_only_out_is_one_line_and_exit_2(cohort_60: Path, tmp_path: Path, where: str,
                                              monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    mount = tmp_path / "ro"
    args = ["assess", str(cohort_60 / "fhir"), "--out", str(mount / where)]
    mounted = _mount(mount, "size=4m")
    if mounted:
        (mount / "existing").mkdir()
        mounted = subprocess.run(["mount", "-o", "remount,ro", str(mount)], capture_output=True).returncode == 0
    try:
        if not mounted:   # no tmpfs here: chmod for an ordinary user, the fault wrapper for root
            mount.mkdir(exist_ok=True)
            (mount / "existing").mkdir(exist_ok=True)
        before = _snapshot(mount)
        if mounted:
            done = _trd(args)
        elif os.geteuid() != 0:
            mount.chmod(0o555)
            (mount / "existing").chmod(0o555)
            done = _trd(args)
        else:
            _read_only_wrapper(monkeypatch, mount)
            done = _trd_in_process(args, capsys)
            monkeypatch.undo()
        err = done.stderr.decode()
        assert done.returncode == 2, err
        assert err.startswith("trd: error: ") and len(err.strip().splitlines()) == 1 and "Traceback" not in err
        assert _snapshot(mount) == before
    finally:
        if mounted:
            _umount(mount)
        elif mount.exists():
            mount.chmod(0o755)
            (mount / "existing").chmod(0o755)


def test_full_out_is_one_line_exit_2_and_resumes(cohort_60: Path, tmp_path: Path) -> None:
    """A disk that fills up mid-run: one line, exit 2; with room again the same command completes.

    ``--store``: the run then stages each shard's N-Quads for the results store, more than the
    small disk holds (without it, 60 patients' lines and tables fit)."""
    mount = tmp_path / "full"
    args = ["assess", str(cohort_60 / "fhir"), "--out", str(mount / "out"), "--as-of", "2026-01-15", "--store"]
    if _mount(mount, "size=2m"):
        try:
            full = _trd(args)
            _check_full(full, mount / "out")
            subprocess.run(["mount", "-o", "remount,size=256m", str(mount)], check=True, capture_output=True)
            _check_resumed(_trd(args), mount / "out")
        finally:
            _umount(mount)
        return

    def limited() -> None:  # pragma: no cover - runs in the child process
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)   # a write past the limit fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (512 * 1024, 512 * 1024))

    mount.mkdir()
    _check_full(_trd(args, limited), mount / "out")
    _check_resumed(_trd(args), mount / "out")


def _check_full(full: subprocess.CompletedProcess, out: Path) -> None:
    err = full.stderr.decode()
    assert full.returncode == 2, err[-2000:]
    assert err.startswith("trd: error: ") and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert "No space left on device" in err or "File too large" in err or "full" in err
    assert not (out / "summary.json").exists() and not (out / "patients.jsonl").exists()


def _check_resumed(again: subprocess.CompletedProcess, out: Path) -> None:
    assert again.returncode in (0, 1), again.stderr.decode()[-2000:]   # 1: the cohort has shape violations
    assert_complete(out, patients=60)
