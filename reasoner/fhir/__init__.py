"""FHIR R4 import: Bundles and Bulk Data exports -> patient graphs (docs/data-model.md §6).

Contract: ``docs/fhir-profile.md``. Stable Python API (used by validation, assess and the
cohort runner)::

    from reasoner.fhir import load_patient_graph, iter_resources, resources_to_graph

    graph, report = load_patient_graph("export/")        # Bundle file, NDJSON file or Bulk folder
    for resource in iter_resources("export/"):            # lazy stream of resource dicts
        ...
    graph, report = resources_to_graph(resources_of_one_patient, as_of=date(2026, 1, 15))
    ntriples, report, _ = resources_to_ntriples(resources_of_one_patient, as_of=...)  # no rdflib store

``report`` is an :class:`~reasoner.fhir.report.ImportReport` (pydantic): per resource type the
counts read / mapped / notRelevant / issues (``read == mapped + notRelevant + issues``), every
resource not mapped with its id, reason and category, and every data issue (with the patient it
belongs to, what is wrong and what it did to the assessment): ``report.issue_records()`` are what
``trd assess`` lists in ``dataIssues``. Unreadable input raises
:class:`~reasoner.errors.InputError` (exit code 2) naming the file.

The conversion has one seam: resources -> typed records (:mod:`reasoner.fhir.records`, one
:class:`~reasoner.fhir.records.PatientRecords` per patient, ``Importer.records()``) -> triples
(:mod:`reasoner.fhir.triples`). Everything that understands FHIR is before the seam.

Node IRIs are ``https://w3id.org/trd-reasoner/fhir/<ResourceType>/<id>`` (the id percent-encoded;
``trd:identifier`` and ``trd:sourceResource`` keep it as given); a trial is the IRI of its
first statement/order plus ``/trial``; each statement/order of an antidepressant is a
``trd:DosePeriod``; other medications are ``trd:MedicationUse`` nodes. Every node carries
``trd:sourceResource "<Type>/<id>"``. Code lookup tables are built once per process from the
ontology's ``oboInOwl:hasDbXref`` strings (see :mod:`reasoner.fhir.codes`), so the per-patient call
is cheap. Bundle entries carry their ``fullUrl`` in the private key ``_fullUrl`` of the resource
dict yielded by ``iter_resources``, so that ``urn:uuid:`` references resolve when those dicts are
passed to ``resources_to_graph``. A broken NDJSON line is yielded as a placeholder
``{"resourceType": <file's type>, "_unreadable": "<file>:<line>: why"}`` (with ``"_patient"`` when
the broken text still names its patient), which the importer reports as a data issue
("unreadable line", ``source`` ``<file>:<line>``); a file with no readable resource raises
InputError.

Terms this importer relies on are in the ontology like every other term (data-model §4, §6): units
for doses and adherence, ``trd:MedicationUse``, ``trd:doseFormUnit``, the "gene studied" code.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reasoner.fhir.reader import iter_resources

if TYPE_CHECKING:
    from collections.abc import Iterable

    from rdflib import Graph

    from reasoner.fhir.context import ImportContext
    from reasoner.fhir.report import ImportReport


def resources_to_graph(resources: "Iterable[dict[str, Any]]", as_of: dt.date | None = None,
                       ctx: "ImportContext | None" = None) -> "tuple[Graph, ImportReport]":
    """One graph and report for a patient's (or a group's) resources (lookup tables are cached;
    ``ctx``: another context, e.g. ``get_context(policy=...)``)."""
    from reasoner.fhir.convert import resources_to_graph as convert

    return convert(resources, as_of=as_of, ctx=ctx)


def resources_to_ntriples(resources: "Iterable[dict[str, Any]]", as_of: dt.date | None = None,
                          shared: "Iterable[dict[str, Any]]" = (), ctx: "ImportContext | None" = None,
                          ) -> "tuple[bytes, ImportReport, set[str]]":
    """The same conversion as N-Triples bytes, skipping rdflib's store: for pipelines that load
    the result into Oxigraph (the cohort runner), where building a Graph only to serialise it
    would double the cost. ``shared``: copies of resources that belong to no patient (Medication)
    handed in beside the group, counted elsewhere; the keys of those used come back too."""
    from reasoner.fhir.convert import resources_to_ntriples as convert

    return convert(resources, as_of=as_of, shared=shared, ctx=ctx)


def load_patient_graph(path: Path | str, as_of: dt.date | None = None,
                       policy: str | Path = "default") -> "tuple[Graph, ImportReport]":
    """Read a Bundle, NDJSON file or Bulk Data folder into one graph of all its patients (the
    policy gives the trial gap and the default supply of an order)."""
    from reasoner.fhir.context import get_context
    from reasoner.fhir.convert import Importer, new_graph
    from reasoner.fhir.reader import iter_resources_with_lines, bulk_files

    importer = Importer(get_context(policy=policy), as_of=as_of)
    for resource, line in iter_resources_with_lines(path):
        importer.feed(resource, line)
    graph = new_graph()
    for _ in importer.patients(into=graph):
        pass
    report = importer.report
    report.source = str(path)
    if Path(path).is_dir():
        report.skippedFiles = [str(p) for p in bulk_files(Path(path))[1]]
    return graph, report


__all__ = ["iter_resources", "load_patient_graph", "resources_to_graph", "resources_to_ntriples"]
