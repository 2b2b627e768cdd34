"""The columnar engine gives the same patient objects as the SPARQL engine (findings, evidence, order)."""

from __future__ import annotations

import pytest
from differential import patient_differences
from rdflib import Graph

POLICIES = ("default", "fda-ema", "athf-strict", "eu-pearl")


@pytest.mark.parametrize("policy", POLICIES)
def test_same_patients_on_the_examples(examples_graph: Graph, policy: str) -> None:
    differences = patient_differences(examples_graph, policy)
    assert not differences, "\n".join(differences[:20])


@pytest.mark.parametrize("policy", POLICIES)
def test_same_patients_on_generated_patients(generated_graph: Graph, policy: str) -> None:
    differences = patient_differences(generated_graph, policy)
    assert not differences, "\n".join(differences[:20])
