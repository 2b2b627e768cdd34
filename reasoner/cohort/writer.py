"""The one writer of a cohort run: JSON Lines, Parquet findings tables, the results store, the manifest.

Only the parent process writes (RocksDB allows one writer, and one appender keeps the JSONL file
whole). Per shard, in this order: write its Parquet tables (``findings/<table>/part-<shard>.parquet``)
and, when the run builds the results store, its N-Quads (``quads/part-<shard>.nq``), each under
a temporary name renamed into place; append its lines to ``patients.jsonl.partial`` and fsync
them; then commit the shard in the manifest (with the byte length the partial file then has). A
crash before the commit leaves lines that the next run cuts off (the manifest knows the committed
length) and files that the redo of the shard overwrites. Hence: no duplicate patient or row,
whatever the crash point.

The results store is off the hot path: :meth:`ResultWriter.build_store`, after every shard is
committed, bulk-loads the staged N-Quads into Oxigraph (``store/``) and removes each part once
loaded. An RDF store is a set, and findings have IRIs minted from their data, so a part loaded
twice (a crash between its load and its removal) adds nothing.

``patients.jsonl`` itself appears only when every shard is committed (:meth:`ResultWriter.finish`
renames the partial file, fsynced, over it): a reader never sees a half-written run under the
final name, and a crash at any instant leaves the old committed state or the new one.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from reasoner.knowledge.namespaces import GRAPH_ONTOLOGY
from reasoner.knowledge.loader import ontology_ntriples
from reasoner.rules.terms import has_quad
from reasoner.cohort.files import publish, write_atomic
from reasoner.cohort.manifest import Manifest, ResumeError
from reasoner.cohort.results import ShardResult
from reasoner.cohort.tables import FINDINGS_DIR, part_name

JSONL_NAME = "patients.jsonl"
QUADS_DIR = "quads"
#: The JSON Lines of a run in progress (committed prefix: the manifest's ``jsonl_end``).
PARTIAL_NAME = JSONL_NAME + ".partial"
STORE_NAME = "store"


class ResultWriter:
    """Appends committed shards to ``out_dir`` (see module docstring)."""

    def __init__(self, out_dir: Path, manifest: Manifest, store: bool = True) -> None:
        self.out_dir = Path(out_dir)
        self.manifest = manifest
        self.jsonl_path = self.out_dir / JSONL_NAME
        self.partial_path = self.out_dir / PARTIAL_NAME
        self._end = manifest.jsonl_end()
        self._jsonl: BinaryIO | None = None
        if not self.partial_path.exists() and self.jsonl_path.exists():
            # A finished run: its file must hold every committed line (nothing is opened for
            # writing unless a shard is left to run, see _open)
            size = self.jsonl_path.stat().st_size
            if size < self._end:
                raise ResumeError(f"{self.jsonl_path}: shorter than its committed shards ({self._end} bytes); "
                                  "start over without resume")
        self.store = store
        self.quads_dir = self.out_dir / QUADS_DIR
        self.findings_dir = self.out_dir / FINDINGS_DIR

    def _open(self) -> BinaryIO:
        """The partial file, cut back to what committed shards wrote (the tail of a shard that
        died mid-write goes); a finished file is reopened as partial only when shards remain."""
        if self._jsonl is not None:
            return self._jsonl
        if not self.partial_path.exists() and self.jsonl_path.exists():
            os.replace(self.jsonl_path, self.partial_path)
        handle = open(self.partial_path, "ab")
        if handle.tell() < self._end:  # lines of committed shards are missing: cannot resume
            handle.close()
            raise ResumeError(f"{self.partial_path}: shorter than its committed shards ({self._end} bytes); "
                              "start over without resume")
        if handle.tell() != self._end:
            handle.truncate(self._end)
            handle.seek(self._end)
            os.fsync(handle.fileno())
        self._jsonl = handle
        return handle

    def write(self, result: ShardResult) -> None:
        """Write one shard and commit it (the commit is the last step; see module docstring)."""
        jsonl = self._open()
        for table, data in result.tables.items():
            folder = self.findings_dir / table
            folder.mkdir(parents=True, exist_ok=True)
            _replace(folder / part_name(result.shard_id), data)
        if self.store and result.nquads:
            self.quads_dir.mkdir(exist_ok=True)
            _replace(self.quads_dir / f"part-{result.shard_id:06d}.nq", result.nquads)
        if result.jsonl:
            jsonl.write(result.jsonl)
            jsonl.flush()
            os.fsync(jsonl.fileno())
        self._end = jsonl.tell()
        self.manifest.commit(result.shard_id, result.patients, self._end, result.counts, result.seconds)

    def finish(self) -> None:
        """Every shard is committed: publish ``patients.jsonl`` (fsync, rename, fsync the folder).

        A run with nothing left to do keeps its finished file; a cohort without any line still
        gets an empty file, so the output always has one.
        """
        if self._jsonl is not None:
            self._jsonl.close()
            self._jsonl = None
        if self.partial_path.exists():
            publish(self.partial_path, self.jsonl_path)
        elif not self.jsonl_path.exists():
            write_atomic(self.jsonl_path, b"")

    def build_store(self) -> int:
        """Load the staged N-Quads of every committed shard into ``store/`` (made, with the
        ontology graph, if missing); each part is removed once loaded. Returns the quads loaded
        from the parts (one per line of N-Quads; the summary gives the store's load rate)."""
        store = ox.Store(str(self.out_dir / STORE_NAME))
        graph = ox.NamedNode(str(GRAPH_ONTOLOGY))
        if not has_quad(store, graph=graph):  # the ontology, so the store answers queries on classes and labels
            store.bulk_load(ontology_ntriples(), format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
        parts = sorted(self.quads_dir.glob("part-*.nq")) if self.quads_dir.is_dir() else []
        quads = 0
        if parts:
            # One bulk load over all parts, read as one stream: each bulk load sorts its quads and
            # ingests them into RocksDB, so one large load costs less than one per shard
            # (benchmarks/results/cohort-columnar.md). lenient: skip re-validating IRIs and
            # language tags — the quads were written by Oxigraph's own serialiser from terms it
            # had already made and checked, so the checks cannot fail here and only cost CPU.
            with _Concatenated(parts) as stream:
                store.bulk_load(stream, format=ox.RdfFormat.N_QUADS, lenient=True)
                quads = stream.lines  # counted as the loader read them: the parts are read once
        store.flush()
        del store
        for part in parts:
            part.unlink()
        if self.quads_dir.is_dir() and not any(self.quads_dir.iterdir()):
            self.quads_dir.rmdir()
        return quads

    def close(self) -> None:
        """Close the files."""
        if self._jsonl is not None:
            self._jsonl.close()
            self._jsonl = None


class _Concatenated:
    """Files read one after the other as one binary stream (what ``Store.bulk_load`` reads); a
    file that does not end with a line break gets one, so two files' lines never run together.
    ``lines``: the lines read so far (a last line without its line break counts)."""

    def __init__(self, paths: list[Path]) -> None:
        self._paths = list(paths)
        self._file: BinaryIO | None = None
        self._last = b"\n"
        self.lines = 0

    def __enter__(self) -> "_Concatenated":
        return self

    def __exit__(self, *exc: object) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def read(self, size: int = -1) -> bytes:
        while True:
            if self._file is None:
                if not self._paths:
                    return b""
                self._file = self._paths.pop(0).open("rb")
            block = self._file.read(size if size and size > 0 else 1 << 20)
            if block:
                self._last = block[-1:]
                self.lines += block.count(b"\n")
                return block
            self._file.close()
            self._file = None
            if self._last != b"\n":
                self._last = b"\n"
                self.lines += 1
                return b"\n"


def _replace(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole (temporary file, rename): a reader sees the old or the new file."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


__all__ = ["ResultWriter", "JSONL_NAME", "PARTIAL_NAME", "STORE_NAME", "QUADS_DIR"]
