"""Rule order: rule A comes before rule B when A writes what B reads; a cycle is refused.

Why refuse cycles: negation (``FILTER NOT EXISTS``) is allowed, so the order matters; an acyclic
rule set is stratified, so one pass in topological order is already the fixpoint (the checked
run mode repeats rules only as a safety net that confirms it).
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx

from reasoner.errors import RuleError
from reasoner.rules.analysis import matches
from reasoner.rules.rule import Rule


def feeds(writer: Rule, reader: Rule) -> bool:
    """Whether a rule writes anything another rule reads."""
    return any(matches(w, r) for w in writer.writes for r in reader.reads)


def dependency_graph(rules: Iterable[Rule]) -> nx.DiGraph:
    """rule -> rule edges (by name) whenever the first writes what the second reads."""
    rules = list(rules)
    g = nx.DiGraph()
    g.add_nodes_from(r.name for r in rules)
    for a in rules:
        for b in rules:
            if feeds(a, b):
                g.add_edge(a.name, b.name)
    return g


def order_rules(rules: Iterable[Rule]) -> list[Rule]:
    """The rules in topological order (ties by name); RuleError naming the rules of a cycle."""
    rules = list(rules)
    by_name = {r.name: r for r in rules}
    g = dependency_graph(rules)
    try:
        cycle = nx.find_cycle(g)
    except nx.NetworkXNoCycle:
        cycle = None
    if cycle:
        names = [edge[0] for edge in cycle]
        raise RuleError("rule dependency cycle: " + " -> ".join(names + [names[0]]))
    return [by_name[n] for n in nx.lexicographical_topological_sort(g)]



__all__ = ["feeds", "dependency_graph", "order_rules"]
