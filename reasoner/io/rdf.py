"""Safe reading of untrusted RDF: no network, no XML entity expansion, bounded size.

Patient graphs come from outside the project, so every parser is wrapped:

* JSON-LD whose ``@context`` names a remote document is refused (rdflib would fetch it);
* RDF/XML with a DTD or entity declaration is refused (rdflib uses plain expat, which
  expands entities: the billion-laughs attack of rdflib PR #3440);
* while a parser runs, an audit hook refuses any socket connection or URL open, so a code
  path we did not foresee still cannot reach the network;
* files larger than ``MAX_INPUT_BYTES`` (default 512 MiB, ``TRD_MAX_INPUT_BYTES``) are refused.

Every refusal is an :class:`~reasoner.errors.InputError` whose message names the file.
"""

from __future__ import annotations

import contextlib
import json
import re
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rdflib import Graph

from reasoner.config import MAX_INPUT_BYTES
from reasoner.errors import InputError


#: File suffix -> rdflib format name. Only these formats are accepted for patient graphs.
RDF_FORMATS: dict[str, str] = {
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".nt": "nt",
    ".ntriples": "nt",
    ".jsonld": "json-ld",
    ".json-ld": "json-ld",
    ".rdf": "xml",
    ".owl": "xml",
    ".xml": "xml",
}

#: rdflib format name -> pyoxigraph RdfFormat attribute name.
_OX_FORMATS: dict[str, str] = {"turtle": "TURTLE", "nt": "N_TRIPLES", "xml": "RDF_XML"}

_DTD = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)

# --- network guard -------------------------------------------------------------------------
_guard = threading.local()
_hook_installed = False
_BLOCKED_EVENTS = {"socket.connect", "socket.getaddrinfo", "urllib.Request", "http.client.connect"}


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event in _BLOCKED_EVENTS and getattr(_guard, "active", False):
        raise InputError(f"network access refused while reading untrusted input ({event})")


@contextlib.contextmanager
def no_network() -> Iterator[None]:
    """Refuse every socket connection and URL fetch made by this thread inside the block."""
    global _hook_installed
    if not _hook_installed:
        sys.addaudithook(_audit)
        _hook_installed = True
    previous = getattr(_guard, "active", False)
    _guard.active = True
    try:
        yield
    finally:
        _guard.active = previous


# --- helpers ---------------------------------------------------------------------------------
def rdf_format_for(path: Path | str) -> str | None:
    """The rdflib format name for a file, from its suffix; ``None`` when it is not RDF."""
    return RDF_FORMATS.get(Path(path).suffix.lower())


def _known_format(path: Path) -> str:
    """The rdflib format of a patient-graph file; any other suffix is refused, naming the file."""
    fmt = rdf_format_for(path)
    if fmt is None:
        raise InputError(f"{path}: unknown RDF file type (expected one of {', '.join(sorted(RDF_FORMATS))})")
    return fmt


def _read_bounded(path: Path) -> bytes:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    if size > MAX_INPUT_BYTES:
        raise InputError(f"{path}: {size} bytes is larger than the limit of {MAX_INPUT_BYTES} bytes")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from exc


def _remote_contexts(node: Any) -> list[str]:
    """Every ``@context`` value in a JSON-LD document that refers to another document."""
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "@context":
                items = value if isinstance(value, list) else [value]
                found.extend(item for item in items if isinstance(item, str))
                for item in items:
                    if isinstance(item, dict):
                        found.extend(_remote_contexts(item))
                        # "@import" (JSON-LD 1.1) also fetches a document.
                        if isinstance(item.get("@import"), str):
                            found.append(item["@import"])
            else:
                found.extend(_remote_contexts(value))
    elif isinstance(node, list):
        for item in node:
            found.extend(_remote_contexts(item))
    return found


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def check_rdf_bytes(data: bytes, fmt: str, name: str) -> None:
    """Refuse unsafe constructs before any parser sees the bytes."""
    if fmt == "xml" and _DTD.search(data):
        raise InputError(f"{name}: XML with a DTD or entity declaration is refused (never expanded)")


def parse_graph(data: bytes, fmt: str, name: str, graph: Graph | None = None) -> Graph:
    """Parse bytes of a known RDF format into an rdflib graph, safely."""
    check_rdf_bytes(data, fmt, name)
    graph = graph if graph is not None else Graph()
    try:
        with no_network():
            if fmt == "json-ld":
                try:
                    # NaN/Infinity are not JSON: refused, never turned into a float
                    doc = json.loads(data, parse_constant=_refuse_constant)
                except ValueError as exc:
                    raise InputError(f"{name}: not valid JSON ({exc})") from exc
                remote = _remote_contexts(doc)
                if remote:
                    raise InputError(f"{name}: remote JSON-LD context {remote[0]!r} is refused (never fetched)")
                graph.parse(data=json.dumps(doc, allow_nan=False), format="json-ld")
            else:
                graph.parse(data=data, format=fmt)
    except InputError:
        raise
    except Exception as exc:  # rdflib raises many parser-specific types
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"{name}: not valid {fmt} RDF ({first})") from exc
    return graph


def read_graph(path: Path | str, graph: Graph | None = None) -> Graph:
    """Read one RDF file (Turtle, N-Triples, JSON-LD, RDF/XML) into an rdflib graph."""
    path = Path(path)
    fmt = _known_format(path)
    return parse_graph(_read_bounded(path), fmt, str(path), graph)


def load_into_store(store: Any, path: Path | str, graph_name: Any = None) -> None:
    """Load one RDF file into a ``pyoxigraph.Store`` (fast path), with the same safety checks.

    JSON-LD goes through rdflib (after the context check) because Oxigraph reads only JSON-LD 1.0.
    """
    import pyoxigraph as ox

    path = Path(path)
    fmt = _known_format(path)
    data = _read_bounded(path)
    check_rdf_bytes(data, fmt, str(path))
    target = graph_name if graph_name is not None else ox.DefaultGraph()
    if fmt in _OX_FORMATS:
        try:
            store.bulk_load(data, format=getattr(ox.RdfFormat, _OX_FORMATS[fmt]), to_graph=target)
        except (SyntaxError, ValueError) as exc:
            raise InputError(f"{path}: not valid {fmt} RDF ({str(exc).splitlines()[0]})") from exc
        except MemoryError as exc:  # pyoxigraph's parser buffer: one token (a literal) over 16 MiB
            raise InputError(f"{path}: RDF term too large ({str(exc).splitlines()[0]}); "
                             "a literal must be under 16 MiB") from exc
        return
    g = parse_graph(data, fmt, str(path))
    store.bulk_load(g.serialize(format="nt").encode(), format=ox.RdfFormat.N_TRIPLES, to_graph=target)
