"""The one definition of a usable number in RDF input, the same for every engine.

Why it is needed: the two SPARQL backends read numeric literals differently. rdflib takes
``"NaN"^^xsd:decimal`` as Python's ``Decimal('NaN')`` (a comparison then raises
``decimal.InvalidOperation``, in the rules and in pySHACL), counts an ill-typed
``"high"^^xsd:decimal`` as numeric, and reads a 400-digit integer exactly; Oxigraph calls the
first two ill-typed and cannot hold the third (its integers are 64-bit). ``"INF"^^xsd:double`` and
``1e309`` are valid doubles to both, and would reach the JSON output as ``Infinity``.

So a numeric literal of patient data is *usable* only when its lexical form is in its XSD
datatype's lexical space (XSD 1.1 Part 2, §3.3.3 decimal, §3.3.13 integer, §3.3.5 double; no
``INF``/``NaN``), its value satisfies the datatype's range (``xsd:positiveInteger`` > 0, …), it
is finite, it has at most 18 fractional digits and its magnitude is below 10^15 — the range in
which both engines compute exactly (doubles hold integers exactly to 2^53, Oxigraph's decimals
have 18 fractional digits). This is a bound of representation, not a clinical one.

A literal that is not usable is given to the engines as a plain string with the same lexical
form (:func:`unusable_numbers` finds them; the workspace swaps them): it is never a number to
any rule, on either backend, so what needs it is indeterminate with the missing fact named; and
every numeric property of patient data has a datatype shape, which reports the value as a data
issue.
"""

from __future__ import annotations

import functools
import math
import re
from decimal import Decimal, InvalidOperation

XSD = "http://www.w3.org/2001/XMLSchema#"

#: Largest magnitude (exclusive) a usable number may have.
MAGNITUDE_LIMIT = 10 ** 15
#: Most fractional digits of a usable decimal (Oxigraph's xsd:decimal precision).
MAX_FRACTION_DIGITS = 18
#: Longest lexical form examined (a usable number is far shorter); longer ones are not usable.
MAX_LEXICAL_CHARS = 64

_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_INTEGER = re.compile(r"[+-]?[0-9]+")
_DOUBLE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")

_INTEGER_RANGES: dict[str, tuple[int | None, int | None]] = {
    "integer": (None, None),
    "nonNegativeInteger": (0, None),
    "positiveInteger": (1, None),
    "nonPositiveInteger": (None, 0),
    "negativeInteger": (None, -1),
    "long": (-2 ** 63, 2 ** 63 - 1),
    "int": (-2 ** 31, 2 ** 31 - 1),
    "short": (-2 ** 15, 2 ** 15 - 1),
    "byte": (-2 ** 7, 2 ** 7 - 1),
    "unsignedLong": (0, 2 ** 64 - 1),
    "unsignedInt": (0, 2 ** 32 - 1),
    "unsignedShort": (0, 2 ** 16 - 1),
    "unsignedByte": (0, 2 ** 8 - 1),
}

#: Datatype IRI -> kind ("decimal", "double", or an integer type name).
NUMERIC_DATATYPES: dict[str, str] = {XSD + "decimal": "decimal", XSD + "double": "double", XSD + "float": "double",
                                     **{XSD + name: name for name in _INTEGER_RANGES}}


@functools.lru_cache(maxsize=65536)   # a cohort repeats the same few hundred values
def usable_number(lexical: str, datatype: str) -> bool:
    """Whether a literal of a numeric XSD datatype is a number every engine reads the same way.

    A literal of any other datatype is not this function's business (True).
    """
    kind = NUMERIC_DATATYPES.get(str(datatype))
    if kind is None:
        return True
    if len(lexical) > MAX_LEXICAL_CHARS:
        return False
    if kind == "double":
        if not _DOUBLE.fullmatch(lexical):
            return False
        value = float(lexical)
        return math.isfinite(value) and abs(value) < MAGNITUDE_LIMIT
    if kind == "decimal":
        if not _DECIMAL.fullmatch(lexical):
            return False
        fraction = lexical.partition(".")[2]
        if len(fraction) > MAX_FRACTION_DIGITS:
            return False
        try:
            return abs(Decimal(lexical)) < MAGNITUDE_LIMIT
        except InvalidOperation:  # pragma: no cover - the regex admits only decimal digits
            return False
    if not _INTEGER.fullmatch(lexical):
        return False
    number = int(lexical)
    low, high = _INTEGER_RANGES[kind]
    if (low is not None and number < low) or (high is not None and number > high):
        return False
    return abs(number) < MAGNITUDE_LIMIT


__all__ = ["usable_number", "NUMERIC_DATATYPES", "MAGNITUDE_LIMIT", "MAX_FRACTION_DIGITS", "XSD"]
