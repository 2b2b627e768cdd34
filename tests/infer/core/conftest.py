"""Shared fixtures of the core-rule tests: the scenario shard assessed once per policy."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pytest

from reasoner.pipeline import Pipeline

from benchmarks.support.scenarios.core import AS_OF, shard_turtle


@functools.lru_cache(maxsize=None)
def assess_shard(policy: str, engine: str = "oxigraph") -> dict[str, dict[str, Any]]:
    """Every scenario patient's JSON entry under one policy (name or file path)."""
    pipe = Pipeline(policy=policy, as_of=AS_OF, backend=engine, validator=None)
    result = pipe.assess(shard_turtle().encode(), format="turtle", derived="nquads")
    return {p["id"]: p for p in result.patients}


@pytest.fixture(scope="session")
def default_results() -> dict[str, dict[str, Any]]:
    return assess_shard("default")


def override_policy(tmp_path: Path, parameter: str, value: str, instrument: str | None = None,
                    extends: str = "default") -> Path:
    """A policy file that extends another and overrides one setting (value is Turtle)."""
    inst = f"trd:instrument trd:{instrument} ; " if instrument else ""
    path = tmp_path / f"override-{parameter}.ttl"
    path.write_text(f"""@prefix trd: <https://w3id.org/trd-reasoner/ontology#> .
@prefix pol: <https://w3id.org/trd-reasoner/policy/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
pol:test-{parameter} a trd:Policy ; skos:notation "test-{parameter}" ; trd:extends pol:{extends} .
pol:test-{parameter}-setting a trd:Setting ; trd:policy pol:test-{parameter} ;
    trd:parameter trd:param-{parameter} ; {inst}trd:value {value} ;
    dcterms:source "test override" ; trd:evidenceStatus "unverified" .
""")
    return path
