"""A real ``trd serve`` on a free loopback port, signed JWTs from keys made here, and a
recorded-search FHIR server on loopback.

Why these pieces: the service is tested as an EHR uses it, over HTTP with a real client (httpx)
against uvicorn, with every call signed by a key generated in the test (the trust file points at
its JWK Set). No small FHIR server installs from the package registries and runs here without a
database, so the ``fhirServer`` fallback is tested against :class:`FhirStub`: an HTTP server on
127.0.0.1 that answers FHIR reads and searches with ``searchset`` Bundles of the resources it holds,
paged (``Bundle.link`` next) and checking the bearer token. Nothing contacts any other address.
"""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest
import uvicorn
from cryptography.hazmat.primitives.asymmetric import ec

from reasoner.serve.app import ServeSettings, Service, create_app

AS_OF = "2026-01-15"
ISSUER = "https://ehr.test.example/"
JKU_ISSUER = "https://other-ehr.test.example/"
FHIR_TOKEN = "fhir-token-8c1e4b0f-secret"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SPEC = Path(__file__).resolve().parent / "fixtures" / "spec"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class SigningKey:
    """An EC P-384 key pair made in the test, with its public JWK."""

    kid: str
    private: Any
    jwk: dict[str, Any]

    @classmethod
    def new(cls, kid: str) -> "SigningKey":
        private = ec.generate_private_key(ec.SECP384R1())
        jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(private.public_key()))
        jwk.update({"kid": kid, "alg": "ES384", "use": "sig"})
        return cls(kid, private, jwk)

    def token(self, aud: str, iss: str = ISSUER, headers: dict[str, Any] | None = None, **claims: Any) -> str:
        now = int(time.time())
        payload = {"iss": iss, "aud": aud, "exp": now + 300, "iat": now, "jti": str(uuid.uuid4())}
        payload.update(claims)
        payload = {k: v for k, v in payload.items() if v is not None}
        return jwt.encode(payload, self.private, algorithm="ES384", headers={"kid": self.kid, **(headers or {})})


@dataclass
class FhirStub:
    """A recorded-search FHIR server on loopback (see the module docstring)."""

    resources: list[dict[str, Any]] = field(default_factory=list)
    token: str = FHIR_TOKEN
    page_size: int = 2
    delay: float = 0.0
    next_base: str | None = None  # where next links point (another host, to test they are refused)
    jwks: dict[str, Any] | None = None
    requests: list[tuple[str, str | None]] = field(default_factory=list)

    def start(self) -> "FhirStub":
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, doc: Any) -> None:
                body = json.dumps(doc).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/fhir+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                stub.requests.append((self.path, self.headers.get("Authorization")))
                if stub.delay:
                    time.sleep(stub.delay)
                url = urlsplit(self.path)
                if url.path == "/jwks.json" and stub.jwks is not None:
                    return self._send(200, stub.jwks)
                if self.headers.get("Authorization") != f"Bearer {stub.token}":
                    return self._send(401, {"resourceType": "OperationOutcome", "issue": [{"severity": "error",
                                                                                         "code": "login"}]})
                parts = url.path.removeprefix("/fhir/").split("/")
                if len(parts) == 2:  # a read
                    found = [r for r in stub.resources if r["resourceType"] == parts[0] and r["id"] == parts[1]]
                    return self._send(200, found[0]) if found else self._send(404, {"resourceType": "OperationOutcome"})
                query = parse_qs(url.query)
                rtype, patient = parts[0], query.get("patient", [""])[0]
                matches = [r for r in stub.resources if r["resourceType"] == rtype
                           and (r.get("subject") or r.get("patient") or {}).get("reference") == f"Patient/{patient}"]
                page = int(query.get("_page", ["0"])[0])
                chunk = matches[page * stub.page_size:(page + 1) * stub.page_size]
                bundle: dict[str, Any] = {"resourceType": "Bundle", "type": "searchset", "total": len(matches),
                                          "entry": [{"fullUrl": f"{stub.base}/{r['resourceType']}/{r['id']}",
                                                     "resource": r, "search": {"mode": "match"}} for r in chunk]}
                if (page + 1) * stub.page_size < len(matches):
                    base = stub.next_base or stub.base
                    bundle["link"] = [{"relation": "next", "url": f"{base}/{rtype}?patient={patient}&_page={page + 1}"}]
                return self._send(200, bundle)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}/fhir"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class RunningService:
    """``trd serve``'s app on uvicorn in a thread, on a free loopback port."""

    def __init__(self, settings: ServeSettings) -> None:
        self.settings = settings
        self.app = create_app(settings, Service.start(settings))
        config = uvicorn.Config(self.app, host="127.0.0.1", port=settings.port, log_level="warning",
                                access_log=False, lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.05)
        self.url = settings.base_url

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def write_trust(directory: Path, key: SigningKey, jku_urls: list[str] = ()) -> Path:
    (directory / "ehr.jwks.json").write_text(json.dumps({"keys": [key.jwk]}))
    clients: list[dict[str, Any]] = [{"iss": ISSUER, "jwks_file": "ehr.jwks.json"}]
    if jku_urls:
        clients.append({"iss": JKU_ISSUER, "jku": list(jku_urls)})
    trust = directory / "trust.json"
    trust.write_text(json.dumps({"clients": clients, "algorithms": ["ES384", "RS384"], "clock_skew_seconds": 30,
                                 "max_token_lifetime_seconds": 600}))
    return trust


@dataclass
class Env:
    """One running service with its keys, FHIR stub and an HTTP client that signs every call."""

    service: RunningService
    key: SigningKey
    jku_key: SigningKey
    stub: FhirStub
    client: httpx.Client

    @property
    def url(self) -> str:
        return self.service.url

    def post(self, path: str, body: Any, token: str | None = "sign", **kw: Any) -> httpx.Response:
        headers = dict(kw.pop("headers", {}))
        if token == "sign":
            token = self.key.token(f"{self.url}{path}")
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        content = body if isinstance(body, (bytes, str)) else json.dumps(body)
        headers.setdefault("Content-Type", "application/json")
        return self.client.post(f"{self.url}{path}", content=content, headers=headers, **kw)

    def get(self, path: str, token: str | None = "sign") -> httpx.Response:
        headers = {}
        if token == "sign":
            token = self.key.token(f"{self.url}{path}")
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return self.client.get(f"{self.url}{path}", headers=headers)


@pytest.fixture(scope="package")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    directory = tmp_path_factory.mktemp("serve")
    key, jku_key = SigningKey.new("ehr-key-1"), SigningKey.new("other-key-1")
    stub = FhirStub(jwks={"keys": [jku_key.jwk]}).start()
    trust = write_trust(directory, key, [f"http://127.0.0.1:{stub.port}/jwks.json"])
    port = free_port()
    settings = ServeSettings(port=port, policy="default", as_of=AS_OF, trust_file=trust, data_dir=directory / "data",
                             fhir_servers=(stub.base,), fhir_time_limit=2.0, max_body_bytes=256 * 1024)
    service = RunningService(settings)
    with httpx.Client(timeout=30, trust_env=False) as client:
        yield Env(service, key, jku_key, stub, client)
    service.stop()
    stub.stop()
