"""Every SQL twin derives exactly what its SPARQL rule derives, under every policy."""

from __future__ import annotations

import pytest
from differential import derived_differences, describe
from rdflib import Graph

POLICIES = ("default", "fda-ema", "athf-strict", "eu-pearl")


@pytest.mark.parametrize("policy", POLICIES)
def test_twins_derive_what_the_rules_derive_on_the_examples(examples_graph: Graph, policy: str) -> None:
    differences = derived_differences(examples_graph, policy)
    assert not differences, describe(differences)


@pytest.mark.parametrize("policy", POLICIES)
def test_twins_derive_what_the_rules_derive_on_generated_patients(generated_graph: Graph, policy: str) -> None:
    differences = derived_differences(generated_graph, policy)
    assert not differences, describe(differences)
