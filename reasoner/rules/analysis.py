"""What a rule reads, writes and needs: analysis of a SPARQL algebra tree.

Why a module of its own: ordering rules (who feeds whom), skipping a rule whose inputs are absent,
and checking that a guard reads only its rule's inputs all rest on the same analysis of the
query's algebra (rdflib's translation of the text). A *dependency key* is a predicate IRI, or
``("type", C)`` for ``?x a C``, ``("po", p, o)`` for a predicate with a constant IRI object, or
``("sub", C)`` for ``?x a/rdfs:subClassOf* C``; :data:`ANY` stands for "any".

Dependency matching: ``rdf:type`` reads and writes are keyed by class. A read written as
``?x a/rdfs:subClassOf* C`` (or ``?x a ?c . ?c rdfs:subClassOf* C``) depends on rules writing class C;
a read of ``rdf:type`` with an unconstrained class depends on every rule writing any class, and a
variable predicate in a WHERE clause depends on every rule. A read inside
``GRAPH <…/graph/asserted>`` (or the ontology/policy graph) depends on no rule: rules never write
there. That is how a rule reads an asserted shortcut (``trd:weeksAtAdequateDose`` on a trial) and
writes the same property on a finding without a self-loop.
"""

from __future__ import annotations

from typing import Any

from rdflib import URIRef, Variable
from rdflib.namespace import RDF, RDFS
from rdflib.paths import AlternativePath, InvPath, MulPath, NegatedPath, Path as RdfPath, SequencePath
from rdflib.plugins.sparql.parserutils import CompValue

from reasoner.knowledge.namespaces import GRAPH_ASSERTED, GRAPH_ONTOLOGY, GRAPH_POLICY

#: A dependency key: a predicate IRI, or ("type", class IRI). ANY stands for "any".
ANY = URIRef("urn:trd:any")
Key = Any

_INPUT_GRAPHS = {GRAPH_ASSERTED, GRAPH_ONTOLOGY, GRAPH_POLICY}


def _path_predicates(path: Any) -> list[URIRef]:
    """Every IRI used inside a property path."""
    if isinstance(path, URIRef):
        return [path]
    if isinstance(path, SequencePath) or isinstance(path, AlternativePath):
        return [p for arg in path.args for p in _path_predicates(arg)]
    if isinstance(path, (MulPath, InvPath)):
        return _path_predicates(path.path)
    if isinstance(path, NegatedPath):
        # a negated property set matches (almost) any predicate
        return [ANY]
    return []


def _iris_in(node: Any) -> list[URIRef]:
    """Every IRI inside a parse-tree fragment (an untranslated property path)."""
    if isinstance(node, URIRef):
        return [node]
    if isinstance(node, CompValue):
        return [i for v in node.values() for i in _iris_in(v)]
    if isinstance(node, (list, tuple)):
        return [i for v in node for i in _iris_in(v)]
    return []


def _is_subclass_path(p: Any) -> bool:
    return p == RDFS.subClassOf or (isinstance(p, MulPath) and p.path == RDFS.subClassOf)


def triple_keys(triples: list[tuple[Any, Any, Any]]) -> set[Key]:
    """Dependency keys of a block of triple patterns (a BGP or a template)."""
    keys: set[Key] = set()
    # ?c rdfs:subClassOf* C  -> resolve ?x a ?c to class C
    superclass: dict[Any, Any] = {}
    for s, p, o in triples:
        if isinstance(s, Variable) and isinstance(o, URIRef) and _is_subclass_path(p):
            superclass[s] = o
    for s, p, o in triples:
        if isinstance(p, Variable):
            keys.add(ANY)
        elif p == RDF.type:
            if isinstance(o, URIRef):
                keys.add(("type", o))
            else:
                keys.add(("type", superclass.get(o, ANY)))
        elif isinstance(p, SequencePath) and p.args and p.args[0] == RDF.type \
                and all(_is_subclass_path(a) for a in p.args[1:]):
            keys.add(("type", o if isinstance(o, URIRef) else ANY))
            keys.add(RDFS.subClassOf)
        elif isinstance(p, RdfPath):
            for iri in _path_predicates(p):
                keys.add(("type", ANY) if iri == RDF.type else iri)
        elif isinstance(p, (CompValue, list)):
            # an untranslated path (inside EXISTS the algebra keeps the parse tree)
            for iri in _iris_in(p):
                keys.add(("type", ANY) if iri == RDF.type else iri)
        else:
            keys.add(p)
    return keys


def where_keys(node: Any, keys: set[Key]) -> None:
    """Walk an algebra tree and collect the keys of every triple pattern in it."""
    if isinstance(node, CompValue):
        if node.name in ("Graph", "GraphGraphPattern") and node.get("term") in _INPUT_GRAPHS:
            # Rules never write asserted/ontology/policy graphs, so a read confined to one of
            # them cannot depend on another rule (how a rule reads an asserted shortcut such as
            # trd:weeksAtAdequateDose on a trial while writing the same property on a finding).
            return
        for key, value in node.items():
            if key == "triples" and isinstance(value, list):
                keys |= triple_keys([tuple(t) for t in value if len(t) == 3])
            else:
                where_keys(value, keys)
    elif isinstance(node, (list, tuple)):
        for item in node:
            where_keys(item, keys)


