"""The service's pydantic models read the CDS Hooks 2.0 specification's own example messages
(fixtures/spec, copied from the specification; see its README)."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from reasoner.serve.models import Card, CdsResponse, Discovery, FeedbackRequest, HookRequest
from tests.serve.conftest import SPEC


def _load(name: str) -> dict:
    return json.loads((SPEC / name).read_text())


def test_spec_examples_are_read_by_the_models() -> None:
    discovery = Discovery.model_validate(_load("discovery-response.json"))
    assert [s.hook for s in discovery.services] == ["patient-view", "order-select", "order-sign"]
    request = HookRequest.model_validate(_load("patient-view-request.json"))
    assert request.context.patientId == "1288992" and request.fhirAuthorization.subject == "cds-service4"
    assert "some-opaque-fhir-access-token" not in repr(request)          # the token is never in a repr
    response = CdsResponse.model_validate(_load("cards-response.json"))
    assert [c.indicator for c in response.cards] == ["info", "warning"]
    for name in ("feedback-accepted.json", "feedback-overridden.json", "feedback-overridden-reason.json"):
        FeedbackRequest.model_validate(_load(name))


def test_models_refuse_what_the_spec_forbids() -> None:
    card = _load("cards-response.json")["cards"][0]
    with pytest.raises(ValidationError):
        Card.model_validate({**card, "indicator": "urgent"})          # info | warning | critical
    with pytest.raises(ValidationError):
        Card.model_validate({**card, "summary": "x" * 140})           # < 140 characters
    with pytest.raises(ValidationError):
        FeedbackRequest.model_validate({"feedback": [{"card": "c", "outcome": "ignored", "outcomeTimestamp": "t"}]})
    bad = _load("patient-view-request.json")
    bad["fhirAuthorization"]["token_type"] = "MAC"
    with pytest.raises(ValidationError):
        HookRequest.model_validate(bad)
