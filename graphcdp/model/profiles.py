"""Profile models: touchpoints, journeys, metrics and consent, as the services hand them out."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from graphcdp.model.identity import ItemError


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


class Touchpoint(BaseModel):
    id: str
    type: str
    channel: str | None
    occurred_at: int  # epoch ms
    source: str | None
    amount: float | None
    currency: str | None
    properties: dict[str, Any]
    via: list[str]  # keys of the person's identifiers it came through


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


class ConsentStatement(BaseModel):
    id: str
    identifier: str  # key of the identifier it was given through
    purpose: str
    channel: str
    status: ConsentStatus
    at: int
    source: str | None
    recorded_at: int
