"""The one result of validation, whichever validator ran: the verdict, flat records, the report graph.

Why flat records: the two validators (pySHACL, the compiled fast one) must be compared result by
result, and every output (text report, JSON ``dataIssues``, cohort counts) needs the same few
fields. A record is made from the terms of a SHACL result, and records are sorted in one fixed
order, so the same data gives the same list from either validator.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from rdflib import BNode, Graph, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from reasoner.knowledge.namespaces import SH

#: Severity IRI -> the short name used in text and JSON output.
SEVERITY_NAMES: dict[URIRef, str] = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}


@dataclass(frozen=True)
class ResultRecord:
    """One SHACL validation result, flattened for printing and for comparing validators."""

    focus_node: str
    severity: str
    source_shape: str
    constraint_component: str
    path: str | None = None
    value: str | None = None
    messages: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form (same keys as the text report)."""
        return {
            "focusNode": self.focus_node, "path": self.path, "value": self.value,
            "severity": self.severity, "message": " ".join(self.messages),
            "sourceShape": self.source_shape, "constraintComponent": self.constraint_component,
        }

    def as_issue(self) -> dict[str, Any]:
        """The record as a data issue of the findings (severity in lower case, message joined)."""
        return {"severity": self.severity.lower(), "focusNode": self.focus_node,
                "message": " ".join(self.messages) or self.constraint_component,
                "path": self.path, "value": self.value}


@dataclass
class Validation:
    """What a validator said about the asserted + derived data of a workspace."""

    conforms: bool
    records: list[ResultRecord] = field(default_factory=list)
    #: the SHACL validation report graph, when the caller asked for it
    report: Graph | None = None

    @property
    def violations(self) -> list[ResultRecord]:
        return [r for r in self.records if r.severity == "Violation"]

    @property
    def issues(self) -> list[dict[str, Any]]:
        """The records as data issues (``ResultRecord.as_issue``), in record order."""
        return [r.as_issue() for r in self.records]


def _term_text(node: Node | None) -> str | None:
    if node is None:
        return None
    if isinstance(node, BNode):
        return "_:" + str(node)
    return str(node)


def result_record(focus: Node | None, severity: Node | None, shape: Node | None, component: Node | None,
                  path: Node | None, value: Node | None, messages: Iterable[Node]) -> ResultRecord:
    """One flat record from the terms of a SHACL result (messages: distinct terms, any order)."""
    return ResultRecord(
        focus_node=_term_text(focus) or "",
        severity=SEVERITY_NAMES.get(severity, str(severity)),  # type: ignore[arg-type]
        source_shape=_term_text(shape) or "",
        constraint_component=_term_text(component) or "",
        path=_term_text(path),
        value=_term_text(value),
        messages=tuple(sorted(str(m) for m in messages)),
    )


def sort_records(records: Iterable[ResultRecord]) -> list[ResultRecord]:
    """The records in one fixed order (the same for both validators and both ways of reading)."""
    # None sorts before text, so records with and without a path or value never compare None to str.
    return sorted(records, key=lambda r: tuple((v is not None, v) for v in (
        r.focus_node, r.severity, r.source_shape, r.constraint_component, r.path, r.value, r.messages)))


def results_from_report(report: Graph) -> list[ResultRecord]:
    """Flatten a SHACL report graph into sorted records (the same for both validators)."""
    return sort_records(
        result_record(report.value(r, SH.focusNode), report.value(r, SH.resultSeverity),
                      report.value(r, SH.sourceShape), report.value(r, SH.sourceConstraintComponent),
                      report.value(r, SH.resultPath), report.value(r, SH.value),
                      report.objects(r, SH.resultMessage))
        for r in report.subjects(RDF.type, SH.ValidationResult))


__all__ = ["SEVERITY_NAMES", "ResultRecord", "Validation", "result_record", "sort_records", "results_from_report"]
