"""Benchmark: the compiled fast validator on cohort shards, against pySHACL (reference).

Usage: python benchmarks/validate_fast.py [N ...] [--results PATH]   (default 100 1000)
Writes benchmarks/results/validate_fast.json (or ``--results``) and prints a table.

Patients: the defect cohort (:mod:`benchmarks.support.scenarios.defects`, the one the shape
tests compare the two validators on): every patient carries one defect, ~30 triples a patient
before rules. Why not the synthetic cohort: about one synthetic patient in a hundred has a
defect, so most shapes would only confirm conformance, while the cost that matters (and that
pySHACL pays most for) is finding and reporting results; here every shape has focus nodes and
every patient yields results, the validator's worst case. The rules are not timed here (they
belong to the engine benchmarks); the shapes run over patient + derived facts, as ``trd
validate`` does, with the derived facts made by the pipeline itself.
"""

from __future__ import annotations

import argparse
import json
import logging
import platform
import sys
import time
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script: the repository root, for reasoner and benchmarks
    sys.path.insert(0, str(REPO))

from benchmarks.support.scenarios.defects import cohort_turtle  # noqa: E402
from reasoner.knowledge.loader import ontology_graph, shapes_graph  # noqa: E402
from reasoner.knowledge.namespaces import GRAPH_ASSERTED, GRAPH_DERIVED  # noqa: E402
from reasoner.knowledge.policy import policy_graph  # noqa: E402
from reasoner.pipeline import Pipeline  # noqa: E402
from reasoner.validate.fast import FastValidator  # noqa: E402
from reasoner.validate.reference import data_graph, reference_validate  # noqa: E402

RESULTS = REPO / "benchmarks" / "results" / "validate_fast.json"
AS_OF = "2026-01-15"

logging.getLogger("rdflib.term").setLevel(logging.ERROR)


def timed(fn, repeat: int = 3):
    best, result = None, None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        dt = time.perf_counter() - t
        best = dt if best is None else min(best, dt)
    return best, result


def main(sizes: list[int], dest: Path = RESULTS) -> None:
    shapes, ontology, policy = shapes_graph(), ontology_graph(), policy_graph("default", AS_OF)
    compile_s, validator = timed(lambda: FastValidator(shapes, ontology, policy), 1)
    # the rules' derived facts: the pipeline without validation, checked mode (as the shape tests)
    rules = Pipeline(policy="default", as_of=AS_OF, validator=None, checked=True)
    rows = []
    for n in sizes:
        patient = Graph().parse(data=cohort_turtle(n), format="turtle")
        derived = rules.assess(patient).derived
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
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(json.dumps(out, indent=2) + "\n")
    print(f"compile {compile_s:.3f}s; written {dest}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[100, 1000], help="patients per shard")
    parser.add_argument("--results", type=Path, default=RESULTS, help="where the JSON goes")
    args = parser.parse_args()
    main(args.sizes, args.results)
