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

__all__ = ["ConfigError", "MAX_FHIR_NUMBER", "HOME", "CACHE_DIR", "MAX_INPUT_BYTES", "MAX_BUNDLE_BYTES", "MAX_NDJSON_LINE_BYTES"]