#: Algebra nodes whose every solution needs a solution of each listed operand.
_REQUIRED_OPERANDS = {"Join": ("p1", "p2"), "LeftJoin": ("p1",), "Minus": ("p1",), "Filter": ("p",),
                      "Extend": ("p",), "Project": ("p",), "Distinct": ("p",), "Reduced": ("p",),
                      "Slice": ("p",), "OrderBy": ("p",), "Graph": ("p",), "ToMultiSet": ("p",)}


def required_keys(node: Any) -> set[Key]:
    """Plain triple patterns that every solution of ``node`` needs (a lower bound, never more).

    Why: a rule whose required input is absent from the store derives nothing, so a warm
    one-patient call can skip it without compiling its text (a patient without genotypes never
    needs the CYP rules). Only exact patterns count:

    * a constant predicate (not a path, not a variable): the predicate;
    * ``rdf:type`` with a constant class: ``("type", C)``;
    * a constant predicate with a constant IRI object: ``("po", p, o)`` as well (a cause that
      was not found, a gene that was not tested);
    * ``?x a/rdfs:subClassOf* C``: ``("sub", C)``, some instance of C or of a subclass of it
      (resolved with the ontology's hierarchy, see ``RuleEngine``).

    OPTIONAL right sides, UNION branches, MINUS right sides and (NOT) EXISTS are not required;
    an aggregate is a barrier, because a group without GROUP BY yields one row (COUNT = 0) even
    from no input.
    """
    if not isinstance(node, CompValue):
        return set()
    if node.name == "BGP":
        keys: set[Key] = set()
        for s_, p_, o_ in node.get("triples") or []:
            if p_ == RDF.type and isinstance(o_, URIRef):
                keys.add(("type", o_))
            elif isinstance(p_, URIRef) and p_ != RDF.type:
                keys.add(p_)
                if isinstance(o_, URIRef):
                    keys.add(("po", p_, o_))
            elif (isinstance(p_, SequencePath) and len(p_.args) == 2 and p_.args[0] == RDF.type
                  and isinstance(p_.args[1], MulPath) and p_.args[1].path == RDFS.subClassOf
                  and p_.args[1].mod == "*" and isinstance(o_, URIRef)):
                keys.add(("sub", o_))
        return keys
    out: set[Key] = set()
    for operand in _REQUIRED_OPERANDS.get(node.name, ()):
        out |= required_keys(node.get(operand))
    return out


#: More alternatives than this and a rule's UNIONs say nothing: the check would cost more lookups
#: than it could save.
_MAX_ALTERNATIVES = 8


def _alternative_keys(node: Any) -> list[frozenset]:
    """The inputs a solution needs, as alternatives (disjunctive normal form over UNION branches).

    Why: ``required_keys`` sees nothing in a UNION, yet many rules are "an X diagnosis, or a Y
    lab" (pseudo-resistance causes, contraindications): without either input they derive nothing.
    Each alternative is a set of keys that some solutions all need; every solution needs every key
    of at least one alternative. Same lower-bound rules as ``required_keys`` (OPTIONAL right
    sides, MINUS, EXISTS and aggregates add nothing); a join of unions multiplies out, and past
    ``_MAX_ALTERNATIVES`` the result is "no requirement" (``[frozenset()]``), which is always safe.
    """
    if not isinstance(node, CompValue):
        return [frozenset()]
    if node.name == "BGP":
        return [frozenset(required_keys(node))]
    if node.name == "Union":
        out = _alternative_keys(node.get("p1")) + _alternative_keys(node.get("p2"))
    elif node.name == "Join":
        out = [a | b for a in _alternative_keys(node.get("p1")) for b in _alternative_keys(node.get("p2"))]
    elif node.name in _REQUIRED_OPERANDS:
        out = _alternative_keys(node.get(_REQUIRED_OPERANDS[node.name][0]))
    else:
        return [frozenset()]
    if len(out) > _MAX_ALTERNATIVES or any(not alt for alt in out):
        return [frozenset()]
    return list(dict.fromkeys(out))


def alternatives_beyond(node: Any, requires: frozenset) -> tuple[frozenset, ...]:
    """``_alternative_keys`` less what ``requires`` already says; () when they add nothing."""
    alternatives = [alt - requires for alt in _alternative_keys(node)]
    if len(alternatives) < 2 or any(not alt for alt in alternatives):
        return ()  # one alternative is a conjunction: required_keys already has it
    return tuple(sorted(alternatives, key=lambda alt: sorted(map(str, alt))))




def matches(write: Key, read: Key) -> bool:
    """True when a written key can feed a read key."""
    if read == ANY:
        return True
    if isinstance(read, tuple) and isinstance(write, tuple):
        return read[1] == ANY or write[1] == ANY or read[1] == write[1]
    if write == ANY:
        return True
    return read == write


__all__ = ["ANY", "Key", "matches", "triple_keys", "where_keys", "required_keys", "alternatives_beyond"]
