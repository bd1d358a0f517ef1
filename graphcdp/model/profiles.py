"""Profile models: touchpoints, journeys, metrics and consent, as the services hand them out, and the
rows of the profile and privacy statements they are decoded from."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field, JsonValue

from graphcdp.model.base import DomainModel, JsonObject
from graphcdp.model.identity import ItemError


class IdentifierInput(DomainModel):
    """An identifier as a client sends it, in any spelling: normalized when the item is checked."""

    type: str
    value: str


class TouchpointInput(DomainModel):
    """A touchpoint as a client sends it, to `trackTouchpoints` or as a line of `graphcdp import
    --touchpoints`: typed, not yet checked against the rules (`profiles.touchpoint_input` does that, per
    item, so one bad touchpoint is an item error and never fails the others)."""

    id: str | None = None  # None: a hash of the content, so a replay is the same touchpoint
    type: str | None = None
    channel: str | None = None
    occurred_at: JsonValue = None  # ISO-8601 text or epoch ms, as sent
    source: str | None = None
    identifiers: list[IdentifierInput] = Field(default_factory=list)
    amount: float | None = None
    currency: str | None = None
    properties: JsonValue = None  # a JSON object; anything else is an item error


class TouchpointAction(StrEnum):
    CREATED = "CREATED"  # stored now
    UNCHANGED = "UNCHANGED"  # a touchpoint with this id was already stored: nothing written


class TouchpointResult(BaseModel):
    index: int
    id: str
    person_id: str | None  # None when every identifier of it is blocked
    action: TouchpointAction


class TrackOutcome(BaseModel):
    results: list[TouchpointResult] = Field(default_factory=list)
    errors: list[ItemError] = Field(default_factory=list)
    persons_created: list[str] = Field(default_factory=list)
    persons_merged: list[str] = Field(default_factory=list)


class TrackedTouchpoint(DomainModel):
    """A row of `profiles/track_touchpoints`: one touchpoint as stored."""

    index: int
    id: str
    created: bool  # stored by this call (False: the id was stored before)
    person: str | None  # the person of its identifiers now, if any


class Touchpoint(DomainModel):
    """A stored touchpoint, as a journey lists it."""

    id: str
    type: str
    channel: str | None
    occurred_at: int  # epoch ms
    source: str | None
    amount: float | None
    currency: str | None
    properties: JsonObject
    via: Annotated[list[str], AfterValidator(sorted)]  # keys of the person's identifiers it came through


class JourneyRow(DomainModel):
    """A row of `profiles/journey`: one page of one request of the batch."""

    key: str  # the request it answers
    total: int
    page: list[Touchpoint]


# One touchpoint as metrics read it: (occurredAt, type, amount).
ActivityEvent = tuple[int, str, float | None]


class Activity(DomainModel):
    """A row of `profiles/activity`: every touchpoint of one person, for her metrics."""

    person: str
    events: list[ActivityEvent]


class JourneyPage(BaseModel):
    touchpoints: list[Touchpoint]
    total: int  # touchpoints matching the filters, all pages
    has_next: bool


class Metrics(BaseModel):
    touchpoints: int
    orders: int
    revenue: float  # sum of order amounts
    returns: int
    returned_amount: float
    net_revenue: float
    average_order_value: float | None
    first_seen_at: int | None
    last_seen_at: int | None
    last_order_at: int | None
    days_since_last_activity: float | None
    engagement_score: float
    usual_engagement: float | None  # touchpoints per window over the baseline period, when there is one
    recent_engagement: int  # touchpoints in the latest window
    engagement_declining: bool
    recency_score: int
    frequency_score: int
    monetary_score: int


class ConsentStatus(StrEnum):
    GRANTED = "GRANTED"
    DENIED = "DENIED"
    REVOKED = "REVOKED"


class ConsentStatement(DomainModel):
    """A consent statement as recorded (also one entry of a `privacy/consents` row)."""

    id: str
    identifier: str  # key of the identifier it was given through
    purpose: str
    channel: str
    status: ConsentStatus
    at: int
    source: str | None
    recorded_at: int


class PersonConsents(DomainModel):
    """A row of `privacy/consents`: every statement given through the identifiers of one person."""

    person: str
    statements: list[ConsentStatement]


class RecordedConsent(DomainModel):
    """The row of `privacy/record_consent`: the statement's id and the person of its identifier, if any."""

    id: str
    person: str | None
