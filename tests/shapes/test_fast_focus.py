"""The fast validator skips shapes that target nothing, and only when that is sure (regression guard).

Why: a warm one-patient call compiles ~125 SPARQL texts in the validator; shapes whose target
classes have no instance are skipped. The skip relies on the ontology's subclass closure, so a
patient graph that says rdfs:subClassOf itself must turn it off.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyoxigraph as ox

from reasoner.knowledge.namespaces import GRAPH_ASSERTED
from reasoner.rules.terms import subclass_closure_is_static
from reasoner.pipeline import Pipeline
from reasoner.validate.fast import _Lexical, _Run

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "trd-confirmed.ttl"


def _assessed(extra: bytes = b"") -> tuple[Pipeline, Any]:
    pipe = Pipeline(as_of="2026-01-15")
    return pipe, pipe.assess(EXAMPLE.read_bytes() + extra, format="turtle", keep_workspace=True)


def test_shapes_without_focus_are_found_and_skipping_changes_nothing() -> None:
    pipe, result = _assessed()
    store = result.workspace.store
    validator = pipe.validator
    assert subclass_closure_is_static(store)
    empty = [s for s in validator.shapes if not validator._has_focus(s, store, {})]
    assert empty and len(empty) < len(validator.shapes)
    # Every shape run, none skipped: the same focus nodes as the (skipping) pipeline report.
    run = _Run(store, True, _Lexical())
    every = sorted(str(hit.focus) for s in validator.shapes for c in s.constraints for hit in c.run(run))
    assert every == sorted(str(i["focusNode"]) for i in result.validation.issues)


def test_a_subclass_axiom_in_patient_data_turns_skipping_off() -> None:
    extra = (b"\n<https://example.org/trd/MyTrial> <http://www.w3.org/2000/01/rdf-schema#subClassOf> "
             b"<https://w3id.org/trd-reasoner/ontology#AntidepressantTrial> .\n")
    pipe, result = _assessed(extra)
    store = result.workspace.store
    sub = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")
    assert any(True for _ in store.quads_for_pattern(None, sub, None, ox.NamedNode(str(GRAPH_ASSERTED))))
    assert not subclass_closure_is_static(store)
