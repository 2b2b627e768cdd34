"""Rule order: rule A comes before rule B when A writes what B reads; a cycle is refused.

Why refuse cycles: negation (``FILTER NOT EXISTS``) is allowed, so the order matters; an acyclic
rule set is stratified, so one pass in topological order is already the fixpoint (the checked
run mode repeats rules only as a safety net that confirms it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import networkx as nx

from reasoner.errors import RuleError
from reasoner.rules.analysis import ANY
from reasoner.rules.rule import Rule


@dataclass(frozen=True)
class _Side:
    """A rule's keys (what it reads, or what it writes) grouped for :func:`reasoner.rules.analysis.matches` by set lookups."""

    any: bool             # the key ANY (matches every key of the other side)
    plain: frozenset      # keys that are terms
    pairs: bool           # any (kind, term) key at all
    pair_any: bool        # a (kind, ANY) key (matches every pair key of the other side)
    pair_terms: frozenset  # the terms of the (kind, term) keys (pairs match on the term)


def _side(keys: frozenset) -> _Side:
    pairs = [k for k in keys if isinstance(k, tuple)]
    return _Side(any=ANY in keys, plain=frozenset(k for k in keys if not isinstance(k, tuple)), pairs=bool(pairs),
                 pair_any=any(k[1] == ANY for k in pairs), pair_terms=frozenset(k[1] for k in pairs))


def _feeds(w: _Side, r: _Side, writes: frozenset, reads: frozenset) -> bool:
    """:func:`feeds` on grouped keys: the same answer as trying :func:`reasoner.rules.analysis.matches` on every pair."""
    if not writes or not reads:
        return False
    if r.any or w.any:
        return True
    if w.plain & r.plain:
        return True
    return w.pairs and r.pairs and (w.pair_any or r.pair_any or bool(w.pair_terms & r.pair_terms))


def feeds(writer: Rule, reader: Rule) -> bool:
    """Whether a rule writes anything another rule reads (some written key :func:`~reasoner.rules.analysis.matches` a read key)."""
    return _feeds(_side(writer.writes), _side(reader.reads), writer.writes, reader.reads)


def feeding_pairs(rules: Iterable[Rule]) -> set[tuple[str, str]]:
    """(writer, reader) names of every pair of rules where the first feeds the second.

    Why grouped keys: the pairwise test over every written and read key was most of a cold
    start (rules² × writes × reads term comparisons); grouped, each pair of rules is a few set
    intersections.
    """
    rules = list(rules)
    writes = [(r.name, _side(r.writes), r.writes) for r in rules]
    reads = [(r.name, _side(r.reads), r.reads) for r in rules]
    return {(a, b) for a, ws, wk in writes for b, rs, rk in reads if _feeds(ws, rs, wk, rk)}


def dependency_graph(rules: Iterable[Rule], pairs: set[tuple[str, str]] | None = None) -> nx.DiGraph:
    """rule -> rule edges (by name) whenever the first writes what the second reads (``pairs``:
    the :func:`feeding_pairs` of these rules, when the caller has them already)."""
    rules = list(rules)
    g = nx.DiGraph()
    g.add_nodes_from(r.name for r in rules)
    g.add_edges_from(feeding_pairs(rules) if pairs is None else pairs)
    return g


def order_rules(rules: Iterable[Rule], pairs: set[tuple[str, str]] | None = None) -> list[Rule]:
    """The rules in topological order (ties by name); RuleError naming the rules of a cycle.
    ``pairs``: as for :func:`dependency_graph`."""
    rules = list(rules)
    by_name = {r.name: r for r in rules}
    g = dependency_graph(rules, pairs)
    try:
        cycle = nx.find_cycle(g)
    except nx.NetworkXNoCycle:
        cycle = None
    if cycle:
        names = [edge[0] for edge in cycle]
        raise RuleError("rule dependency cycle: " + " -> ".join(names + [names[0]]))
    return [by_name[n] for n in nx.lexicographical_topological_sort(g)]

__all__ = ["feeds", "feeding_pairs", "dependency_graph", "order_rules"]
