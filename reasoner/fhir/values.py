"""Small parsers for FHIR primitive values: dates, ids, references, quantities.

Why a module: every mapper needs the same strict reading (a bad date is a reported data issue,
never a crash and never a guessed date), and the node IRIs must be built only from ids that are
valid FHIR ids, so an id can never inject IRI syntax into the graph.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from decimal import Decimal
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from reasoner.knowledge.namespaces import FHIR_DATA

_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:T[0-9:.]+(?:Z|[+-]\d{2}:\d{2})?)?$")
_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")


class BadValue(ValueError):
    """A FHIR value that cannot be read; the caller reports the resource."""


def parse_date(value: Any, what: str = "date") -> dt.date:
    """The calendar date of a FHIR ``date``/``dateTime`` (as written, i.e. the local date).

    Partial dates (``2024``, ``2024-05``) are refused: the reasoner counts days, and inventing
    the missing day would invent precision.
    """
    if not isinstance(value, str):
        raise BadValue(f"{what} {value!r} is not a full date")
    m = _DATE.match(value.strip())
    if not m:
        raise BadValue(f"{what} {value!r} is not a full date (YYYY-MM-DD)")
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError as exc:
        raise BadValue(f"{what} {value!r} is not a valid date") from exc


def optional_date(value: Any, what: str = "date") -> dt.date | None:
    """``parse_date`` for an optional element (absent -> None; present but bad -> BadValue)."""
    return None if value is None else parse_date(value, what)


def valid_id(value: Any) -> bool:
    return isinstance(value, str) and bool(_ID.match(value))


def node(rtype: str, rid: str) -> URIRef:
    """The IRI of the node made from ``<rtype>/<rid>`` (ids are validated before this is called)."""
    return URIRef(f"{FHIR_DATA}{rtype}/{rid}")


#: ``true`` (built once: rdflib literal construction is a large share of conversion time).
TRUE = Literal(True)


@functools.lru_cache(maxsize=65536)
def _decimal(rounded: float) -> Literal:
    return Literal(Decimal(repr(rounded)), datatype=XSD.decimal)


def decimal(value: float) -> Literal:
    """An ``xsd:decimal`` literal (data-model §6: numbers are decimals), rounded to 6 places."""
    return _decimal(round(float(value), 6))


@functools.lru_cache(maxsize=65536)
def date_literal(value: dt.date) -> Literal:
    """An ``xsd:date`` literal; cached, since a cohort reuses the same few thousand days."""
    return Literal(value.isoformat(), datatype=XSD.date)


def text(value: Any) -> str | None:
    """A JSON string, or None for anything else (a status given as a list must not crash)."""
    return value if isinstance(value, str) else None


def number(value: Any) -> float | None:
    """A JSON number as float (booleans are not numbers)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)
