"""Benchmark: the compiled fast validator on cohort shards, against pySHACL (reference).

Usage: python benchmarks/validate_fast.py [N ...]   (default 1000)
Writes benchmarks/results/validate_fast.json and prints a table. Shards come from the same
generator as the tests (tests/shapes/cohort_gen.py: every patient has one problem, ~40 triples a
patient before rules). The rules are not timed here (they belong to the engine benchmark); the
shapes run over patient + derived facts, as `trd validate` does.
"""

from __future__ import annotations

import json
import logging
import platform
import sys
import time
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "shapes"))

from cohort_gen import cohort_turtle  # noqa: E402

from reasoner.knowledge.namespaces import GRAPH_ASSERTED, GRAPH_DERIVED  # noqa: E402
from reasoner.validate.fast import FastValidator  # noqa: E402
from reasoner.validate.reference import (  # noqa: E402
    _policy_graph, _project_ontology, _project_shapes, data_graph, derive, reference_validate,
)

logging.getLogger("rdflib.term").setLevel(logging.ERROR)


def timed(fn, repeat: int = 3):
    best, result = None, None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        dt = time.perf_counter() - t
        best = dt if best is None else min(best, dt)
    return best, result


def main(sizes: list[int]) -> None:
    shapes, ontology, policy = _project_shapes(), _project_ontology(), _policy_graph("default")
    compile_s, validator = timed(lambda: FastValidator(shapes, ontology, policy), 1)
    rows = []
    for n in sizes:
        patient = Graph().parse(data=cohort_turtle(n), format="turtle")
        derived = derive(patient, ontology, policy)
        data = patient + derived
        nt_patient = patient.serialize(format="nt", encoding="utf-8")
        nt_derived = derived.serialize(format="nt", encoding="utf-8")

        def workspace_store():
            # What the pipeline hands over: a store with asserted + derived named graphs.
            store = ox.Store()
            store.bulk_load(nt_patient, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(str(GRAPH_ASSERTED)))
            store.bulk_load(nt_derived, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(str(GRAPH_DERIVED)))
            return store

        load_s, _ = timed(workspace_store)
        store_s = min(timed(lambda s=workspace_store(): validator.validate(s), 1)[0] for _ in range(3))
        graph_s, (_c, _r, results) = timed(lambda: validator.validate(data), 1)
        row = {"patients": n, "triples": len(data), "patient_triples": len(patient), "results": len(results),
               "store_load_s (not validation)": round(load_s, 3),
               "fast_on_store_s": round(store_s, 3), "patients_per_s_on_store": round(n / store_s),
               "fast_from_rdflib_graph_s (serialise + load + validate)": round(graph_s, 3)}
        if n <= 200:
            ref_s, _ = timed(lambda: reference_validate(data_graph(patient, derived, ontology, policy), shapes), 1)
            row["pyshacl_s"] = round(ref_s, 2)
        rows.append(row)
        print(row, flush=True)
    out = {"benchmark": "validate_fast", "compile_s": round(compile_s, 3), "python": platform.python_version(),
           "machine": "2 shared cores (other jobs running)", "rows": rows}
    dest = REPO / "benchmarks" / "results" / "validate_fast.json"
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(json.dumps(out, indent=2) + "\n")
    print(f"compile {compile_s:.3f}s; written {dest.relative_to(REPO)}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [100, 1000])
