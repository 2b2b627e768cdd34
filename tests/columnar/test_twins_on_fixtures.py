"""The twins derive what the SPARQL rules derive on the project's hand-made data, odd data included:
every SHACL fixture (under the policy it names), the scenario patients of the core, pseudo-resistance,
mechanism, option and P-gp tests (under the four policies and the policy overrides those tests use),
and the odd records and scenarios of this folder (tests/columnar/datasets.py gathers them)."""

from __future__ import annotations

from pathlib import Path

import datasets
import pytest
from differential import derived_differences, describe

POLICIES = ("default", "fda-ema", "athf-strict", "eu-pearl")
SHAPES = datasets.shape_fixtures()


def _check(ds: datasets.Dataset, policy: str | None = None) -> None:
    differences = derived_differences(ds.graph, policy or ds.policy, ds.as_of)
    assert not differences, f"{ds.name} ({ds.parts} parts):\n" + describe(differences)


def test_every_shape_fixture_is_gathered() -> None:
    assert sum(ds.parts for ds in SHAPES) == len(datasets.shape_cases.fixtures("pass") + datasets.shape_cases.fixtures("fail"))


@pytest.mark.slow  # covered in test_twins.py (every fixture under every policy, in one graph)
@pytest.mark.parametrize("ds", SHAPES, ids=[ds.policy for ds in SHAPES])
def test_twins_on_the_shape_fixtures(ds: datasets.Dataset) -> None:
    _check(ds)


@pytest.mark.slow
@pytest.mark.parametrize("policy", POLICIES)
def test_twins_on_the_core_scenarios(policy: str) -> None:
    _check(datasets.core_scenarios(), policy)


@pytest.mark.slow
@pytest.mark.parametrize("policy", POLICIES)
def test_twins_on_the_pseudo_mechanism_option_scenarios(policy: str) -> None:
    _check(datasets.pseudo_scenarios(), policy)


@pytest.mark.slow
@pytest.mark.parametrize("policy", POLICIES)
def test_twins_on_odd_records_and_scenarios(policy: str) -> None:
    _check(datasets.odd_data(), policy)


@pytest.mark.slow
def test_twins_under_the_tests_policy_overrides(tmp_path: Path) -> None:
    scenarios = datasets.pseudo_scenarios()
    for policy in datasets.override_policies(tmp_path):
        _check(scenarios, policy)
