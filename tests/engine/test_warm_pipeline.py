"""The warm pipeline (a service's one-patient calls) renews its workspace and stays correct.

Why: Oxigraph's in-memory store slowed down after many clear-and-reload cycles (one-patient
median 31 -> 47 ms), so ``Pipeline.assess`` replaces its warm workspace every
``WARM_WORKSPACE_CALLS`` calls. Renewal must not change any answer.
"""

from __future__ import annotations

from pathlib import Path

from rdflib.compare import isomorphic

from reasoner.pipeline import WARM_WORKSPACE_CALLS, Pipeline

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_warm_workspace_is_renewed_and_answers_stay_the_same() -> None:
    pipe = Pipeline(as_of="2026-01-15")
    confirmed = (EXAMPLES / "trd-confirmed.ttl").read_bytes()
    inadequate = (EXAMPLES / "inadequate-trial.ttl").read_bytes()
    first = pipe.assess(confirmed, format="turtle")
    workspace = pipe._warm
    seen = []
    for call in range(WARM_WORKSPACE_CALLS + 2):
        data = confirmed if call % 2 else inadequate
        result = pipe.assess(data, format="turtle")
        seen.append(pipe._warm)
        if call % 2:
            assert result.patients == first.patients
            assert isomorphic(result.derived, first.derived)
    assert any(ws is not workspace for ws in seen)          # renewed at least once
    assert len({id(ws) for ws in seen}) == 2
