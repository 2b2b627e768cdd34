"""The hand-made patient data of the other test folders, gathered for the differential oracle.

Why gather it: the twins must derive what the rules derive on *any* data, and the richest odd data
of the project was written for other tests: the SHACL fixtures (tests/shapes, ill-typed and
malformed records, each under the policy its ``# policy:`` line names), the near-miss scenario
patients of the core rules (tests/infer/core/scenarios.py) and of the pseudo-resistance,
mechanism, option and P-gp rules (tests/infer/pseudo/cases.py), with the policy overrides those
tests use, and the odd records and scenarios of this folder (odd/, odd_scenarios.py). A dataset is one graph with its policy and as-of date; fixtures that share a policy go
into one graph (the rules are patient-local), each fixture's own IRIs moved under a prefix of its
own so that two fixtures' ``ex:p1`` stay two patients.
"""

from __future__ import annotations

import dataclasses
import re
import sys
from pathlib import Path

from rdflib import Graph, URIRef

TESTS = Path(__file__).resolve().parents[1]
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))  # infer.core.scenarios, shapes.shape_cases, as those tests import them

from infer.core import scenarios as core  # noqa: E402
from infer.pseudo import cases as pseudo  # noqa: E402
from shapes import shape_cases  # noqa: E402

import odd_scenarios  # noqa: E402

ODD = Path(__file__).resolve().parent / "odd"

EX = "https://example.org/trd/"
_SLUG = re.compile(r"[^A-Za-z0-9-]+")

#: the policy overrides of the pseudo-resistance, mechanism, option and P-gp tests (parameter, Turtle value)
OVERRIDES = (
    ("tsh-upper-normal", "4.7"), ("tsh-treatment", "9.5"), ("ahi-osa", "5.5"), ("mdq-positive-score", "8"),
    ("adherence-threshold", "0.75"), ("crp-inflammation", "3.2"), ("dst-cortisol-ug-dl", "5.1"),
    ("crp-infliximab", "5.2"), ("days-per-month", "32.0"), ("pgp-brain-fraction", "1.0"), ("sert-kd-nm", "5.0"),
    ("sert-occupancy-threshold", "0.70"),
)


@dataclasses.dataclass
class Dataset:
    name: str
    graph: Graph
    policy: str = "default"
    as_of: str = "2026-01-15"
    parts: int = 1          # how many fixtures or scenario patients it holds


def _moved(graph: Graph, prefix: str) -> Graph:
    """The graph with every ``ex:`` IRI moved under ``ex:<prefix>/``."""
    def move(term):
        if isinstance(term, URIRef) and str(term).startswith(EX):
            return URIRef(EX + prefix + "/" + str(term)[len(EX):])
        return term
    out = Graph()
    for s, p, o in graph:
        out.add((move(s), p, move(o)))
    return out


def shape_fixtures() -> list[Dataset]:
    """Every pass/fail SHACL fixture, one graph per policy the fixtures name."""
    by_policy: dict[str, Dataset] = {}
    for fixture in shape_cases.fixtures("pass") + shape_cases.fixtures("fail"):
        policy = shape_cases.policy_of(fixture)
        ds = by_policy.setdefault(policy, Dataset(f"shape fixtures ({policy})", Graph(), policy, parts=0))
        ds.graph += _moved(Graph().parse(fixture, format="turtle"), _SLUG.sub("-", shape_cases.fixture_id(fixture)))
        ds.parts += 1
    return list(by_policy.values())


def core_scenarios() -> Dataset:
    g = Graph().parse(data=core.shard_turtle(), format="turtle")
    g += Graph().parse(TESTS / "infer" / "core" / "fixtures" / "trd-confirmed.ttl", format="turtle")
    return Dataset("core scenarios", g, as_of=core.AS_OF, parts=len(core.SCENARIOS) + 1)


def pseudo_scenarios() -> Dataset:
    g = Graph().parse(data=pseudo.turtle(), format="turtle")
    return Dataset("pseudo/mechanism/option scenarios", g, as_of=pseudo.AS_OF, parts=len(pseudo.SCENARIOS))


def odd_data() -> Dataset:
    """The odd records of tests/columnar/odd/*.ttl and the odd scenario patients (odd_scenarios.py)."""
    g = Graph().parse(data=odd_scenarios.turtle(), format="turtle")
    files = sorted(ODD.glob("*.ttl"))
    for path in files:
        g += _moved(Graph().parse(path, format="turtle"), path.stem)
    return Dataset("odd records and scenarios", g, as_of=core.AS_OF, parts=len(odd_scenarios.SCENARIOS) + len(files))


def override_policies(directory: Path) -> list[str]:
    """The policy files of the tests' threshold overrides (written into ``directory``)."""
    return [str(pseudo.override_policy(directory, parameter, value)) for parameter, value in OVERRIDES]
