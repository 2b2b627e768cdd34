"""``value_of``: the fast JSON read-back gives exactly the values the rdflib reference path gives.

Why: the cohort path converts Oxigraph terms straight to JSON values (no rdflib terms); a
datatype handled differently would make the fast and the reference JSON differ.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from reasoner.rules.terms import to_rdflib, value_of

XSD = "http://www.w3.org/2001/XMLSchema#"
CASES = [
    ("plain", None, "plain"), ("7", "integer", 7), ("007", "integer", 7), ("1.0", "integer", None),
    ("abc", "integer", None), ("3", "nonNegativeInteger", 3), ("1.50", "decimal", 1.5),
    ("-0.8", "decimal", -0.8), ("1e3", "double", 1000.0), ("true", "boolean", True),
    ("1", "boolean", True), ("false", "boolean", False), ("maybe", "boolean", None),
    ("2025-01-31", "date", "2025-01-31"), ("2025-01-31Z", "date", None),
    ("2025-01-31T10:00:00", "dateTime", None),
]


@pytest.mark.parametrize(("lexical", "datatype", "expected"), CASES)
def test_fast_value_equals_rdflib_value(lexical: str, datatype: str | None, expected: object) -> None:
    term = ox.Literal(lexical, datatype=ox.NamedNode(XSD + datatype)) if datatype else ox.Literal(lexical)
    fast, reference = value_of(term), value_of(to_rdflib(term))
    assert fast == reference and type(fast) is type(reference)
    if expected is not None:
        assert fast == expected


def test_iris_and_language_strings() -> None:
    assert value_of(ox.NamedNode("https://example.org/p1")) == "https://example.org/p1"
    assert value_of(ox.Literal("hello", language="en")) == "hello"
    assert value_of(None) is None
