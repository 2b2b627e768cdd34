"""The ``fhirServer`` fallback against the recorded-search FHIR server on loopback (conftest
:class:`FhirStub`): missing prefetch keys are searched with the call's bearer token, next pages
followed, a time limit kept, and no other host is ever contacted."""

from __future__ import annotations

import copy
import json
import logging
from typing import Any

import pytest

from benchmarks.support.cds import bundle_resources
from reasoner.serve.models import HookRequest
from tests.serve.conftest import EXAMPLES, FHIR_TOKEN, SPEC, Env, FhirStub

PV = "/cds-services/trd-patient-view"


def _spec_request(env: Env, patient_id: str = "1288992") -> dict[str, Any]:
    """The spec's own patient-view example request, with its fhirServer pointed at the loopback stub."""
    request = json.loads((SPEC / "patient-view-request.json").read_text())
    HookRequest.model_validate(request)
    request["fhirServer"] = env.stub.base
    request["fhirAuthorization"]["access_token"] = FHIR_TOKEN
    request["context"]["patientId"] = patient_id
    return request


@pytest.fixture()
def confirmed_on_stub(env: Env) -> Any:
    """The TRD-confirmed example stored on the stub under the spec example's patient id 1288992."""
    text = (EXAMPLES / "trd-confirmed.fhir.json").read_text().replace("pat-001", "1288992")
    env.stub.resources = [r for r in bundle_resources_from_text(text)]
    env.stub.requests.clear()
    yield env.stub
    env.stub.resources = []


def bundle_resources_from_text(text: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in json.loads(text)["entry"]]


def test_spec_example_request_fetches_everything_from_the_fhir_server(env: Env, confirmed_on_stub: FhirStub,
                                                                      caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    response = env.post(PV, _spec_request(env))
    assert response.status_code == 200, response.text
    cards = {c["source"]["topic"]["code"]: c for c in response.json()["cards"]}
    assert cards["trd-status"]["summary"].startswith("TRD confirmed: 2 failed adequate trial(s)")
    paths = [p for p, _ in confirmed_on_stub.requests]
    # every template fetched; 7 Observations at 2 a page: 4 pages, following Bundle.link next
    assert "/fhir/Patient/1288992" in paths
    assert sum(p.startswith("/fhir/Observation?") for p in paths) == 4
    assert any("_page=3" in p for p in paths)
    # the token went to the FHIR server, and nowhere into the logs or the answer
    assert {auth for _, auth in confirmed_on_stub.requests} == {f"Bearer {FHIR_TOKEN}"}
    assert FHIR_TOKEN not in caplog.text
    assert FHIR_TOKEN not in response.text


def test_prefetch_first_fhir_server_only_for_missing_keys(env: Env, confirmed_on_stub: FhirStub) -> None:
    request = _spec_request(env)
    request["prefetch"] = {"patient": confirmed_on_stub.resources[0], "procedures": None,
                           "medicationDispenses": {"resourceType": "OperationOutcome", "issue": []}}
    response = env.post(PV, request)
    assert response.status_code == 200
    fetched = {p.split("?")[0] for p, _ in confirmed_on_stub.requests}
    # patient and procedures were prefetched (procedures: null = none); the OperationOutcome means
    # the EHR could not get dispenses, so they are fetched like the absent keys
    assert "/fhir/Patient/1288992" not in fetched and "/fhir/Procedure" not in fetched
    assert "/fhir/MedicationDispense" in fetched and "/fhir/Condition" in fetched


def test_the_spec_example_fhir_server_is_never_contacted(env: Env, confirmed_on_stub: FhirStub) -> None:
    """The spec example names http://hooks.smarthealthit.org:9080, which is not on this service's
    list of FHIR servers: nothing is fetched, and the answer is 412 naming the missing prefetch."""
    request = json.loads((SPEC / "patient-view-request.json").read_text())
    response = env.post(PV, request)
    assert response.status_code == 412
    body = response.json()
    assert "not one this service may contact" in body["error"]
    assert "conditions" in body["missingPrefetch"]
    assert confirmed_on_stub.requests == []


def test_next_link_to_another_host_is_not_followed(env: Env, confirmed_on_stub: FhirStub) -> None:
    other = FhirStub(resources=confirmed_on_stub.resources).start()
    try:
        confirmed_on_stub.next_base = other.base
        response = env.post(PV, _spec_request(env))
        assert response.status_code == 412
        assert "points outside fhirServer" in response.json()["error"]
        assert other.requests == []
    finally:
        confirmed_on_stub.next_base = None
        other.stop()


def test_a_slow_fhir_server_hits_the_time_limit(env: Env, confirmed_on_stub: FhirStub) -> None:
    confirmed_on_stub.delay = 0.6   # 7 templates + pages at 0.6 s each > the 2 s limit of the test service
    try:
        response = env.post(PV, _spec_request(env))
    finally:
        confirmed_on_stub.delay = 0.0
    assert response.status_code == 412
    assert "did not answer within 2 s" in response.json()["error"]


def test_a_refused_token_is_412_not_500(env: Env, confirmed_on_stub: FhirStub) -> None:
    request = _spec_request(env)
    request["fhirAuthorization"]["access_token"] = "wrong-token"
    response = env.post(PV, request)
    assert response.status_code == 412
    assert "answered HTTP 401" in response.json()["error"]


def test_fhir_server_without_authorization_is_not_used(env: Env, confirmed_on_stub: FhirStub) -> None:
    request = copy.deepcopy(_spec_request(env))
    del request["fhirAuthorization"]
    response = env.post(PV, request)
    assert response.status_code == 412
    assert "without fhirAuthorization" in response.json()["error"]
    assert confirmed_on_stub.requests == []


def test_prefetch_of_another_patient_is_left_out(env: Env) -> None:
    from benchmarks.support.cds import hook_request

    mine = bundle_resources(EXAMPLES / "empty-patient.fhir.json")
    theirs = bundle_resources(EXAMPLES / "trd-confirmed.fhir.json")
    request = hook_request("patient-view", "pat-empty", mine + theirs[1:])
    response = env.post(PV, request)
    assert response.status_code == 200
    assert response.json()["cards"] == []   # pat-001's TRD is not pat-empty's
