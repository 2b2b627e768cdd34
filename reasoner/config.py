"""Every setting of trd-reasoner that comes from the environment, and every size limit, in one place.

Why one module: limits protect the process from hostile or broken input (a 200 MB Bundle, a
line of 1 GB), and a user who raises one must find it, with its default, where the others are.
Each value is read once, when the package is imported; a malformed value is refused with a
one-line :class:`ConfigError` naming the variable, never a traceback.

| variable | default | what it bounds |
|---|---|---|
| ``TRD_HOME`` | the repository (parent of ``reasoner/``) | where ``ontology/``, ``shapes/``, ``queries/`` are read from |
| ``TRD_CACHE`` | ``~/.cache/trd-reasoner`` | the rule-analysis cache (speed only; safe to delete) |
| ``TRD_MAX_INPUT_BYTES`` | 512 MiB | one RDF input file |
| ``TRD_MAX_BUNDLE_BYTES`` | 128 MiB | one FHIR Bundle (read whole) |
| ``TRD_MAX_NDJSON_LINE_BYTES`` | 16 MiB | one line (resource) of a Bulk NDJSON file |
| ``TRD_CHROMIUM`` | ``chromium`` on PATH | the headless browser that prints ``trd report --pdf`` |
| ``TRD_BROWSER_SECONDS`` | 120 | one headless-browser run (printing one report) |
| ``TRD_CDS_MAX_BODY_BYTES`` | 4 MiB | one request body sent to ``trd serve`` (``--max-body`` overrides) |
| ``TRD_CDS_MAX_FHIR_BYTES`` | 16 MiB | one page that ``trd serve`` reads from a client's FHIR server or a JWK Set URL |
| ``TRD_MAX_QUERY_BYTES`` | 1 MiB | one SPARQL query file of ``trd query`` |

``MAX_QUERY_NESTING`` is not a setting: raising it would crash the parsers rather than use more
memory (rdflib's parser recurses per level of brackets and Oxigraph's overflows its stack). One
limit is pyoxigraph's own: a single RDF term (a literal) over 16 MiB is refused with exit 2 on the
oxigraph backend.

Fixed limits (not settable): :data:`MAX_FHIR_NUMBER`, the largest magnitude of a number the FHIR
importer accepts in any unit.
"""

from __future__ import annotations

import os
from pathlib import Path

from reasoner.errors import TrdError


class ConfigError(TrdError):
    """An environment variable of trd-reasoner holds a value it cannot use."""

    exit_code = 2


def _path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value).expanduser() if value else default


def _bytes(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    try:
        number = int(value)
    except ValueError as exc:
        raise ConfigError(f"{name}={value!r} is not a whole number of bytes") from exc
    if number <= 0:
        raise ConfigError(f"{name}={value!r} must be a positive number of bytes")
    return number


MIB = 1024 * 1024

#: The folder holding ``ontology/``, ``shapes/``, ``queries/`` and ``examples/``.
HOME: Path = _path("TRD_HOME", Path(__file__).resolve().parent.parent)
#: Where derived, disposable caches go (the rule-analysis cache).
CACHE_DIR: Path = _path("TRD_CACHE", Path.home() / ".cache" / "trd-reasoner")
#: Largest RDF input file read (Turtle, N-Triples, JSON-LD, RDF/XML).
MAX_INPUT_BYTES: int = _bytes("TRD_MAX_INPUT_BYTES", 512 * MIB)
#: Largest FHIR Bundle file read whole.
MAX_BUNDLE_BYTES: int = _bytes("TRD_MAX_BUNDLE_BYTES", 128 * MIB)
#: Largest single line (one resource) of a Bulk Data NDJSON file.
MAX_NDJSON_LINE_BYTES: int = _bytes("TRD_MAX_NDJSON_LINE_BYTES", 16 * MIB)

#: The largest magnitude of a FHIR number (a dose, a score, a lab value, a supply) in any unit. Not a
#: clinical threshold: no value the profile reads comes near it (a daily dose in µg, an IL-6 in
#: pg/mL), but ``1e308`` or a 400-digit integer would reach the graph as numbers no xsd:decimal
#: reader holds; such a value is a data issue on its record instead (issue 16).
MAX_FHIR_NUMBER: float = 1e6

#: The headless Chromium that prints reports to PDF (``trd report --pdf``).
CHROMIUM: str = os.environ.get("TRD_CHROMIUM") or "chromium"
#: Longest one headless-browser run may take, in seconds.
BROWSER_SECONDS: int = _bytes("TRD_BROWSER_SECONDS", 120)

#: Largest request body the CDS Hooks service (``trd serve``) reads.
MAX_CDS_BODY_BYTES: int = _bytes("TRD_CDS_MAX_BODY_BYTES", 4 * MIB)
#: Most ``patient-view`` calls ``trd serve`` assesses together when they wait for the pipeline at the
#: same time (``--max-batch``): past some eight patients a batch costs more per patient again
#: (benchmarks/results/cds-hooks.md), and a large batch makes its first caller wait longer.
CDS_MAX_BATCH: int = 8
#: Longest a batch about to start waits for ``patient-view`` calls already received (being
#: authenticated and read) or expected (as many as were queued or assessed together in the last
#: second; reasoner/serve/batching.py) — ``--batch-wait-ms``. Long enough for a client just
#: answered to send its next call on a busy machine (5 ms often was not:
#: benchmarks/results/cds-hooks.md), short beside a call. A lone client is never expected to have
#: company, so it never waits.
CDS_BATCH_WAIT_MS: float = 10.0
#: Largest response the CDS Hooks service reads from a FHIR server (one search page) or a JWK Set URL.
MAX_CDS_FHIR_BYTES: int = _bytes("TRD_CDS_MAX_FHIR_BYTES", 16 * MIB)

#: Largest SPARQL query text accepted from a user (``trd query``): queries are written by hand.
MAX_QUERY_BYTES: int = _bytes("TRD_MAX_QUERY_BYTES", 1 * MIB)
#: Deepest nesting of ``{`` ``(`` ``[`` in a user's query. rdflib's parser fails (RecursionError)
#: from about 25 nested parentheses, and a few thousand braces overflow Oxigraph's stack (a
#: segfault), so the text is measured before either parser sees it.
MAX_QUERY_NESTING: int = 16

__all__ = ["ConfigError", "HOME", "CACHE_DIR", "MAX_INPUT_BYTES", "MAX_BUNDLE_BYTES", "MAX_NDJSON_LINE_BYTES",
           "MAX_QUERY_BYTES", "MAX_QUERY_NESTING", "MAX_CDS_BODY_BYTES", "CDS_MAX_BATCH", "CDS_BATCH_WAIT_MS",
           "MAX_CDS_FHIR_BYTES", "CHROMIUM", "BROWSER_SECONDS", "MAX_FHIR_NUMBER"]
