"""The CDS Hooks security model and bad input, over HTTP: every refused token is a 401 with a JSON
body, every bad request a 400/404/413 with a JSON body naming the problem, never a 500 or a
traceback, and a bad request never affects the next one."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from benchmarks.support.cds import bundle_resources, hook_request
from tests.serve.conftest import EXAMPLES, JKU_ISSUER, Env, SigningKey

PV = "/cds-services/trd-patient-view"


def _request() -> dict[str, Any]:
    return hook_request("patient-view", "pat-empty", bundle_resources(EXAMPLES / "empty-patient.fhir.json"))


def _refused(response: Any, words: str) -> None:
    assert response.status_code == 401, response.text
    body = response.json()
    assert body["status"] == 401 and words in body["error"]
    assert "Traceback" not in response.text


def _b64(doc: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(doc).encode()).rstrip(b"=").decode()


def test_a_signed_call_is_accepted(env: Env) -> None:
    assert env.post(PV, _request()).status_code == 200


def test_missing_token(env: Env) -> None:
    _refused(env.post(PV, _request(), token=None), "missing Authorization")
    _refused(env.get("/cds-services", token=None), "missing Authorization")


def test_unsigned_alg_none_token(env: Env) -> None:
    now = int(time.time())
    claims = {"iss": "https://ehr.test.example/", "aud": f"{env.url}{PV}", "exp": now + 300, "iat": now, "jti": "n1"}
    token = f"{_b64({'alg': 'none', 'typ': 'JWT', 'kid': env.key.kid})}.{_b64(claims)}."
    _refused(env.post(PV, _request(), token=token), "algorithm 'none' is not accepted")


def test_hs256_signed_with_the_public_key_is_refused(env: Env) -> None:
    # the classic key-confusion attack: HMAC with the public key as the shared secret
    public_pem = env.key.private.public_key().public_bytes(serialization.Encoding.PEM,
                                                           serialization.PublicFormat.SubjectPublicKeyInfo)
    now = int(time.time())
    claims = {"iss": "https://ehr.test.example/", "aud": f"{env.url}{PV}", "exp": now + 300, "iat": now, "jti": "h1"}
    header = _b64({"alg": "HS256", "typ": "JWT", "kid": env.key.kid})
    payload = _b64(claims)
    import hashlib
    import hmac
    signature = base64.urlsafe_b64encode(hmac.new(public_pem, f"{header}.{payload}".encode(), hashlib.sha256).digest())
    token = f"{header}.{payload}.{signature.rstrip(b'=').decode()}"
    _refused(env.post(PV, _request(), token=token), "algorithm 'HS256' is not accepted")


def test_expired_token(env: Env) -> None:
    now = int(time.time())
    token = env.key.token(f"{env.url}{PV}", exp=now - 120, iat=now - 400)
    _refused(env.post(PV, _request(), token=token), "expired")


def test_token_issued_in_the_future(env: Env) -> None:
    now = int(time.time())
    token = env.key.token(f"{env.url}{PV}", iat=now + 600, exp=now + 900)
    _refused(env.post(PV, _request(), token=token), "issued in the future")


def test_wrong_audience(env: Env) -> None:
    # a token for another service of the same server, and one for another server
    _refused(env.post(PV, _request(), token=env.key.token(f"{env.url}/cds-services/trd-order-sign")), "audience")
    _refused(env.post(PV, _request(), token=env.key.token(f"https://elsewhere.example{PV}")), "audience")


def test_untrusted_issuer(env: Env) -> None:
    token = env.key.token(f"{env.url}{PV}", iss="https://rogue.example/")
    _refused(env.post(PV, _request(), token=token), "issuer (iss) is not trusted")


def test_replayed_token(env: Env) -> None:
    token = env.key.token(f"{env.url}{PV}")
    assert env.post(PV, _request(), token=token).status_code == 200
    _refused(env.post(PV, _request(), token=token), "already used (jti replay)")


def test_missing_jti_and_overlong_lifetime(env: Env) -> None:
    _refused(env.post(PV, _request(), token=env.key.token(f"{env.url}{PV}", jti=None)), "'jti'")
    now = int(time.time())
    _refused(env.post(PV, _request(), token=env.key.token(f"{env.url}{PV}", iat=now, exp=now + 86400)), "lives longer")


def test_signature_by_another_key_with_the_same_kid(env: Env) -> None:
    impostor = SigningKey.new(env.key.kid)
    _refused(env.post(PV, _request(), token=impostor.token(f"{env.url}{PV}")), "signature")


def test_garbage_token(env: Env) -> None:
    _refused(env.post(PV, _request(), token="not.a.jwt"), "not a readable JWT")
    response = env.client.post(f"{env.url}{PV}", content=json.dumps(_request()), headers={"Authorization": "Basic abc"})
    _refused(response, "Bearer")


def test_jku_on_the_trusted_list_is_fetched_and_used(env: Env) -> None:
    jku = f"http://127.0.0.1:{env.stub.port}/jwks.json"
    token = env.jku_key.token(f"{env.url}{PV}", iss=JKU_ISSUER, headers={"jku": jku})
    assert env.post(PV, _request(), token=token).status_code == 200
    # a jku that is not on the issuer's list is never fetched
    seen = len(env.stub.requests)
    token = env.jku_key.token(f"{env.url}{PV}", iss=JKU_ISSUER,
                              headers={"jku": f"http://127.0.0.1:{env.stub.port}/other-jwks.json"})
    _refused(env.post(PV, _request(), token=token), "jku is not on the issuer's trusted list")
    assert len(env.stub.requests) == seen


def test_the_spec_example_key_pair_signs_and_verifies() -> None:
    """The spec's published example JWK pair and header/payload (fixtures/spec): what a client signs
    with the private key verifies with the public JWK Set, through the same PyJWT calls."""
    from tests.serve.conftest import SPEC

    private = jwt.PyJWK(json.loads((SPEC / "jwk-private.json").read_text()))
    public = jwt.PyJWK(json.loads((SPEC / "jwks-public.json").read_text())["keys"][0])
    header = json.loads((SPEC / "jwt-header.json").read_text())
    payload = json.loads((SPEC / "jwt-payload.json").read_text())
    token = jwt.encode(payload, private.key, algorithm=header["alg"], headers={"kid": header["kid"], "jku": header["jku"]})
    claims = jwt.decode(token, public.key, algorithms=["ES384"], audience=payload["aud"], options={"verify_exp": False})
    assert claims["jti"] == payload["jti"]
    # and the spec's example payload, as sent in 2011-2015, has long expired: refused by the service's check
    with pytest.raises(jwt.ExpiredSignatureError):
        jwt.decode(token, public.key, algorithms=["ES384"], audience=payload["aud"])


# --- bad input ------------------------------------------------------------------------------------
def _bad(response: Any, status: int, words: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["status"] == status and words in body["error"], body
    assert "Traceback" not in response.text


def test_bad_requests_are_named_and_the_next_request_is_fine(env: Env) -> None:
    good = _request()
    _bad(env.post(PV, b"{not json"), 400, "not JSON")
    _bad(env.post(PV, b"[1, 2]"), 400, "not a JSON object")
    _bad(env.post(PV, b"[" * 100000 + b"]" * 100000), 400, "not JSON")
    for missing, where in (("hook", "hook"), ("hookInstance", "hookInstance")):
        body = dict(good)
        del body[missing]
        _bad(env.post(PV, body), 400, where)
    body = json.loads(json.dumps(good))
    del body["context"]["patientId"]
    _bad(env.post(PV, body), 400, "context.patientId")
    body = json.loads(json.dumps(good))
    body["context"]["patientId"] = "../../etc"
    _bad(env.post(PV, body), 400, "context.patientId")
    body = json.loads(json.dumps(good))
    body["prefetch"]["conditions"] = "Condition?patient=pat-empty"
    _bad(env.post(PV, body), 400, "prefetch.conditions is not a FHIR resource")
    body = json.loads(json.dumps(good))
    body["prefetch"]["observations"] = {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": {"id": 1}}]}
    _bad(env.post(PV, body), 400, "prefetch.observations: Bundle.entry[0].resource is not a FHIR resource")
    body = json.loads(json.dumps(good))
    body["prefetch"]["patient"] = {"name": "no resourceType"}
    _bad(env.post(PV, body), 400, "prefetch.patient is not a FHIR resource")
    _bad(env.post(PV, {**good, "hook": "order-sign"}), 400, "answers the patient-view hook")
    sign = hook_request("order-sign", "pat-empty", bundle_resources(EXAMPLES / "empty-patient.fhir.json"))
    _bad(env.post("/cds-services/trd-order-sign", sign), 400, "context.draftOrders must be a FHIR Bundle")
    _bad(env.post("/cds-services/no-such-service", good), 404, "no CDS service 'no-such-service'")
    _bad(env.post(PV, {**good, "padding": "x" * (300 * 1024)}), 413, "larger than")
    _bad(env.post(f"{PV}/feedback", {"feedback": [{"card": "x"}]}), 400, "feedback")
    _bad(env.post(f"{PV}/feedback", b"nope"), 400, "not JSON")
    # the very next good call is answered as always
    response = env.post(PV, good)
    assert response.status_code == 200 and response.json() == {"cards": []}


def test_missing_prefetch_without_a_fhir_server_is_412(env: Env) -> None:
    body = _request()
    del body["prefetch"]["observations"]
    response = env.post(PV, body)
    _bad(response, 412, "prefetch observations not given")
    assert response.json()["missingPrefetch"] == ["observations"]
