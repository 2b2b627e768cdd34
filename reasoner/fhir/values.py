"""Every FHIR value through one validated path: dates, numbers, ids, strings.

Why one module: a bad value must become a data issue on its record (never a crash, never a
guessed value, never a dropped record and never a non-finite number in the output), and it must
be judged the same way wherever it appears. Each reader here either returns a clean value or
raises :class:`BadValue` with a sentence the importer puts in the data issue.

Dates (docs/fhir-profile.md "Shapes of real exports"): a FHIR ``date``/``dateTime``/``instant`` is
read as the local calendar date written (an offset never moves the day). A partial date (``2025``,
``2025-03``) is a :class:`DateSpan` of its days; a full date is a span of one day. A date must be a
calendar date between 1900-01-01 and 2100-12-31 (``2025-02-30``, ``0000-01-01``,
``10000-01-01`` and ``yesterday`` are refused).

Numbers: a JSON number that is finite and whose magnitude is at most
:data:`reasoner.config.MAX_FHIR_NUMBER` (booleans, strings, ``NaN``, ``Infinity``, ``1e309``,
``1e308`` and a 400-digit integer are refused, each with its reason).

Ids are kept exactly as the export gives them (they are the patient ids of the JSON output);
:func:`node` makes them safe where they become IRIs, by percent-encoding.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import math
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from reasoner.config import MAX_FHIR_NUMBER
from reasoner.knowledge.namespaces import FHIR_DATA

#: The calendar years a date may fall in (issue 16: dates out of this range are data issues).
FIRST_YEAR, LAST_YEAR = 1900, 2100

# YYYY, YYYY-MM, YYYY-MM-DD, optionally followed by a FHIR time (dateTime, instant).
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2})(T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?)?)?)?$")


class BadValue(ValueError):
    """A FHIR value that cannot be read; the caller reports it as a data issue on its record."""


@dataclass(frozen=True)
class DateSpan:
    """The days a FHIR date may mean: one day, or every day of a partial date's month or year.

    ``first`` and ``last`` are inclusive; ``written`` is the text as the export wrote it (for
    messages). A criterion that holds on every day of the span holds; one that fails on every
    day fails; otherwise it is unknown (the rules decide, docs/fhir-profile.md).
    """

    first: dt.date
    last: dt.date
    written: str

    @property
    def precise(self) -> bool:
        return self.first == self.last

    @classmethod
    def day(cls, day: dt.date) -> "DateSpan":
        return cls(day, day, day.isoformat())

    def describe(self) -> str:
        """"2025-03 (any day 2025-03-01 to 2025-03-31)" for a partial date, else the date."""
        if self.precise:
            return self.first.isoformat()
        return f"{self.written} (any day {self.first.isoformat()} to {self.last.isoformat()})"


def _in_range(year: int, what: str, value: str) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise BadValue(f"{what} {value!r} is outside the years {FIRST_YEAR}–{LAST_YEAR}")


def parse_span(value: Any, what: str = "date") -> DateSpan:
    """The days of a FHIR date, dateTime or instant (see the module docstring)."""
    if type(value) is str:
        span = _readable_span(value)
        if span is not None:
            return span
    return _parse_span(value, what)


@functools.lru_cache(maxsize=65536)
def _readable_span(value: str) -> DateSpan | None:
    """The span of a date text that reads, cached (a cohort repeats the same days; a DateSpan is
    immutable); None when it does not read, for :func:`_parse_span` to say why with ``what``."""
    try:
        return _parse_span(value, "date")
    except BadValue:
        return None


def _parse_span(value: Any, what: str) -> DateSpan:
    if not isinstance(value, str):
        raise BadValue(f"{what} {_show(value)} is not a date")
    text = value.strip()
    m = _DATE.match(text)
    if not m:
        raise BadValue(f"{what} {_show(value)} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
    year = int(m.group(1))
    _in_range(year, what, text)
    if m.group(2) is None:
        return DateSpan(dt.date(year, 1, 1), dt.date(year, 12, 31), text)
    month = int(m.group(2))
    if not 1 <= month <= 12:
        raise BadValue(f"{what} {_show(value)} is not a calendar date (month {month})")
    if m.group(3) is None:
        return DateSpan(dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1]), text)
    try:
        day = dt.date(year, month, int(m.group(3)))
    except ValueError as exc:
        raise BadValue(f"{what} {_show(value)} is not a calendar date") from exc
    return DateSpan(day, day, text)


def optional_span(value: Any, what: str = "date") -> DateSpan | None:
    """:func:`parse_span` for an optional element (absent -> None; present but bad -> BadValue)."""
    return None if value is None else parse_span(value, what)


def parse_date(value: Any, what: str = "date") -> dt.date:
    """One calendar day; a partial date is refused here (for elements that need a day, e.g. a
    dispense's hand-over, whose partial form would invent precision)."""
    span = parse_span(value, what)
    if not span.precise:
        raise BadValue(f"{what} {_show(value)} is a partial date; a full date is needed")
    return span.first


def optional_date(value: Any, what: str = "date") -> dt.date | None:
    """``parse_date`` for an optional element (absent -> None; present but bad -> BadValue)."""
    return None if value is None else parse_date(value, what)


def number(value: Any) -> float | None:
    """A usable JSON number as float, or None (see :func:`checked_number` for the reason)."""
    try:
        return checked_number(value)
    except BadValue:
        return None


def checked_number(value: Any, what: str = "value") -> float:
    """A finite JSON number of magnitude ≤ MAX_FHIR_NUMBER; BadValue saying why otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise BadValue(f"{what} {_show(value)} is not a number")
    try:
        result = float(value)
    except OverflowError as exc:  # an integer of hundreds of digits
        raise BadValue(f"{what} {_show(value)} is out of range") from exc
    if not math.isfinite(result):
        raise BadValue(f"{what} {_show(value)} is not a finite number")
    if abs(result) > MAX_FHIR_NUMBER:
        raise BadValue(f"{what} {_show(value)} is out of the plausible range (magnitude above {MAX_FHIR_NUMBER:g})")
    return result


def numeric_text(value: Any, what: str = "value") -> float:
    """A number given as a JSON number or as a numeric string (``valueString`` "14")."""
    if isinstance(value, str):
        text = value.strip()
        if not re.fullmatch(r"[+-]?\d+(?:\.\d+)?", text):
            raise BadValue(f"{what} {_show(value)} is not a number")
        return checked_number(Decimal(text), what)
    return checked_number(value, what)


def _show(value: Any, limit: int = 60) -> str:
    """A value for a message, bounded (a 400-digit number or a 100k-character id stays readable)."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def show(value: Any, limit: int = 60) -> str:
    """Public form of the bounded repr used in messages."""
    return _show(value, limit)


def valid_id(value: Any) -> bool:
    """True for an id that can name a resource: any non-empty string (kept as given)."""
    return isinstance(value, str) and value != ""


#: What ``quote(…, safe="-._~")`` leaves as it is: an id of only these needs no encoding.
_UNRESERVED = re.compile(r"[A-Za-z0-9_.~-]*")


def safe_segment(rid: str) -> str:
    """An id made safe for an IRI path segment (percent-encoding; FHIR ids are left as they are).

    ``.`` and ``..`` alone would be dot segments, which IRI resolution removes: encoded too.
    Most ids need no encoding; they are returned without calling ``quote`` (which would return
    them unchanged, at a cost paid for every node of every patient)."""
    if rid in (".", ".."):
        return rid.replace(".", "%2E")
    if type(rid) is str and _UNRESERVED.fullmatch(rid):
        return rid
    return quote(rid, safe="-._~")


_FHIR_DATA = str(FHIR_DATA)


def node_text(rtype: str, rid: str) -> str:
    """The IRI of the node made from ``<rtype>/<rid>`` (the id percent-encoded), as a plain string."""
    return f"{_FHIR_DATA}{rtype}/{safe_segment(rid)}"


def node(rtype: str, rid: str) -> URIRef:
    """The IRI of the node made from ``<rtype>/<rid>`` (the id percent-encoded)."""
    return URIRef(node_text(rtype, rid))


#: ``true`` (built once: rdflib literal construction is a large share of conversion time).
TRUE = Literal(True)


@functools.lru_cache(maxsize=65536)
def _decimal(rounded: float) -> Literal:
    return Literal(Decimal(repr(rounded)), datatype=XSD.decimal)


def decimal(value: float) -> Literal:
    """An ``xsd:decimal`` literal (data-model §6: numbers are decimals), rounded to 6 places."""
    rounded = round(float(value), 6)
    if not math.isfinite(rounded):  # values are checked on the way in; this is the last guard
        raise BadValue(f"{value!r} is not a finite number")
    return _decimal(rounded)


@functools.lru_cache(maxsize=65536)
def date_literal(value: dt.date) -> Literal:
    """An ``xsd:date`` literal; cached, since a cohort reuses the same few thousand days."""
    return Literal(value.isoformat(), datatype=XSD.date)


def text(value: Any) -> str | None:
    """A JSON string, or None for anything else (a status given as a list must not crash)."""
    return value if isinstance(value, str) else None


__all__ = ["BadValue", "DateSpan", "parse_span", "optional_span", "parse_date", "optional_date", "number",
           "checked_number", "numeric_text", "show", "valid_id", "safe_segment", "node", "node_text", "TRUE", "decimal",
           "date_literal", "text", "FIRST_YEAR", "LAST_YEAR"]
