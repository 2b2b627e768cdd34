"""Untrusted RDF input is read safely: every file in unsafe/ is refused, every file in safe/ parses.

Each safe file encodes the same two triples in a different syntax, so the test also checks that
the four accepted formats agree. The refusal message must name the file (exit-code-2 contract).
"""

from __future__ import annotations

import socket
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

from reasoner.io import rdf as rdf_io
from reasoner.errors import InputError

HERE = Path(__file__).parent
UNSAFE = sorted((HERE / "unsafe").iterdir())
SAFE = sorted((HERE / "safe").iterdir())
PATIENT = URIRef("https://example.org/trd/pat-1")
TRD = "https://w3id.org/trd-reasoner/ontology#"


@pytest.mark.parametrize("path", UNSAFE, ids=lambda p: p.name)
def test_unsafe_or_broken_input_is_refused_with_the_file_named(path: Path) -> None:
    with pytest.raises(InputError) as info:
        rdf_io.read_graph(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize("path", UNSAFE, ids=lambda p: p.name)
def test_fast_path_refuses_the_same_inputs(path: Path) -> None:
    with pytest.raises(InputError):
        rdf_io.load_into_store(ox.Store(), path)


def test_entity_payload_is_never_expanded() -> None:
    with pytest.raises(InputError, match="DTD or entity"):
        rdf_io.read_graph(HERE / "unsafe" / "billion-laughs.rdf")


def test_remote_jsonld_context_is_refused_not_fetched() -> None:
    with pytest.raises(InputError, match="remote JSON-LD context 'https://schema.org/'"):
        rdf_io.read_graph(HERE / "unsafe" / "remote-context.jsonld")


@pytest.mark.parametrize("path", SAFE, ids=lambda p: p.name)
def test_safe_formats_parse_to_the_same_graph(path: Path) -> None:
    expected = Graph()
    expected.add((PATIENT, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), URIRef(TRD + "Patient")))
    expected.add((PATIENT, URIRef(TRD + "identifier"), Literal("pat-1")))
    assert isomorphic(rdf_io.read_graph(path), expected)


@pytest.mark.parametrize("path", SAFE, ids=lambda p: p.name)
def test_fast_path_loads_the_same_triples(path: Path) -> None:
    store = ox.Store()
    rdf_io.load_into_store(store, path)
    assert len(store) == 2


def test_unknown_suffix_is_refused(tmp_path: Path) -> None:
    odd = tmp_path / "patient.csv"
    odd.write_text("a,b\n")
    with pytest.raises(InputError, match="unknown RDF file type"):
        rdf_io.read_graph(odd)


def test_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    big = tmp_path / "big.ttl"
    big.write_text((HERE / "safe" / "patient.ttl").read_text())
    monkeypatch.setattr(rdf_io, "MAX_INPUT_BYTES", 10)
    with pytest.raises(InputError, match="larger than the limit"):
        rdf_io.read_graph(big)


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        rdf_io.read_graph(tmp_path / "absent.ttl")


def test_network_is_blocked_inside_the_guard() -> None:
    with rdf_io.no_network():
        with pytest.raises(InputError, match="network access refused"):
            socket.create_connection(("127.0.0.1", 9), timeout=0.1)
