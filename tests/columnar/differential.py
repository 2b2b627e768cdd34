"""The differential oracle of the columnar engine: the same asserted data through the SPARQL rules
(the specification) and through their SQL twins, compared triple by triple and finding by finding.

Literals are compared by datatype and value (``"9.0"`` and ``"9"`` as xsd:decimal are the same
number), blank nodes as blank nodes (their labels differ by construction).
"""

from __future__ import annotations

import collections
import functools
import shutil
import tempfile
from pathlib import Path

from rdflib import BNode, Graph, Literal

from reasoner.columnar.engine import ColumnarEngine, TWINS_DIR
from reasoner.columnar.tables import parse_ntriples
from reasoner.knowledge.paths import INFER_DIR
from reasoner.pipeline import Pipeline
from reasoner.rules.terms import lexical_value

Key = tuple[str, tuple[str, str, str]]


def rules_with_twins(directory: Path) -> Path:
    """A copy of the rule folder holding only the rules that have a SQL twin (while twins are written)."""
    have = {p.stem for p in TWINS_DIR.glob("*.sql")}
    for rq in INFER_DIR.glob("*.rq"):
        if rq.stem in have:
            shutil.copy(rq, directory / rq.name)
    return directory


@functools.lru_cache(maxsize=1)
def _twinned_rules() -> Path:
    """The rule folder to compare: all of queries/infer once every rule has its twin, else a copy
    with the rules that have one (made once per test session)."""
    if {p.stem for p in INFER_DIR.glob("*.rq")} <= {p.stem for p in TWINS_DIR.glob("*.sql")}:
        return INFER_DIR
    return rules_with_twins(Path(tempfile.mkdtemp(prefix="twinned-rules-")))


@functools.lru_cache(maxsize=8)
def _engines(policy: str, as_of: str, rules_dir: Path) -> tuple[Pipeline, ColumnarEngine]:
    """Both engines for one policy and as-of date, made once: the ontology and policy are loaded
    once, and each call replaces the asserted data (and the derived facts) of both."""
    return (Pipeline(policy=policy, as_of=as_of, validator=None, rules_dir=rules_dir),
            ColumnarEngine(policy=policy, as_of=as_of, rules_dir=rules_dir))


def _sparql_triples(graph: Graph) -> dict[str, set[Key]]:
    out: dict[str, set[Key]] = collections.defaultdict(set)
    for s, p, o in graph:
        if isinstance(o, Literal):
            dt = str(o.datatype) if o.datatype else None
            obj = ("L", str(dt), repr(lexical_value(str(o), dt)))
        elif isinstance(o, BNode):
            obj = ("B", "", "_")
        else:
            obj = ("I", "", str(o))
        out[str(p)].add(("_" if isinstance(s, BNode) else str(s), obj))
    return out


def _sql_triples(engine: ColumnarEngine) -> dict[str, set[Key]]:
    out: dict[str, set[Key]] = collections.defaultdict(set)
    for row in engine.tables.derived_triples().to_pylist():
        if row["k"] == "L":
            obj = ("L", str(row["d"]), repr(lexical_value(row["o"], row["d"])))
        elif row["k"] == "B":
            obj = ("B", "", "_")
        else:
            obj = ("I", "", row["o"])
        out[row["p"]].add(("_" if row["s"].startswith("_:") else row["s"], obj))
    return out


def derived_differences(data: Graph, policy: str = "default", as_of: str = "2026-01-15",
                        rules_dir: Path | None = None) -> dict[str, tuple[set[Key], set[Key]]]:
    """Per derived predicate: (triples only the SPARQL rules derive, triples only the twins derive)."""
    reference_engine, engine = _engines(str(policy), as_of, rules_dir or _twinned_rules())
    nt = data.serialize(format="nt", encoding="utf-8")
    reference = reference_engine.assess(nt)
    engine.derive(parse_ntriples(nt))
    a, b = _sparql_triples(reference.derived), _sql_triples(engine)
    return {p: (a[p] - b[p], b[p] - a[p]) for p in sorted(set(a) | set(b)) if a[p] != b[p]}


def describe(differences: dict[str, tuple[set[Key], set[Key]]], limit: int = 3) -> str:
    """A readable account of the differences (for assertion messages)."""
    lines = []
    for p, (only_sparql, only_sql) in differences.items():
        lines.append(f"{p}: {len(only_sparql)} only from SPARQL, {len(only_sql)} only from SQL")
        lines += [f"   SPARQL {x}" for x in sorted(only_sparql)[:limit]]
        lines += [f"   SQL    {x}" for x in sorted(only_sql)[:limit]]
    return "\n".join(lines)


def patient_differences(data: Graph, policy: str = "default", as_of: str = "2026-01-15",
                        rules_dir: Path | None = None) -> list[str]:
    """The patient objects (without data issues: validation is compared apart) that differ between
    the SPARQL engine and the columnar engine, as readable lines."""
    with tempfile.TemporaryDirectory() as tmp:
        rules = rules_dir or rules_with_twins(Path(tmp))
        nt = data.serialize(format="nt", encoding="utf-8")
        reference = Pipeline(policy=policy, as_of=as_of, validator=None, rules_dir=rules).assess(nt)
        columnar = ColumnarEngine(policy=policy, as_of=as_of, rules_dir=rules).assess(nt)
    out = []
    by_id = {p["id"]: p for p in columnar.patients}
    if sorted(by_id) != sorted(p["id"] for p in reference.patients):
        out.append(f"patients differ: {sorted(by_id)[:5]} vs {sorted(p['id'] for p in reference.patients)[:5]}")
    for patient in reference.patients:
        other = by_id.get(patient["id"])
        if other is None:
            continue
        for key in sorted(set(patient) | set(other)):
            if patient.get(key) != other.get(key):
                out.append(f"{patient['id']} {key}: SPARQL {str(patient.get(key))[:300]} | SQL {str(other.get(key))[:300]}")
    if reference.unattributed != columnar.unattributed:
        out.append(f"unattributed: {reference.unattributed[:2]} | {columnar.unattributed[:2]}")
    return out
