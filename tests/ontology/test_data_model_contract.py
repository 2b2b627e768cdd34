"""Every trd: term that docs/data-model.md (the binding contract) names exists in the ontology,
with a label, so the shapes, rules and importer built against the page find their IRIs."""

from __future__ import annotations

import re
from pathlib import Path

from rdflib import Graph
from rdflib.namespace import RDFS

from reasoner.knowledge.namespaces import TRD


def _contract_terms(text: str) -> set[str]:
    """Local names after ``trd:``; ``trd:phenotype-poor|intermediate`` expands to both names."""
    names: set[str] = set()
    for match in re.finditer(r"trd:([\w-]+(?:\|(?!trd:)[\w-]+)*)", text):
        first, *rest = match.group(1).split("|")
        names.add(first)
        stem = first.rsplit("-", 1)[0] + "-"
        names.update(stem + part for part in rest)
    # Patterns, not terms: "trd:mechanism-*", "trd:<group>-<code>", "trd:adequacy-" (a prefix).
    return {n for n in names if not n.endswith("-")}


def test_every_term_of_the_data_model_is_in_the_ontology(ontology_graph: Graph, repo_dir: Path) -> None:
    terms = _contract_terms((repo_dir / "docs" / "data-model.md").read_text(encoding="utf-8"))
    assert len(terms) > 150, "could not read the terms of docs/data-model.md"
    missing = sorted(n for n in terms if (TRD[n], RDFS.label, None) not in ontology_graph)
    assert not missing, f"terms of docs/data-model.md without a labelled definition in trd.ttl: {missing}"
