"""Query files: every SPARQL text of the project is a file in ``queries/``, named by its role.

Why: a query is knowledge (what the reasoner reads, derives or reports), so it is reviewed as
data, not hidden in a Python string. Each file starts with a comment header::

    # intent: what the query finds or derives
    # inputs: the facts it reads
    # source: the published source (or the contract section) it follows

Continuation lines (``#`` followed by more text) extend the previous field. The folders:
``infer/`` the rules (CONSTRUCT), ``findings/`` the read-back of findings for every output,
``explain/`` what explanations quote, ``knowledge/`` lookups in the ontology (codes, units,
vocabulary), ``qc/`` ontology checks, ``report/`` competency questions for users.

    q = load_query("findings/trials")   # Query(name, path, text, intent, inputs, source)
    ws.select_values(q.text)
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from reasoner.errors import RuleError
from reasoner.knowledge import paths

_HEADER = re.compile(r"^#\s*(intent|inputs|source|guard|twin)\s*:\s*(.*)$", re.IGNORECASE)
REQUIRED_FIELDS = ("intent", "inputs", "source")


@dataclass(frozen=True)
class Query:
    """One query file with its header."""

    name: str     # the role, e.g. "findings/trials"
    path: Path
    text: str
    intent: str
    inputs: str
    source: str


def parse_header(text: str, path: Path) -> dict[str, str]:
    """The ``# intent/inputs/source`` (and optional ``guard``) lines at the top of a query file.

    A :class:`~reasoner.errors.RuleError` names the file when a required field is missing.
    """
    meta: dict[str, str] = {}
    last: str | None = None
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            break
        m = _HEADER.match(stripped)
        if m:
            last = m.group(1).lower()
            meta[last] = m.group(2).strip()
        elif last is not None and stripped.lstrip("#").strip():
            meta[last] += " " + stripped.lstrip("#").strip()
    missing = [k for k in REQUIRED_FIELDS if not meta.get(k)]
    if missing:
        raise RuleError(f"{path.name}: query header lacks '# {missing[0]}: …'")
    return meta


def read_query(path: Path) -> Query:
    """One query file, header checked."""
    text = path.read_text(encoding="utf-8")
    meta = parse_header(text, path)
    try:
        name = path.resolve().relative_to(paths.QUERIES_DIR.resolve()).with_suffix("").as_posix()
    except ValueError:
        name = path.stem
    return Query(name, path, text, meta["intent"], meta["inputs"], meta["source"])


@functools.lru_cache(maxsize=None)
def load_query(role: str) -> Query:
    """The query ``queries/<role>.rq`` (cached: the files are part of the installation)."""
    path = paths.QUERIES_DIR / f"{role}.rq"
    if not path.is_file():
        raise RuleError(f"query {role!r} not found at {path}")
    return read_query(path)


def compact_query(text: str) -> str:
    """A query without its full-line comments and indentation: the same query, parsed faster.

    Why: pyoxigraph has no prepared queries, so a warm one-patient call parses every rule text
    again, and Oxigraph's parser pays for every character, comment lines included (the rule
    files carry long intent/source headers). Only whole lines that start with ``#`` go: a ``#``
    inside an IRI or after a pattern stays. A text with a long string literal (whose lines could
    start with ``#`` or be indented on purpose) is returned unchanged.
    """
    if '"""' in text or "'''" in text:
        return text
    lines = (line.strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line and not line.startswith("#"))


@functools.lru_cache(maxsize=None)
def query_text(role: str) -> str:
    """The text of ``queries/<role>.rq`` as it is run (header and indentation removed, see
    :func:`compact_query`)."""
    return compact_query(load_query(role).text)


__all__ = ["Query", "parse_header", "read_query", "load_query", "query_text", "compact_query", "REQUIRED_FIELDS"]
