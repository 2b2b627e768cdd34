"""The one input seam: what a path holds, and which reader reads it.

Every command (``assess``, ``validate``, ``explain``, ``query``) and the cohort runner ask here,
so a path is understood the same way everywhere:

| a path that is                                   | kind          | read by                                   |
|--------------------------------------------------|---------------|-------------------------------------------|
| a folder holding ``*.ndjson`` files              | ``fhir-bulk`` | the FHIR importer (:mod:`reasoner.fhir`)  |
| a ``.json`` file (a Bundle or one resource)      | ``fhir``      | the FHIR importer                         |
| an ``.ndjson`` file                              | ``fhir``      | the FHIR importer                         |
| a Turtle/N-Triples/JSON-LD/RDF-XML file          | ``rdf``       | the safe RDF reader (:mod:`reasoner.io.rdf`) |
| a folder of Turtle/N-Triples files (recursively) | ``rdf-folder``| the safe RDF reader, file by file         |

Which files of a Bulk folder hold resources is :func:`reasoner.fhir.reader.bulk_files`, the same
rule in single and cohort mode. ``as_of`` is the evaluation date: FHIR orders and statements
without an end are ongoing up to it (fhir-profile), so the import uses the date of the assessment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from rdflib import Graph

from reasoner.errors import InputError
from reasoner.fhir.reader import is_bulk_folder
from reasoner.io.rdf import RDF_FORMATS, read_graph
from reasoner.knowledge.policy import as_of_date

FHIR_BULK = "fhir-bulk"
FHIR = "fhir"
RDF = "rdf"
RDF_FOLDER = "rdf-folder"

#: Input suffixes that are FHIR JSON (a Bundle, a resource, Bulk NDJSON), not RDF.
FHIR_SUFFIXES = frozenset({".json", ".ndjson"})
#: RDF syntaxes read from a folder (the streaming ones; other syntaxes: give the files).
FOLDER_RDF_SUFFIXES = frozenset({".ttl", ".turtle", ".nt", ".ntriples"})


def rdf_files(folder: Path) -> list[Path]:
    """The patient-graph files of a folder (searched recursively), sorted."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in FOLDER_RDF_SUFFIXES)


def input_kind(path: Path | str) -> str:
    """What a path holds (see the module's table); InputError naming the path otherwise."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file or directory")
    if path.is_dir():
        if is_bulk_folder(path):
            return FHIR_BULK
        if rdf_files(path):
            return RDF_FOLDER
        raise InputError(f"{path}: no Bulk FHIR NDJSON files and no Turtle/N-Triples files in this folder")
    suffix = path.suffix.lower()
    if suffix in FHIR_SUFFIXES:
        return FHIR
    if suffix in RDF_FORMATS:
        return RDF
    raise InputError(f"{path}: unknown input type (expected FHIR .json/.ndjson, a Bulk folder, or RDF: "
                     f"{', '.join(sorted(RDF_FORMATS))})")


def load_input(path: Path | str, as_of: dt.date | str | None = None) -> Graph:
    """One input path as a patient graph (any kind of the module's table)."""
    path = Path(path)
    kind = input_kind(path)
    if kind in (FHIR, FHIR_BULK):
        from reasoner.fhir import load_patient_graph

        graph, _report = load_patient_graph(path, as_of=as_of_date(as_of))
        return graph
    if kind == RDF_FOLDER:
        graph = Graph()
        for file in rdf_files(path):
            read_graph(file, graph)
        return graph
    return read_graph(path)


def load_inputs(paths: Iterable[Path | str], as_of: dt.date | str | None = None) -> Graph:
    """Several inputs merged into one patient graph (one report lists every patient's problems)."""
    merged = Graph()
    for p in paths:
        merged += load_input(p, as_of)
    return merged


__all__ = ["input_kind", "load_input", "load_inputs", "rdf_files", "FHIR", "FHIR_BULK", "RDF", "RDF_FOLDER",
           "FHIR_SUFFIXES"]
