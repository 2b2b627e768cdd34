"""The cohort output folder as a resource of one run: an exclusive lock, atomic files, clear errors.

Why a module of its own: the run, the writer and the summary must agree on how a file becomes
visible. A file a reader may open (``summary.json``, ``patients.jsonl``) appears only whole:
written to a temporary name in the same folder, flushed and fsynced, then renamed over the old
one, and the folder fsynced so the rename itself survives a power cut. A crash at any instant
leaves the old file or the new one, never half of one.

The lock is ``flock`` on the folder itself (not a lock file), so a second run fails before it has
created or changed anything in the folder. It is released when the run's process ends, however
it ends (kill -9 included); worker processes are spawned, not forked, so none inherits it.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from reasoner.errors import TrdError


class OutputError(TrdError):
    """The output folder cannot be used: busy with another run, read-only, full, or unwritable."""

    exit_code = 2


def describe(exc: BaseException) -> str:
    """A short reason for an OSError or SQLite error (``No space left on device: patients.jsonl``)."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror + (f": {Path(exc.filename).name}" if exc.filename else "")
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


@contextlib.contextmanager
def output_errors(out_dir: Path) -> Iterator[None]:
    """Turn the environment's failures while writing ``out_dir`` into one clear OutputError."""
    try:
        yield
    except (OSError, sqlite3.Error) as exc:  # pyoxigraph reports RocksDB failures as OSError too
        raise OutputError(f"{out_dir}: the cohort run stopped ({describe(exc)}); committed shards are kept: "
                          "free space or fix the folder, then run the same command again to resume") from exc


@contextlib.contextmanager
def exclusive(out_dir: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``out_dir`` for the block; fail at once if another run holds it."""
    try:
        fd = os.open(out_dir, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as exc:
        raise OutputError(f"{out_dir}: cannot open the output folder ({describe(exc)})") from exc
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise OutputError(f"{out_dir}: another trd run is writing this output folder; "
                                  "wait for it to end or use another --out (nothing was changed)") from exc
            raise OutputError(f"{out_dir}: cannot lock the output folder ({describe(exc)})") from exc
        yield
    finally:
        os.close(fd)   # closing the last descriptor releases the lock


def fsync_dir(directory: Path) -> None:
    """Make a rename or a new file in ``directory`` durable."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data``: temporary file, fsync, rename, fsync of the folder."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    fsync_dir(path.parent)


def publish(source: Path, target: Path) -> None:
    """Make a finished file visible under its final name (fsync, rename, fsync of the folder)."""
    with open(source, "rb+") as handle:
        os.fsync(handle.fileno())
    os.replace(source, target)
    fsync_dir(target.parent)


__all__ = ["OutputError", "exclusive", "output_errors", "write_atomic", "publish", "fsync_dir", "describe"]
