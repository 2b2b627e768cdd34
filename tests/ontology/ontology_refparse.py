"""Parsing helpers for the clinical reference (imported by tests/ontology; no fixtures here)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RefDrug:
    """One row of clinical-reference table 2.1."""

    name: str
    class_name: str
    min_mg: float
    rxnorm: str | None
    atc: str


def section(text: str, start: str, end: str) -> str:
    """The part of a markdown document between two headings (or markers)."""
    return text.split(start, 1)[1].split(end, 1)[0]
