"""Trusting CDS clients: the signed JWT that every call carries, verified with PyJWT.

Why this way (CDS Hooks 2.0 "Trusting CDS Clients"): a CDS client signs a short-lived JWT with its
private key for every call; the service checks it against the client's published JWK Set. The
checks, in order, each failure a 401 with a JSON body naming it:

- ``Authorization: Bearer <JWT>`` present; the JOSE header readable, ``typ`` JWT when given, ``kid``
  present;
- ``alg`` on the allow-list: asymmetric algorithms only. ``none`` and every ``HS*`` (a symmetric key
  shared with a public JWK Set would let anyone sign) are refused, whatever the trust file says;
- ``iss`` on the allow-list of the trust file, and the key from that client's JWK Set: a configured
  file, or the ``jku`` URL of the header when that exact URL is on the client's ``jku`` list (then
  fetched, bounded in time and size, and cached);
- the signature, ``aud`` equal to the URL of the endpoint called, ``exp`` and ``iat`` within a small
  clock skew, a lifetime no longer than the trust file allows, and ``jti`` never seen before
  within the token's lifetime (a replay cache in SQLite, so it holds across restarts and worker
  processes).

The trust file (JSON)::

    {"clients": [{"iss": "https://ehr.example.org", "jwks_file": "ehr.jwks.json",
                  "jku": ["https://ehr.example.org/.well-known/jwks.json"]}],
     "algorithms": ["ES384", "RS384"], "clock_skew_seconds": 60, "max_token_lifetime_seconds": 900}
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import jwt

from reasoner.config import MAX_CDS_FHIR_BYTES
from reasoner.errors import TrdError

#: Algorithms a CDS client may sign with (RFC 7518 asymmetric ones; the spec recommends ES384, RS384).
ASYMMETRIC_ALGORITHMS = ("ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "EdDSA")
#: How long a JWK Set fetched from a trusted ``jku`` URL is reused.
JKU_CACHE_SECONDS = 300.0
#: Time limit of one ``jku`` fetch.
JKU_TIMEOUT_SECONDS = 3.0


class TrustConfigError(TrdError):
    """The trust file cannot be used (a one-line message for ``trd serve``, exit 2)."""


class AuthError(Exception):
    """A call the service does not trust (401); the message says why, without secrets."""


@dataclass(frozen=True)
class TrustedClient:
    """One CDS client: its issuer, its JWK Set (from a file) and the ``jku`` URLs it may name."""

    iss: str
    jwks: dict[str, Any] | None = None
    jku: tuple[str, ...] = ()


@dataclass(frozen=True)
class TrustConfig:
    """The allow-lists of the service (from the trust file)."""

    clients: dict[str, TrustedClient]
    algorithms: tuple[str, ...] = ("ES384", "RS384")
    clock_skew_seconds: int = 60
    max_token_lifetime_seconds: int = 900

    @classmethod
    def load(cls, path: Path | str) -> "TrustConfig":
        """Read and check a trust file; a :class:`TrustConfigError` names what is wrong."""
        path = Path(path)
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise TrustConfigError(f"{path}: cannot read the trust file ({exc.strerror or exc})") from exc
        except ValueError as exc:
            raise TrustConfigError(f"{path}: the trust file is not valid JSON ({exc})") from exc
        if not isinstance(doc, dict) or not isinstance(doc.get("clients"), list) or not doc["clients"]:
            raise TrustConfigError(f"{path}: the trust file needs a non-empty 'clients' list")
        algorithms = doc.get("algorithms", list(cls.algorithms))
        if not isinstance(algorithms, list) or not algorithms:
            raise TrustConfigError(f"{path}: 'algorithms' must be a non-empty list")
        for alg in algorithms:
            if alg not in ASYMMETRIC_ALGORITHMS:
                raise TrustConfigError(f"{path}: algorithm {alg!r} is not allowed (asymmetric only: "
                                       f"{', '.join(ASYMMETRIC_ALGORITHMS)}; never none or HS*)")
        clients: dict[str, TrustedClient] = {}
        for n, entry in enumerate(doc["clients"]):
            where = f"{path}: clients[{n}]"
            if not isinstance(entry, dict) or not isinstance(entry.get("iss"), str) or not entry["iss"]:
                raise TrustConfigError(f"{where} needs an 'iss' string")
            jwks = None
            if entry.get("jwks_file") is not None:
                jwks_path = (path.parent / str(entry["jwks_file"])).resolve()
                try:
                    jwks = json.loads(jwks_path.read_text(encoding="utf-8"))
                except (OSError, ValueError) as exc:
                    raise TrustConfigError(f"{where}: cannot read the JWK Set {jwks_path} ({exc})") from exc
                problem = public_jwks_problem(jwks)
                if problem:
                    raise TrustConfigError(f"{where}: JWK Set {jwks_path}: {problem}")
            jku = entry.get("jku", [])
            if not isinstance(jku, list) or not all(isinstance(u, str) and u for u in jku):
                raise TrustConfigError(f"{where}: 'jku' must be a list of URLs")
            if jwks is None and not jku:
                raise TrustConfigError(f"{where} needs a 'jwks_file' or a 'jku' list")
            clients[entry["iss"]] = TrustedClient(entry["iss"], jwks, tuple(jku))
        skew = doc.get("clock_skew_seconds", cls.clock_skew_seconds)
        lifetime = doc.get("max_token_lifetime_seconds", cls.max_token_lifetime_seconds)
        for name, value in (("clock_skew_seconds", skew), ("max_token_lifetime_seconds", lifetime)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 0 or value > 86400:
                raise TrustConfigError(f"{path}: {name} must be a whole number of seconds (0–86400)")
        return cls(clients, tuple(algorithms), skew, lifetime)


def public_jwks_problem(jwks: Any) -> str | None:
    """Why a JWK Set cannot verify client signatures (None when it can): it must hold public
    asymmetric keys only, never a private key or a symmetric (``oct``) secret."""
    if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list) or not jwks["keys"]:
        return "not a JWK Set (no 'keys' list)"
    for key in jwks["keys"]:
        if not isinstance(key, dict) or key.get("kty") not in ("RSA", "EC", "OKP"):
            return "only RSA, EC and OKP public keys are accepted"
        if "d" in key:
            return "holds a private key"
    return None


class ReplayCache:
    """``jti`` values seen within their token's lifetime, in SQLite (shared by worker processes,
    kept across restarts). A row is dropped once its token has expired."""

    def __init__(self, path: Path | str) -> None:
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), check_same_thread=False, timeout=10, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS seen_jti (iss TEXT NOT NULL, jti TEXT NOT NULL, "
                         "expires REAL NOT NULL, PRIMARY KEY (iss, jti))")
        self._next_purge = 0.0

    def first_use(self, iss: str, jti: str, expires: float) -> bool:
        """Record a token id; False when it was already used (a replay)."""
        now = time.time()
        with self._lock:
            if now >= self._next_purge:
                self._db.execute("DELETE FROM seen_jti WHERE expires < ?", (now,))
                self._next_purge = now + 60
            try:
                self._db.execute("INSERT INTO seen_jti VALUES (?, ?, ?)", (iss, jti, expires))
            except sqlite3.IntegrityError:
                return False
        return True

    def close(self) -> None:
        with self._lock:
            self._db.close()


@dataclass
class _JkuCache:
    sets: dict[str, tuple[float, dict[str, Any]]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _fetch_jwks(url: str) -> dict[str, Any]:
    """A JWK Set from a trusted ``jku`` URL: no redirects, no proxies from the environment,
    bounded in time and size."""
    try:
        with httpx.Client(timeout=JKU_TIMEOUT_SECONDS, follow_redirects=False, trust_env=False) as client:
            with client.stream("GET", url, headers={"Accept": "application/json"}) as response:
                if response.status_code != 200:
                    raise AuthError(f"the JWK Set at the trusted jku answered HTTP {response.status_code}")
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > MAX_CDS_FHIR_BYTES:
                        raise AuthError("the JWK Set at the trusted jku is too large")
    except httpx.HTTPError as exc:
        raise AuthError(f"the JWK Set at the trusted jku could not be read ({type(exc).__name__})") from exc
    try:
        jwks = json.loads(bytes(body))
    except ValueError as exc:
        raise AuthError("the JWK Set at the trusted jku is not JSON") from exc
    problem = public_jwks_problem(jwks)
    if problem:
        raise AuthError(f"the JWK Set at the trusted jku is unusable: {problem}")
    return jwks


class Verifier:
    """Checks the bearer JWT of a call (see the module docstring)."""

    def __init__(self, trust: TrustConfig, replay: ReplayCache) -> None:
        self.trust = trust
        self.replay = replay
        self._jku = _JkuCache()

    def _jku_set(self, url: str) -> dict[str, Any]:
        now = time.monotonic()
        with self._jku.lock:
            cached = self._jku.sets.get(url)
            if cached and cached[0] > now:
                return cached[1]
        jwks = _fetch_jwks(url)
        with self._jku.lock:
            self._jku.sets[url] = (now + JKU_CACHE_SECONDS, jwks)
        return jwks

    def verify(self, authorization: str | None, audiences: list[str]) -> dict[str, Any]:
        """The verified claims of the call's token; :class:`AuthError` when it is not trusted."""
        if not authorization:
            raise AuthError("missing Authorization header (Bearer JWT)")
        scheme, _, token = authorization.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise AuthError("the Authorization header is not 'Bearer <JWT>'")
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError as exc:
            raise AuthError(f"the token is not a readable JWT ({type(exc).__name__})") from exc
        alg = header.get("alg")
        if alg not in self.trust.algorithms:
            raise AuthError(f"algorithm {alg!r} is not accepted (accepted: {', '.join(self.trust.algorithms)})")
        if header.get("typ") not in (None, "JWT"):
            raise AuthError("the JWT header 'typ' is not JWT")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise AuthError("the JWT header has no 'kid'")
        iss = unverified.get("iss")
        client = self.trust.clients.get(iss) if isinstance(iss, str) else None
        if client is None:
            raise AuthError("the token's issuer (iss) is not trusted")
        jku = header.get("jku")
        if jku is not None:
            if jku not in client.jku:
                raise AuthError("the token's jku is not on the issuer's trusted list")
            jwks = self._jku_set(jku)
        elif client.jwks is not None:
            jwks = client.jwks
        else:
            raise AuthError("the issuer's keys come from its jku, and the token names none")
        jwk = next((k for k in jwks["keys"] if k.get("kid") == kid), None)
        if jwk is None:
            raise AuthError("no key of the issuer's JWK Set has the token's kid")
        if jwk.get("alg") not in (None, alg):
            raise AuthError("the token's algorithm does not match its key")
        try:
            key = jwt.PyJWK(jwk, algorithm=alg)
            claims = jwt.decode(token, key.key, algorithms=[alg], audience=audiences, issuer=iss,
                                leeway=self.trust.clock_skew_seconds,
                                options={"require": ["iss", "aud", "exp", "iat", "jti"]})
        except jwt.ExpiredSignatureError as exc:
            raise AuthError("the token has expired") from exc
        except jwt.InvalidAudienceError as exc:
            raise AuthError("the token's audience (aud) is not this endpoint") from exc
        except jwt.ImmatureSignatureError as exc:
            raise AuthError("the token was issued in the future (iat)") from exc
        except jwt.MissingRequiredClaimError as exc:
            raise AuthError(f"the token lacks the '{exc.claim}' claim") from exc
        except jwt.InvalidSignatureError as exc:
            raise AuthError("the token's signature does not verify") from exc
        except jwt.PyJWTError as exc:
            raise AuthError(f"the token is not valid ({type(exc).__name__})") from exc
        lifetime = float(claims["exp"]) - float(claims["iat"])
        if lifetime > self.trust.max_token_lifetime_seconds:
            raise AuthError(f"the token lives longer than {self.trust.max_token_lifetime_seconds} s")
        jti = claims["jti"]
        if not isinstance(jti, str) or not jti:
            raise AuthError("the token's jti is not a string")
        if not self.replay.first_use(iss, jti, float(claims["exp"]) + self.trust.clock_skew_seconds):
            raise AuthError("the token was already used (jti replay)")
        return claims


__all__ = ["ASYMMETRIC_ALGORITHMS", "AuthError", "TrustConfig", "TrustConfigError", "TrustedClient", "ReplayCache",
           "Verifier", "public_jwks_problem"]
