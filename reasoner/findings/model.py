"""The result model: what ``trd assess`` tells about each patient, as pydantic models.

Why: one definition of the output, from which the JSON Schema users validate against is
generated (``docs/schema/assess-output.schema.json``, committed; ``python -m
reasoner.findings.model`` writes it, and a test fails when the committed file is stale), and
which typed consumers (renderers, services) read. The findings reader
(:mod:`reasoner.findings.read`) produces plain dicts of this shape on the hot path;
:meth:`Document.model_validate` turns them into these objects, and the tests validate every JSON
output (single documents and cohort JSON Lines) against the committed schema.

Codes (statuses, reasons, outcomes, causes, mechanisms, options) are the stable codes of
docs/clinical-reference.md §1, read from the ontology's ``skos:notation``s; the schema checks
their form, the ontology their values (tests/findings/test_model.py). More keys than these are
allowed, as the contract says.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from reasoner.config import HOME

Code = Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", description="a stable code of clinical-reference §1")]
Date = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$", description="a calendar date YYYY-MM-DD")]
Number = Union[int, float]
Scalar = Union[bool, int, float, str]


class _Open(BaseModel):
    """Every object of the document: more keys than the contract's are allowed."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)


class DataEvidence(_Open):
    """A datum a finding was derived from: a record of the patient, a policy setting, a finding."""

    kind: Literal["data"]
    id: str = Field(description="the record's identifier, or a short form of its IRI")
    value: Scalar | None = None
    date: str | None = None
    resource: str | None = Field(None, description="the FHIR resource it came from (Type/id)")


class RuleEvidence(_Open):
    """The rule that produced a finding: its query file and the published source it follows."""

    kind: Literal["rule"]
    rule: str = Field(description="the rule's query file, e.g. queries/infer/trd-status.rq")
    source: str


Evidence = Annotated[Union[DataEvidence, RuleEvidence], Field(discriminator="kind")]


class DataIssue(_Open):
    """A problem in the input: a shape the data violates, or a record used with an assumption or
    left out; it names the record and says what it did to the assessment."""

    severity: Literal["violation", "warning", "info"]
    focusNode: str | None = None
    message: str
    path: str | None = None
    value: str | None = None
    resource: str | None = Field(None, description="the input record it is about, e.g. MedicationStatement/abc")
    source: str | None = None
    effect: str | None = Field(None, description="what the problem did to the assessment")
    kind: str | None = Field(None, description="a short stable name of the problem (bad date, dose unknown, "
                                                "unreadable line …), what cohort summaries count")


class TrdStatus(_Open):
    """TRD in the current episode (clinical-reference §4)."""

    status: Code
    failedAdequateTrials: int = Field(ge=0)
    distinctFailedClasses: int = Field(ge=0)
    evidence: list[Evidence]


class Maudsley(_Open):
    """The Maudsley Staging Method score and its band."""

    score: int
    band: str | None


class Stages(_Open):
    """Thase–Rush (0–5), Maudsley (``null`` when no adequate trial failed) and MGH-S."""

    thaseRush: int | None = Field(ge=0, le=5)
    maudsley: Maudsley | None
    mghS: Number | None
    evidence: list[Evidence] | None = None


class Trial(_Open):
    """One antidepressant trial with its adequacy and outcome."""

    id: str
    drug: str | None = Field(description="the lower-case ingredient name")
    rxnorm: str | None
    class_: str | None = Field(alias="class", description="the class name of the reference table")
    start: Date | None
    end: Date | None
    dailyDoseMg: Number | None
    weeksAtAdequateDose: Number | None
    adherence: Number | None
    adequacy: Code | None
    reasons: list[Code]
    outcome: Code | None
    failed: bool
    evidence: list[Evidence]


class PseudoResistance(_Open):
    """A pseudo-resistance cause with its matched actions (clinical-reference §5)."""

    code: Code
    actions: list[Code]
    evidence: list[Evidence]


class Mechanism(_Open):
    """A mechanism flagged or implied, with the processes of its chain (clinical-reference §6)."""

    code: Code
    via: list[str]
    evidence: list[Evidence]


class Option(_Open):
    """A treatment option with its one status (clinical-reference §7)."""

    code: Code
    status: Code
    reason: str | None = None
    missingCriterion: str | None = None
    evidence: list[Evidence]


class Patient(_Open):
    """Everything the reasoner says about one patient."""

    id: str
    trd: TrdStatus | None
    stages: Stages
    trials: list[Trial]
    pseudoResistance: list[PseudoResistance]
    mechanisms: list[Mechanism]
    options: list[Option]
    dataIssues: list[DataIssue]


class UnassessedEntry(_Open):
    """A JSON Lines entry that is not an assessed patient: a patient the pipeline could not
    assess (``trd.status`` ``error``), or the ``"(unattributed)"`` line carrying the data issues of
    records that belong to no patient."""

    id: str
    trd: dict[Literal["status"], Literal["error"]] | None = None
    trials: list[Trial] = Field(default_factory=list, max_length=0)
    pseudoResistance: list[PseudoResistance] = Field(default_factory=list, max_length=0)
    mechanisms: list[Mechanism] = Field(default_factory=list, max_length=0)
    options: list[Option] = Field(default_factory=list, max_length=0)
    dataIssues: list[DataIssue]


class Document(_Open):
    """The JSON document of ``trd assess --format json``."""

    asOf: Date
    policy: str
    patients: list[Patient]
    dataIssues: list[DataIssue] | None = Field(
        None, description="issues of records that belong to no patient (present only when there are some)")


SCHEMA_FILE: Path = HOME / "docs" / "schema" / "assess-output.schema.json"
JSONL_SCHEMA_FILE = SCHEMA_FILE.with_name("patients-jsonl-line.schema.json")


def document_schema() -> dict:
    """The JSON Schema of the document (draft 2020-12, as pydantic writes it)."""
    schema = Document.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://w3id.org/trd-reasoner/schema/assess-output.schema.json"
    return schema


def jsonl_line_schema() -> dict:
    """The JSON Schema of one line of a cohort run's ``patients.jsonl``."""
    schema = TypeAdapter(Union[Patient, UnassessedEntry]).json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://w3id.org/trd-reasoner/schema/patients-jsonl-line.schema.json"
    schema["title"] = "CohortLine"
    return schema


def schema_text(schema: dict) -> str:
    """The committed form of a schema (stable key order, one trailing newline)."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n"


def write_schemas() -> list[Path]:
    """Write both schemas next to the docs (what ``python -m reasoner.findings.model`` does)."""
    SCHEMA_FILE.parent.mkdir(parents=True, exist_ok=True)
    SCHEMA_FILE.write_text(schema_text(document_schema()), encoding="utf-8")
    JSONL_SCHEMA_FILE.write_text(schema_text(jsonl_line_schema()), encoding="utf-8")
    return [SCHEMA_FILE, JSONL_SCHEMA_FILE]


__all__ = ["Document", "Patient", "UnassessedEntry", "Trial", "TrdStatus", "Stages", "Maudsley", "PseudoResistance",
           "Mechanism", "Option", "DataIssue", "DataEvidence", "RuleEvidence", "document_schema", "jsonl_line_schema",
           "write_schemas", "SCHEMA_FILE", "JSONL_SCHEMA_FILE"]


if __name__ == "__main__":  # pragma: no cover - a maintenance command
    for written in write_schemas():
        sys.stdout.write(f"wrote {written}\n")
