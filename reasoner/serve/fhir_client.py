"""Fetching what the prefetch did not carry from the CDS client's FHIR server (CDS Hooks "FHIR
Resource Access"), and nothing else.

Why so narrow: the bearer token of ``fhirAuthorization`` grants access to patient records; it is
sent only to the ``fhirServer`` of the same request, and only when that server is on the service's
list of FHIR servers (``trd serve --fhir-server``), so a caller cannot turn the service against
another host. Every URL fetched, ``Bundle.link`` next pages included, must lie under that base URL.
No redirects are followed and no proxy is taken from the environment. The whole fetch has one time
limit, and every page a size limit. The token is never logged or put into an error message.
"""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from reasoner.config import MAX_CDS_FHIR_BYTES
from reasoner.fhir.reader import FULL_URL_KEY

#: Search pages followed for one prefetch template at most.
MAX_PAGES = 100


class FhirFetchError(Exception):
    """The FHIR server could not give the data (the service answers 412, naming why)."""


def normalise_base(url: str) -> str:
    """A base URL compared as the service compares them: no trailing slash."""
    return url.strip().rstrip("/")


def under_base(url: str, base: str) -> bool:
    """True when ``url`` is on the same scheme, host and port as ``base`` and below its path."""
    u, b = urlsplit(url), urlsplit(base)
    if (u.scheme, u.netloc.lower()) != (b.scheme, b.netloc.lower()):
        return False
    base_path = b.path.rstrip("/")
    return u.path == base_path or u.path.startswith(base_path + "/")


class FhirClient:
    """Reads and searches on one FHIR server with one bearer token, under one deadline."""

    def __init__(self, base_url: str, access_token: str, time_limit_s: float,
                 max_bytes: int = MAX_CDS_FHIR_BYTES, max_pages: int = MAX_PAGES) -> None:
        self.base = normalise_base(base_url)
        if urlsplit(self.base).scheme not in ("http", "https"):
            raise FhirFetchError("fhirServer is not an http(s) URL")
        self._token = access_token
        self._deadline = time.monotonic() + time_limit_s
        self._time_limit = time_limit_s
        self._max_bytes = max_bytes
        self._max_pages = max_pages
        self._client = httpx.Client(follow_redirects=False, trust_env=False)
        self.requests = 0

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> "FhirClient":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def _get(self, url: str) -> dict[str, Any] | None:
        """One GET under the base URL; the JSON body, or None for 404/410 (no such resource)."""
        if not under_base(url, self.base):
            raise FhirFetchError("a link of the FHIR server points outside fhirServer; not followed")
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise FhirFetchError(f"the FHIR server did not answer within {self._time_limit:g} s")
        self.requests += 1
        headers = {"Authorization": f"Bearer {self._token}", "Accept": "application/fhir+json"}
        try:
            with self._client.stream("GET", url, headers=headers, timeout=remaining) as response:
                if response.status_code in (404, 410):
                    return None
                if response.status_code != 200:
                    raise FhirFetchError(f"the FHIR server answered HTTP {response.status_code}")
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > self._max_bytes:
                        raise FhirFetchError(f"a FHIR server page is larger than {self._max_bytes} bytes")
                    if time.monotonic() > self._deadline:
                        raise FhirFetchError(f"the FHIR server did not answer within {self._time_limit:g} s")
        except httpx.TimeoutException as exc:
            raise FhirFetchError(f"the FHIR server did not answer within {self._time_limit:g} s") from exc
        except httpx.HTTPError as exc:
            raise FhirFetchError(f"the FHIR server could not be reached ({type(exc).__name__})") from exc
        try:
            doc = json.loads(bytes(body))
        except (ValueError, RecursionError) as exc:
            raise FhirFetchError("the FHIR server's answer is not JSON") from exc
        if not isinstance(doc, dict) or not isinstance(doc.get("resourceType"), str):
            raise FhirFetchError("the FHIR server's answer is not a FHIR resource")
        return doc

    def fetch(self, relative: str) -> list[dict[str, Any]]:
        """The resources of a read (``Patient/123``) or search (``Condition?patient=123``),
        following ``Bundle.link`` next pages; an OperationOutcome answer is an error."""
        url = f"{self.base}/{relative.lstrip('/')}"
        out: list[dict[str, Any]] = []
        pages = 0
        while url:
            doc = self._get(url)
            if doc is None:
                return out
            if doc["resourceType"] == "OperationOutcome":
                raise FhirFetchError(f"the FHIR server answered an OperationOutcome for {relative.split('?')[0]}")
            if doc["resourceType"] != "Bundle":
                out.append(doc)
                return out
            out.extend(bundle_resources(doc, "fhirServer"))
            pages += 1
            url = next_link(doc, url)
            if url and pages >= self._max_pages:
                raise FhirFetchError(f"more than {self._max_pages} search pages for {relative.split('?')[0]}")
        return out


class NotFhir(ValueError):
    """Data given as FHIR that is not (the service answers 400, naming where)."""


def bundle_resources(bundle: dict[str, Any], where: str) -> list[dict[str, Any]]:
    """The resources of a Bundle's entries, each carrying its entry's ``fullUrl`` (so that
    ``urn:uuid:`` references resolve), leaving out search-outcome entries (OperationOutcome)."""
    entries = bundle.get("entry") or []
    if not isinstance(entries, list):
        raise NotFhir(f"{where}: Bundle.entry is not a list")
    out = []
    for n, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise NotFhir(f"{where}: Bundle.entry[{n}] is not an object")
        resource = entry.get("resource")
        if resource is None:
            continue
        if not isinstance(resource, dict) or not isinstance(resource.get("resourceType"), str):
            raise NotFhir(f"{where}: Bundle.entry[{n}].resource is not a FHIR resource")
        if resource["resourceType"] == "OperationOutcome":
            continue
        resource = dict(resource)
        if isinstance(entry.get("fullUrl"), str):
            resource[FULL_URL_KEY] = entry["fullUrl"]
        out.append(resource)
    return out


def next_link(bundle: dict[str, Any], current: str) -> str | None:
    """The absolute URL of a Bundle's ``next`` page, if any."""
    links = bundle.get("link")
    if not isinstance(links, list):
        return None
    for link in links:
        if isinstance(link, dict) and link.get("relation") == "next" and isinstance(link.get("url"), str):
            return urljoin(current, link["url"])
    return None


__all__ = ["FhirClient", "FhirFetchError", "NotFhir", "bundle_resources", "next_link", "normalise_base", "under_base"]
