"""The differential oracle of the columnar engine: the same asserted data through the SPARQL rules
(the specification) and through their SQL twins, compared triple by triple and finding by finding.

Literals are compared by datatype and value (``"9.0"`` and ``"9"`` as xsd:decimal are the same
number), blank nodes as blank nodes (their labels differ by construction).
"""

from __future__ import annotations

import collections
import functools
import json
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, Literal

from reasoner.columnar.engine import ColumnarEngine
from reasoner.columnar.tables import parse_ntriples
from reasoner.knowledge.paths import INFER_DIR
from reasoner.pipeline import AssessmentResult, Pipeline
from reasoner.rules.terms import lexical_value

Key = tuple[str, tuple[str, str, str]]


@functools.lru_cache(maxsize=8)
def _engines(policy: str, as_of: str, rules_dir: Path = INFER_DIR) -> tuple[Pipeline, ColumnarEngine]:
    """Both engines for one policy and as-of date, made once: the ontology and policy are loaded
    once, and each call replaces the asserted data (and the derived facts) of both. Every rule of
    queries/infer runs: the columnar engine refuses a rule without its twin."""
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


def _triple_differences(reference: Graph, engine: ColumnarEngine) -> dict[str, tuple[set[Key], set[Key]]]:
    a, b = _sparql_triples(reference), _sql_triples(engine)
    return {p: (a[p] - b[p], b[p] - a[p]) for p in sorted(set(a) | set(b)) if a[p] != b[p]}


def _patient_differences(reference: AssessmentResult, columnar: AssessmentResult) -> list[str]:
    """The patient objects (findings, evidence, order; data issues are compared apart) that differ,
    as readable lines. Patients are matched by id; two patients with one id (a fixture and a
    generated patient may share one) are compared as a sorted group."""
    def by_id(patients: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = collections.defaultdict(list)
        for patient in patients:
            out[patient["id"]].append(patient)
        return {k: sorted(v, key=lambda x: json.dumps(x, sort_keys=True, default=str)) for k, v in out.items()}
    ours, theirs = by_id(reference.patients), by_id(columnar.patients)
    out = []
    if sorted(ours) != sorted(theirs):
        out.append(f"patients differ: only SPARQL {sorted(set(ours) - set(theirs))[:5]}, "
                   f"only SQL {sorted(set(theirs) - set(ours))[:5]}")
    for pid in sorted(set(ours) & set(theirs)):
        if len(ours[pid]) != len(theirs[pid]):
            out.append(f"{pid}: {len(ours[pid])} patients from SPARQL, {len(theirs[pid])} from SQL")
            continue
        for patient, other in zip(ours[pid], theirs[pid]):
            for key in sorted(set(patient) | set(other)):
                if patient.get(key) != other.get(key):
                    out.append(f"{pid} {key}: SPARQL {str(patient.get(key))[:300]} | SQL {str(other.get(key))[:300]}")
    if reference.unattributed != columnar.unattributed:
        out.append(f"unattributed: {reference.unattributed[:2]} | {columnar.unattributed[:2]}")
    return out


def differences(data: Graph | bytes, policy: str = "default", as_of: str = "2026-01-15"
                ) -> tuple[dict[str, tuple[set[Key], set[Key]]], list[str]]:
    """One run of both engines over the data: (per derived predicate, the triples only the SPARQL
    rules derive and those only the twins derive; the patient objects that differ)."""
    reference_engine, engine = _engines(str(policy), as_of)
    nt = data if isinstance(data, bytes) else data.serialize(format="nt", encoding="utf-8")
    reference = reference_engine.assess(nt)
    columnar = engine.assess(parse_ntriples(nt))
    return _triple_differences(reference.derived, engine), _patient_differences(reference, columnar)


def derived_differences(data: Graph | bytes, policy: str = "default", as_of: str = "2026-01-15"
                        ) -> dict[str, tuple[set[Key], set[Key]]]:
    """Per derived predicate: (triples only the SPARQL rules derive, triples only the twins derive)."""
    reference_engine, engine = _engines(str(policy), as_of)
    nt = data if isinstance(data, bytes) else data.serialize(format="nt", encoding="utf-8")
    reference = reference_engine.assess(nt)
    engine.derive(parse_ntriples(nt))
    return _triple_differences(reference.derived, engine)


def patient_differences(data: Graph | bytes, policy: str = "default", as_of: str = "2026-01-15") -> list[str]:
    """The patient objects that differ between the SPARQL engine and the columnar engine."""
    return differences(data, policy, as_of)[1]


def describe(differences: dict[str, tuple[set[Key], set[Key]]], limit: int = 3) -> str:
    """A readable account of the differences (for assertion messages)."""
    lines = []
    for p, (only_sparql, only_sql) in differences.items():
        lines.append(f"{p}: {len(only_sparql)} only from SPARQL, {len(only_sql)} only from SQL")
        lines += [f"   SPARQL {x}" for x in sorted(only_sparql)[:limit]]
        lines += [f"   SQL    {x}" for x in sorted(only_sql)[:limit]]
    return "\n".join(lines)

