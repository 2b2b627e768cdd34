"""The rows of a SPARQL SELECT (``trd query``) as an aligned table, CSV or JSON."""

from __future__ import annotations

import csv
import math
import io
import json
from typing import Any

from rdflib import BNode, URIRef
from rdflib.term import Node

from reasoner.knowledge.namespaces import PREFIXES
from reasoner.rules.terms import value_of

FORMATS = ("table", "csv", "json")


def _compact(term: Node | None) -> str:
    """IRIs shortened with the project prefixes (table view); literals as their lexical form."""
    if term is None:
        return ""
    if isinstance(term, URIRef):
        text = str(term)
        for prefix, ns in PREFIXES.items():
            if text.startswith(ns) and len(text) > len(ns):
                return f"{prefix}:{text[len(ns):]}"
        return text
    return str(term)


def _plain(term: Node | None) -> Any:
    """JSON value of a term (:func:`reasoner.rules.terms.value_of`; a blank node reads ``_:id``)."""
    if term is None:
        return None
    if isinstance(term, BNode):
        return f"_:{term}"
    value = value_of(term)
    if isinstance(value, float) and not math.isfinite(value):
        return str(term)   # "INF"^^xsd:double in a store: its lexical form, JSON has no Infinity
    return value


def render_rows(names: list[str], rows: list[dict[str, Node]], fmt: str) -> str:
    """The result as an aligned text table, CSV (full IRIs) or JSON (``{"variables","rows"}``)."""
    if fmt == "json":
        return json.dumps({"variables": names, "rows": [{n: _plain(r.get(n)) for n in names} for r in rows]},
                          indent=2, allow_nan=False)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(names)
        for r in rows:
            writer.writerow(["" if r.get(n) is None else str(r[n]) for n in names])
        return buffer.getvalue().rstrip("\n")
    cells = [[_compact(r.get(n)) for n in names] for r in rows]
    widths = [max([len(n)] + [len(row[i]) for row in cells]) for i, n in enumerate(names)]
    lines = ["  ".join(n.ljust(w) for n, w in zip(names, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines)


__all__ = ["render_rows", "FORMATS"]
