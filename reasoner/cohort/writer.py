"""The one writer of a cohort run: JSON Lines, the Oxigraph store and the manifest.

Only the parent process writes (RocksDB allows one writer, and one appender keeps the JSONL file
whole). Per shard, in this order: append its lines to ``patients.jsonl.partial`` and fsync them,
load its quads into the store, then commit the shard in the manifest (with the byte length the
partial file then has). A crash before the commit leaves lines that the next run cuts off (the
manifest knows the committed length) and quads that the redo writes again; an RDF store is a
set, and findings have IRIs minted from their data, so a second load of the same shard adds
nothing. Hence: no duplicate patient, whatever the crash point.

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

JSONL_NAME = "patients.jsonl"
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
        self.store: ox.Store | None = ox.Store(str(self.out_dir / STORE_NAME)) if store else None
        if self.store is not None:
            self._load_ontology()

    def _load_ontology(self) -> None:
        """The ontology graph, so the store answers queries on classes and labels by itself."""
        assert self.store is not None
        graph = ox.NamedNode(str(GRAPH_ONTOLOGY))
        if not has_quad(self.store, graph=graph):
            self.store.bulk_load(ontology_ntriples(), format=ox.RdfFormat.N_TRIPLES, to_graph=graph)

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
        if result.jsonl:
            jsonl.write(result.jsonl)
            jsonl.flush()
            os.fsync(jsonl.fileno())
        if self.store is not None and result.nquads:
            # lenient: skip re-validating IRIs and language tags. The quads were written by
            # Oxigraph's own serialiser from terms it had already parsed and checked (a shard's
            # workspace), so the checks cannot fail here and only cost CPU
            # (benchmarks/results/cohort-analysis.md).
            self.store.bulk_load(result.nquads, format=ox.RdfFormat.N_QUADS, lenient=True)
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

    def close(self) -> None:
        """Flush the store to disk and close the files."""
        if self._jsonl is not None:
            self._jsonl.close()
            self._jsonl = None
        if self.store is not None:
            self.store.flush()
            del self.store
            self.store = None


__all__ = ["ResultWriter", "JSONL_NAME", "PARTIAL_NAME", "STORE_NAME"]
