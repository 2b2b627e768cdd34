"""The hand-made patient data of the other test folders, gathered for the differential oracle.

Why gather it: the twins must derive what the rules derive on *any* data, and the richest odd data
of the project was written for other tests: the SHACL fixtures (tests/shapes, ill-typed and
malformed records, each under the policy its ``# policy:`` line names), the near-miss scenario
patients of the core rules (benchmarks/support/scenarios/core.py) and of the pseudo-resistance,
mechanism, option and P-gp rules (benchmarks/support/scenarios/pseudo.py), with the policy
overrides those tests use (tests/infer/pseudo/cases.py), and the odd records and scenarios of this folder (odd/, odd_scenarios.py). A dataset is one graph with its policy and as-of date; fixtures that share a policy go
into one graph (the rules are patient-local), each fixture's own IRIs moved under a prefix of its
own so that two fixtures' ``ex:p1`` stay two patients.
"""

from __future__ import annotations

import dataclasses
import re
import sys
import tempfile
from pathlib import Path

from rdflib import Graph, URIRef

TESTS = Path(__file__).resolve().parents[1]
REPO = TESTS.parent
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))  # infer.pseudo.cases, shapes.shape_cases, as those tests import them

from benchmarks.support.scenarios import core  # noqa: E402
from benchmarks.support.synthetic import generate_cohort  # noqa: E402
from benchmarks.support.scenarios import pseudo  # noqa: E402
from infer.pseudo import cases as pseudo_cases  # noqa: E402
from shapes import shape_cases  # noqa: E402

import odd_scenarios  # noqa: E402

ODD = Path(__file__).resolve().parent / "odd"
FHIR_CORPUS = TESTS / "fhir" / "real-shapes"
FHIR_BASE = "https://w3id.org/trd-reasoner/fhir/"
NUMBER_CORPUS = TESTS / "corpus"

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


def _moved(graph: Graph, prefix: str, into: Graph | None = None) -> Graph:
    """The graph with every ``ex:`` IRI moved under ``ex:<prefix>/`` and every IRI of the FHIR
    importer under ``…/fhir/<prefix>/`` (added to ``into`` when given)."""
    def move(term):
        if isinstance(term, URIRef):
            text = str(term)
            for base in (EX, FHIR_BASE):
                if text.startswith(base):
                    return URIRef(base + prefix + "/" + text[len(base):])
        return term
    out = Graph() if into is None else into
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
    return [str(pseudo_cases.override_policy(directory, parameter, value)) for parameter, value in OVERRIDES]


def fhir_corpus() -> Dataset:
    """The real-shapes FHIR corpus (tests/fhir/real-shapes: partial and unknown dates, noncompliance,
    doses the importer could not read, …) as the importer gives it, one graph: each input's IRIs
    moved under a segment of its own (every input tells the same patient story, with the same ids)."""
    from reasoner.inputs import read_input

    g = Graph()
    inputs = sorted(FHIR_CORPUS.iterdir())
    for path in inputs:
        _moved(read_input(path, "2026-01-15").graph, _SLUG.sub("-", path.name.removesuffix(".json")), g)
    return Dataset("FHIR real-shapes corpus", g, parts=len(inputs))


def number_corpus() -> Dataset:
    """The hostile-number regression corpus of tests/corpus (NaN, INF, 1e309, 400 digits, "ten", …):
    its Turtle files as written and its FHIR inputs (dose and date values) as the importer gives
    them, one graph."""
    from reasoner.inputs import read_input

    g = Graph()
    turtle = sorted((NUMBER_CORPUS / "turtle").glob("*.ttl"))
    for path in turtle:
        _moved(Graph().parse(path, format="turtle"), path.stem, g)
    # not the patient-ids inputs: ids of 100,000 characters, which rdflib's N-Triples parser (the
    # reference engine's derived graph) reads in minutes; they hold no number
    fhir = sorted(p for p in (NUMBER_CORPUS / "fhir").iterdir()
                  if ((p.suffix == ".json" and not p.name.endswith(".expected.json")) or p.is_dir())
                  and not p.name.startswith("patient-ids"))
    for path in fhir:
        _moved(read_input(path, "2026-01-15").graph, _SLUG.sub("-", path.name.removesuffix(".json")), g)
    return Dataset("hostile-number corpus", g, parts=len(turtle) + len(fhir))


def examples() -> Dataset:
    """The Turtle examples of examples/."""
    g = Graph()
    files = sorted((REPO / "examples").glob("*.ttl"))
    for path in files:
        g.parse(path)
    return Dataset("examples", g, parts=len(files))


def generated(patients: int, seed: int = 11) -> Dataset:
    """Generated patients (every kind of trial, cause and malformed record the generator makes)."""
    with tempfile.TemporaryDirectory() as tmp:
        generate_cohort(Path(tmp), patients, seed=seed, fhir=False)
        g = Graph()
        for path in sorted((Path(tmp) / "turtle").glob("*.ttl")):
            g.parse(path)
    return Dataset(f"{patients} generated patients (seed {seed})", g, parts=patients)


def _combined(name: str, sources: list[Dataset]) -> Dataset:
    g = Graph()
    for i, ds in enumerate(sources):
        assert ds.as_of == "2026-01-15", ds.name
        _moved(ds.graph, f"src{i}", g)
    return Dataset(f"{name}: " + "; ".join(f"{ds.name} ({ds.parts})" for ds in sources), g,
                   parts=sum(ds.parts for ds in sources))


def well_formed_sources(patients: int = 300) -> Dataset:
    """In one graph, each source's IRIs under a prefix of its own (the rules are patient-local): the
    examples, the core and pseudo/mechanism/option scenario patients, the real-shapes FHIR corpus,
    the hostile-number corpus and ``patients`` generated patients. One run of each engine per
    policy covers them all (a columnar run has a fixed cost of some seconds, whatever the data)."""
    return _combined("well-formed sources", [examples(), core_scenarios(), pseudo_scenarios(), fhir_corpus(),
                                             number_corpus(), generated(patients)])


def odd_sources() -> Dataset:
    """Every shape fixture (ill-typed and malformed records) and the odd records and scenarios of
    this folder (blank-node records among them), in one graph."""
    return _combined("odd sources", [*shape_fixtures(), odd_data()])
