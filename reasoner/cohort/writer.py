"""The one writer of a cohort run: JSON Lines, the Oxigraph store and the manifest.

Only the parent process writes (RocksDB allows one writer, and one appender keeps the JSONL file
whole). Per shard, in this order: append its lines to ``patients.jsonl`` and flush them to disk,
load its quads into the store, then commit the shard in the manifest. A crash before the commit
leaves lines that the next run cuts off (the manifest knows the committed length) and quads that
the redo writes again; an RDF store is a set, and findings have IRIs minted from their data, so a
second load of the same shard adds nothing. Hence: no duplicate patient, whatever the crash point.
"""

from __future__ import annotations

import os
from pathlib import Path

import pyoxigraph as ox

from reasoner.knowledge.namespaces import GRAPH_ONTOLOGY
from reasoner.knowledge.loader import ontology_ntriples
from reasoner.rules.terms import has_quad
from reasoner.cohort.manifest import Manifest, ResumeError
from reasoner.cohort.results import ShardResult

JSONL_NAME = "patients.jsonl"
STORE_NAME = "store"


class ResultWriter:
    """Appends committed shards to ``out_dir`` (see module docstring)."""

    def __init__(self, out_dir: Path, manifest: Manifest, store: bool = True) -> None:
        self.out_dir = Path(out_dir)
        self.manifest = manifest
        self.jsonl_path = self.out_dir / JSONL_NAME
        # Cut back to what committed shards wrote: the tail of a shard that died mid-write goes.
        end = manifest.jsonl_end()
        self._jsonl = open(self.jsonl_path, "ab")
        if self._jsonl.tell() < end:  # lines of committed shards are missing: cannot resume
            self._jsonl.close()
            raise ResumeError(f"{self.jsonl_path}: shorter than its committed shards ({end} bytes); "
                              "start over without resume")
        if self._jsonl.tell() != end:
            self._jsonl.truncate(end)
            self._jsonl.seek(end)
        self.store: ox.Store | None = ox.Store(str(self.out_dir / STORE_NAME)) if store else None
        if self.store is not None:
            self._load_ontology()

    def _load_ontology(self) -> None:
        """The ontology graph, so the store answers queries on classes and labels by itself."""
        assert self.store is not None
        graph = ox.NamedNode(str(GRAPH_ONTOLOGY))
        if not has_quad(self.store, graph=graph):
            self.store.bulk_load(ontology_ntriples(), format=ox.RdfFormat.N_TRIPLES, to_graph=graph)

    def write(self, result: ShardResult) -> None:
        """Write one shard and commit it (the commit is the last step; see module docstring)."""
        if result.jsonl:
            self._jsonl.write(result.jsonl)
            self._jsonl.flush()
            os.fsync(self._jsonl.fileno())
        if self.store is not None and result.nquads:
            # lenient: skip re-validating IRIs and language tags. The quads were written by
            # Oxigraph's own serialiser from terms it had already parsed and checked (a shard's
            # workspace), so the checks cannot fail here and only cost CPU
            # (benchmarks/results/cohort-analysis.md).
            self.store.bulk_load(result.nquads, format=ox.RdfFormat.N_QUADS, lenient=True)
        self.manifest.commit(result.shard_id, result.patients, self._jsonl.tell(), result.counts,
                             result.seconds)

    def close(self) -> None:
        """Flush the store to disk and close the files."""
        self._jsonl.close()
        if self.store is not None:
            self.store.flush()
            del self.store
            self.store = None


__all__ = ["ResultWriter", "JSONL_NAME", "STORE_NAME"]
