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

What an input holds is more than a graph: a FHIR import also says what it could not use as given
(:class:`InputData` ``issues``, typed :class:`~reasoner.fhir.records.DataIssue` records naming
their patient). They leave this seam with the graph, so every output lists them
(``Pipeline.assess(graph, issues=...)``): nothing the import dropped is visible only in a
separate report.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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


@dataclass
class InputData:
    """What inputs hold: the patient graph, and the data issues of their FHIR import (records
    that could not be used as given: each names its resource, what is wrong and what it did)."""

    graph: Graph
    issues: list[Any] = field(default_factory=list)  # reasoner.fhir.records.DataIssue
    reports: list[Any] = field(default_factory=list)  # reasoner.fhir.report.ImportReport, one per FHIR input


def read_input(path: Path | str, as_of: dt.date | str | None = None, policy: str | Path = "default") -> InputData:
    """One input path as a patient graph with its import's data issues (any kind of the module's
    table; ``policy``: the trial gap and default supply a FHIR import uses)."""
    path = Path(path)
    kind = input_kind(path)
    if kind in (FHIR, FHIR_BULK):
        from reasoner.fhir import load_patient_graph

        graph, report = load_patient_graph(path, as_of=as_of_date(as_of), policy=policy)
        return InputData(graph, report.issue_records(), [report])
    if kind == RDF_FOLDER:
        graph = Graph()
        for file in rdf_files(path):
            read_graph(file, graph)
        return InputData(graph)
    return InputData(read_graph(path))


def read_inputs(paths: Iterable[Path | str], as_of: dt.date | str | None = None,
                policy: str | Path = "default") -> InputData:
    """Several inputs merged into one patient graph (one report lists every patient's problems),
    with the data issues of all of them."""
    merged = InputData(Graph())
    for p in paths:
        one = read_input(p, as_of, policy)
        merged.graph += one.graph
        merged.issues.extend(one.issues)
        merged.reports.extend(one.reports)
    return merged


def load_input(path: Path | str, as_of: dt.date | str | None = None) -> Graph:
    """One input path as a patient graph (any kind of the module's table)."""
    return read_input(path, as_of).graph


def load_inputs(paths: Iterable[Path | str], as_of: dt.date | str | None = None) -> Graph:
    """Several inputs merged into one patient graph (one report lists every patient's problems).
    The import's data issues and the policy's import settings are not here: a command that shows
    results to a user reads :func:`read_inputs` (with its policy) and shows the issues too."""
    return read_inputs(paths, as_of).graph


__all__ = ["input_kind", "load_input", "load_inputs", "read_input", "read_inputs", "InputData", "rdf_files", "FHIR", "FHIR_BULK", "RDF", "RDF_FOLDER",
           "FHIR_SUFFIXES"]
