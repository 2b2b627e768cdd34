"""Shared, generic test helpers: repository paths, a Java skip marker, the loaded ontology, and
the network guard.

Only helpers every test folder may use live here; area-specific fixtures belong in the
area's own conftest.py.

The network guard (issue 16): an audit hook sees every socket connect, name lookup and UDP send
of this process; one that reaches beyond loopback fails the test that made it, even when the
code under test swallowed the error. Servers that tests start listen on loopback, so they pass.
A name lookup or connect attempted while the product's own guard is on (reasoner.io.rdf
``no_network``) is left to that guard, which refuses it before anything leaves the machine:
those refusals are what the unsafe-input tests check. Processes that tests spawn are outside the
hook; ``strace -f -e trace=connect`` over the whole suite covers them (notes/hardening.md).
"""

from __future__ import annotations

import ipaddress
import shutil
import socket
import sys
from pathlib import Path

import pytest
from rdflib import Graph

REPO: Path = Path(__file__).resolve().parent.parent
#: The project's own contracts (clinical reference, FHIR profile, output contract): what tests read.
DOCS: Path = REPO / "docs"

JAVA_SKIP_REASON = "Java runtime not found on PATH: HermiT/OWL API checks skipped (install a JDK to run them)"


def java_available() -> bool:
    """True when a ``java`` executable is on PATH."""
    return shutil.which("java") is not None


#: (event, address) of every refused network access since the last test began.
_NETWORK_ATTEMPTS: list[tuple[str, str]] = []


def _loopback(host: object) -> bool:
    """True for loopback addresses and names, and for no host at all (a local bind or lookup)."""
    if host in (None, "", b""):
        return True
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    name = str(host).split("%", 1)[0]
    if name.lower() in ("localhost", "ip6-localhost", "ip6-loopback"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _product_guard_on() -> bool:
    """Whether the product's own network guard is active on this thread (it refuses by itself)."""
    rdf = sys.modules.get("reasoner.io.rdf")
    return bool(rdf is not None and getattr(rdf._guard, "active", False))


def _network_audit(event: str, args: tuple) -> None:
    if event == "socket.connect" or event == "socket.sendto":
        sock, address = args[0], args[-1]
        if getattr(sock, "family", None) not in (socket.AF_INET, socket.AF_INET6):
            return   # AF_UNIX and the like stay on this machine
        host = address[0] if isinstance(address, tuple) else address
    elif event == "socket.getaddrinfo":
        host = args[0]
    else:
        return
    if _loopback(host) or _product_guard_on():
        return
    _NETWORK_ATTEMPTS.append((event, str(host)))
    raise ConnectionRefusedError(f"test network guard: {event} to {host!r} refused (tests stay on loopback)")


sys.addaudithook(_network_audit)


@pytest.fixture
def network_attempts() -> list[tuple[str, str]]:
    """The guard's record of refused accesses in this test (a test that wants one clears it)."""
    return _NETWORK_ATTEMPTS


@pytest.fixture(autouse=True)
def no_network_beyond_loopback() -> object:
    """Fail any test that tried to reach a non-loopback address (see module docstring)."""
    _NETWORK_ATTEMPTS.clear()
    yield
    if _NETWORK_ATTEMPTS:
        attempts = ", ".join(f"{event} {host}" for event, host in _NETWORK_ATTEMPTS)
        _NETWORK_ATTEMPTS.clear()
        pytest.fail(f"network access beyond loopback during the test: {attempts}")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``@pytest.mark.java`` (HermiT, OWL API) are skipped, with the reason, when
    there is no JVM. CI has Java, so they run there; a user without Java sees what was skipped."""
    if java_available():
        return
    skip = pytest.mark.skip(reason=JAVA_SKIP_REASON)
    for item in items:
        if item.get_closest_marker("java") is not None:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def ontology_graph() -> Graph:
    """The project ontology (ontology/trd.ttl), parsed once per test session. Do not mutate."""
    from reasoner.knowledge.loader import ontology_graph as load_ontology

    return load_ontology()


@pytest.fixture(scope="session")
def repo_dir() -> Path:
    """The repository root."""
    return REPO


@pytest.fixture(scope="session")
def docs_dir() -> Path:
    """``<repo>/docs``: the project's clinical reference, FHIR profile and output contract.

    Part of the repository, so tests that read them run in any clone. (The upstream copies in
    ``<repo>/../shared`` are read only by ``tests/docs/test_contract_sync.py``.)
    """
    return DOCS
