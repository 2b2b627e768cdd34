"""Cohort scale: assess a whole population shard by shard (issue 6).

Entry point: :func:`run_cohort`, used by ``trd assess COHORT --out RESULTS [--workers N]
[--scheduler ADDRESS] [--processor columnar|pipeline] [--store]``. ``run.py`` lists the steps and
the module of each; a *processor* evaluates one shard (``worker.PROCESSORS``: ``columnar``, the
SQL twins of the rules over the whole shard, :mod:`reasoner.cohort.columnar_processor`; or
``pipeline``, the SPARQL rules on Oxigraph, :mod:`reasoner.cohort.pipeline_processor`), and both
write the same lines.

Input: a Bulk FHIR export folder (``*.ndjson``, grouped by patient through an on-disk SQLite
index) or a folder/file of Turtle/N-Triples patient graphs (data-model §6).

What ``RESULTS`` holds::

    patients.jsonl     one patient object of docs/output-contract.md per line (appears when
                       every shard is committed; ``patients.jsonl.partial`` until then)
    findings/<table>/  Parquet findings tables, one file per shard (:mod:`reasoner.cohort.tables`)
    store/             with --store only, built after the run from the shards' staged N-Quads
                       (``quads/``): asserted + derived (+ ontology) named graphs, for
                       ``trd query --store RESULTS/store``
    summary.json       totals (TRD statuses, pseudo-resistance, data issues, unreadable lines),
                       CPU and wall time per stage
    manifest.sqlite    committed shards and run parameters (resume)
    index.sqlite       the input index (rebuilt when the input changes)

Resume: run the same command again. Committed shards are skipped, the JSONL is cut back to what
they wrote, and no patient is written twice, whatever the moment of the crash. One run at a time:
the run locks ``RESULTS`` before touching it (a second run fails at once, changing nothing). Other parameters
(policy, as-of date, input content) on the same output are refused. A Dask cluster gets each
shard's data from the parent, so its machines need no access to the input.
"""

from __future__ import annotations

from reasoner.cohort.run import run_cohort
from reasoner.cohort.summary import Summary

__all__ = ["run_cohort", "Summary"]
