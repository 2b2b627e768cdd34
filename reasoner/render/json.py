"""``--format json``: the JSON document of docs/output-contract.md (schema: docs/schema/)."""

from __future__ import annotations

import json
from typing import Any, TextIO


def dumps(document: Any) -> str:
    """The document as indented JSON; a non-finite number is refused, never written as NaN."""
    return json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False)


def render(result: Any, out: TextIO) -> None:
    """Write the whole document of an assessment."""
    out.write(dumps(result.document()) + "\n")


__all__ = ["render", "dumps"]
