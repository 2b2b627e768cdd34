"""RDF terms across the two SPARQL backends, and the one conversion of a term to a JSON value.

Why one module: the rule engine, the validator, the findings reader and the query command all
move terms between pyoxigraph and rdflib, and every output turns terms into JSON values. One
conversion (:func:`value_of`) means a number, a date or an IRI reads the same in every output.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, RDFS
from rdflib.term import Node

from reasoner.knowledge.namespaces import GRAPH_ONTOLOGY

#: rdf:type as a pyoxigraph term, for store lookups.
OX_RDF_TYPE = ox.NamedNode(str(RDF.type))


# --- term conversion (rdflib <-> pyoxigraph) -------------------------------------------------
def to_rdflib(term: Any) -> Node:
    """Convert a pyoxigraph term into the equal rdflib term (identity for rdflib terms)."""
    if isinstance(term, Node):
        return term
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        dt = term.datatype.value
        if dt == "http://www.w3.org/2001/XMLSchema#string":
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(dt))
    raise TypeError(f"unsupported term {term!r}")


def to_oxigraph(term: Node) -> Any:
    """Convert an rdflib term into the equal pyoxigraph term (identity for pyoxigraph terms)."""
    if isinstance(term, (ox.NamedNode, ox.BlankNode, ox.Literal)):
        return term
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"unsupported term {term!r}")


def has_quad(store: ox.Store, subject: Any = None, predicate: Any = None, obj: Any = None,
             graph: Any = None) -> bool:
    """Whether any quad of a pyoxigraph store matches the pattern (None matches anything)."""
    return next(iter(store.quads_for_pattern(subject, predicate, obj, graph)), None) is not None


def subclass_closure_is_static(store: ox.Store) -> bool:
    """True when no graph of a store but the ontology graph holds an rdfs:subClassOf triple."""
    ontology = ox.NamedNode(str(GRAPH_ONTOLOGY))
    sub = ox.NamedNode(str(RDFS.subClassOf))
    graphs = [g for g in store.named_graphs() if g != ontology] + [ox.DefaultGraph()]
    return not any(has_quad(store, None, sub, None, g) for g in graphs)


# --- plain values (for JSON) ----------------------------------------------------------------
_XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGERS = {_XSD + t for t in ("integer", "int", "long", "short", "byte", "nonNegativeInteger",
                                "positiveInteger", "nonPositiveInteger", "negativeInteger",
                                "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte")}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}


def value_of(term: Any) -> Any:
    """The JSON-ready Python value of an RDF term (either backend's term type).

    IRIs and blank nodes become their string; literals become what rdflib's ``toPython`` gives,
    with decimals as floats and any other non-JSON value (a date) as its lexical form; an
    ill-typed literal (``"high"^^xsd:decimal``) has no value and gives None. The common
    datatypes are converted from the lexical form directly (the cohort path reads ~70 values
    per patient); anything unusual goes through rdflib, so both paths give the same value.
    """
    if isinstance(term, ox.Literal):
        if term.language:
            return term.value
        return lexical_value(term.value, term.datatype.value)
    if isinstance(term, (ox.NamedNode, ox.BlankNode)):
        return term.value
    if isinstance(term, Node):
        return _rdflib_value(term)
    return term


def lexical_value(text: str, datatype: str | None) -> Any:
    """The JSON-ready value of a literal given by its lexical form and datatype IRI (``value_of``
    for engines that hold literals as text, such as the columnar one)."""
    dt = datatype or _XSD + "string"
    try:
        if dt == _XSD + "string":
            return text
        if dt in _INTEGERS:
            return int(text)
        if dt == _XSD + "decimal":
            return float(Decimal(text))
        if dt == _XSD + "boolean" and text in _BOOLEANS:
            return _BOOLEANS[text]
        if dt in (_XSD + "double", _XSD + "float"):
            return float(text)
        if dt == _XSD + "date" and _DATE.fullmatch(text):
            return text
    except (ValueError, ArithmeticError):  # decimal.InvalidOperation is an ArithmeticError
        pass  # an ill-typed literal: rdflib decides, as on the reference path
    return _rdflib_value(Literal(text, datatype=URIRef(dt)))


def _rdflib_value(term: Node) -> Any:
    if isinstance(term, Literal):
        if term.ill_typed:
            return None  # "high"^^xsd:decimal has no value: unknown (the shapes report the literal)
        value = term.toPython()
        if isinstance(value, Decimal):
            return float(value)
        if isinstance(value, (bool, int, float, str)):
            return value
        return str(term)  # a date-time, a duration …: its lexical form, as written
    return str(term)



__all__ = ["OX_RDF_TYPE", "to_rdflib", "to_oxigraph", "value_of", "lexical_value", "has_quad", "subclass_closure_is_static"]
