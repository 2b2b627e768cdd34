"""The on-disk cache of rule analyses, so a worker process does not re-parse every rule.

Why: rdflib's SPARQL parser is slow (a large share of a cold start for the rule set), and
what a rule text reads and writes never changes, so the analysis of each text is cached by its
SHA-256. The cache is speed only: a missing, unreadable or read-only cache costs time, never
correctness. The version is part of the file name, so an older trd-reasoner on the same machine
never reads keys it does not know (and vice versa).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from rdflib import URIRef

from reasoner.config import CACHE_DIR
from reasoner.rules.analysis import Key

#: Bumped when what the analysis records changes.
CACHE_VERSION = 3
_CACHE_FILE: Path = CACHE_DIR / f"rule-analysis-v{CACHE_VERSION}.json"
_cache: dict[str, Any] | None = None


def encode(keys: Iterable[Key]) -> list[str]:
    return sorted("|".join(str(part) for part in k) if isinstance(k, tuple) else str(k) for k in keys)


def decode(items: list[str]) -> frozenset:
    """Inverse of ``_encode``: ``kind|IRI…`` for tuple keys (IRIs never contain ``|`` unescaped)."""
    out: set[Key] = set()
    for item in items:
        kind, sep, rest = item.partition("|")
        if sep and kind in ("type", "po", "sub"):
            out.add((kind, *(URIRef(part) for part in rest.split("|"))))
        else:
            out.add(URIRef(item))
    return frozenset(out)


def load() -> dict[str, Any]:
    global _cache
    if _cache is None:
        try:
            _cache = json.loads(_CACHE_FILE.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            _cache = {}
    return _cache


def store(digest: str, reads: frozenset, writes: frozenset, subjects: tuple[str, ...],
                 requires: frozenset, alternatives: tuple[frozenset, ...]) -> None:
    cache = load()
    cache[digest] = {"reads": encode(reads), "writes": encode(writes), "subjects": list(subjects),
                     "requires": encode(requires), "alternatives": [encode(a) for a in alternatives]}
    try:
        _CACHE_FILE.parent.mkdir(parents=True, exist_ok=True)
        tmp = _CACHE_FILE.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(cache, allow_nan=False), encoding="utf-8")
        tmp.replace(_CACHE_FILE)
    except OSError:
        pass  # a read-only home only costs speed



__all__ = ["CACHE_VERSION", "load", "store", "encode", "decode"]
