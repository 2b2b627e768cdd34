"""The CDS Hooks 2.0 messages as pydantic models, written from the specification.

Why written here: there is no maintained Python CDS Hooks library, and the service must accept what
EHRs send and answer what they read. The fields, their optionality and the allowed values follow
CDS Hooks 2.0 (HL7, https://cds-hooks.hl7.org/2.0/: "Discovery", "Calling a CDS Service", "CDS
Service Response", "Card Attributes", "Feedback"); the tests read the specification's own example
requests and responses through these models (tests/serve/fixtures/spec/).

Requests are open (the spec lets clients and hooks add fields; unknown keys are kept), responses are
strict and leave unset optional fields out ("JSON attributes SHALL NOT be null": dump them with
``exclude_none=True``).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

#: What a FHIR id may be (FHIR R4 "id" datatype); ``context.patientId`` goes into FHIR search URLs.
FHIR_ID_PATTERN = r"^[A-Za-z0-9\-\.]{1,64}$"


class _Open(BaseModel):
    """A request object: more keys than the spec's are allowed and kept."""

    model_config = ConfigDict(extra="allow")


class _Strict(BaseModel):
    """A response object: only the spec's keys."""

    model_config = ConfigDict(extra="forbid")


# --- discovery ---------------------------------------------------------------------------------
class CdsService(_Strict):
    """One service of the discovery response."""

    hook: str
    title: str | None = None
    description: str
    id: str
    prefetch: dict[str, str] | None = None
    usageRequirements: str | None = None


class Discovery(_Strict):
    """``GET {baseUrl}/cds-services``."""

    services: list[CdsService]


# --- the call ----------------------------------------------------------------------------------
class FhirAuthorization(_Open):
    """The bearer token the CDS client hands the service for its FHIR server (never logged)."""

    access_token: str = Field(min_length=1, repr=False)
    token_type: str
    expires_in: int
    scope: str
    subject: str
    patient: str | None = None

    @field_validator("token_type")
    @classmethod
    def _bearer(cls, value: str) -> str:
        if value.lower() != "bearer":
            raise ValueError("token_type must be 'Bearer'")
        return value


class HookContext(_Open):
    """The context of patient-view, order-select and order-sign (the fields the service reads)."""

    userId: str | None = None
    patientId: str = Field(pattern=FHIR_ID_PATTERN)
    encounterId: str | None = None
    selections: list[str] | None = None
    draftOrders: dict[str, Any] | None = None


class HookRequest(_Open):
    """``POST {baseUrl}/cds-services/{id}``."""

    hook: str = Field(min_length=1)
    hookInstance: str = Field(min_length=1)
    fhirServer: str | None = None
    fhirAuthorization: FhirAuthorization | None = None
    context: HookContext
    prefetch: dict[str, Any] | None = None


# --- the response ------------------------------------------------------------------------------
class Coding(_Strict):
    """A FHIR Coding as CDS Hooks uses it (topics, override reasons)."""

    system: str | None = None
    code: str
    display: str | None = None


class Source(_Strict):
    """Where a card's guidance comes from."""

    label: str
    url: str | None = None
    icon: str | None = None
    topic: Coding | None = None


class Action(_Strict):
    """A suggested change (``create`` carries a new FHIR resource; ``delete`` a resourceId)."""

    type: Literal["create", "update", "delete"]
    description: str
    resource: dict[str, Any] | None = None
    resourceId: str | None = None


class Suggestion(_Strict):
    """A set of actions the user may accept together."""

    label: str
    uuid: str | None = None
    isRecommended: bool | None = None
    actions: list[Action] | None = None


class Link(_Strict):
    """A link to learn more (``absolute``) or to launch a SMART app (``smart``)."""

    label: str
    url: str
    type: Literal["absolute", "smart"]
    appContext: str | None = None
    autolaunchable: bool | None = None


class Card(_Strict):
    """One card: a summary under 140 characters, markdown detail, urgency, source."""

    uuid: str | None = None
    summary: str = Field(max_length=139)
    detail: str | None = None
    indicator: Literal["info", "warning", "critical"]
    source: Source
    suggestions: list[Suggestion] | None = None
    selectionBehavior: Literal["at-most-one", "any"] | None = None
    overrideReasons: list[Coding] | None = None
    links: list[Link] | None = None


class CdsResponse(_Strict):
    """The answer to a hook call: cards (possibly none) and system actions."""

    cards: list[Card]
    systemActions: list[Action] | None = None


# --- feedback ----------------------------------------------------------------------------------
class AcceptedSuggestion(_Open):
    id: str


class OverrideReason(_Open):
    reason: dict[str, Any] | None = None
    userComment: str | None = Field(None, max_length=4000)


class FeedbackItem(_Open):
    """What the user did with one card."""

    card: str = Field(min_length=1, max_length=200)
    outcome: Literal["accepted", "overridden"]
    acceptedSuggestions: list[AcceptedSuggestion] | None = None
    overrideReason: OverrideReason | None = None
    outcomeTimestamp: str = Field(min_length=1, max_length=64)


class FeedbackRequest(_Open):
    """``POST {baseUrl}/cds-services/{id}/feedback``."""

    feedback: list[FeedbackItem] = Field(max_length=1000)


__all__ = ["CdsService", "Discovery", "FhirAuthorization", "HookContext", "HookRequest", "Coding", "Source",
           "Action", "Suggestion", "Link", "Card", "CdsResponse", "AcceptedSuggestion", "OverrideReason",
           "FeedbackItem", "FeedbackRequest", "FHIR_ID_PATTERN"]
