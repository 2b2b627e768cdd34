"""Rules: the SPARQL rule files, their analysis and order, the engine that runs them, and the
workspace (the named graphs on a SPARQL backend) they run over."""

from reasoner.rules.engine import RuleEngine, RunStats, rules_metadata
from reasoner.rules.ordering import dependency_graph, order_rules
from reasoner.rules.rule import Rule, compact_query, load_rules, parse_rule

__all__ = ["Rule", "RuleEngine", "RunStats", "compact_query", "dependency_graph", "load_rules", "order_rules",
           "parse_rule", "rules_metadata"]
