"""Profile models: touchpoints, journeys, metrics and consent, as the services hand them out, and the
rows of the profile and privacy statements they are decoded from."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from graphcdp.errors import ErrorCode
from graphcdp.model.base import DomainModel, JsonObject
from graphcdp.model.identity import ItemError, KeyedPerson, Membership, PersonIdentifier
from graphcdp.model.inputs import (
    MAX_ID_LENGTH,
    IdentifierValue,
    ItemInvalid,
    check_text,
    epoch_ms,
    identifier_values,
    invalid,
)
from graphcdp.model.predictions import PurchaseHistory

# --- what clients send ----------------------------------------------------------------------------------

_CURRENCY = re.compile(r"[A-Z]{3}")  # ISO 4217 alphabetic code


def _checked(check: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A field check that raises ItemInvalid, as a validator: the code and message become the item error."""

    def validate(value: Any) -> Any:
        try:
            return check(value)
        except ItemInvalid as exc:
            raise invalid(exc.code, exc.message) from None

    return validate


def _optional_text(value: Any, field: str, lower: bool = False) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise ItemInvalid(ErrorCode.INVALID_FIELD, f"{field} must be a string")
    text = check_text(value.strip(), field)
    if len(text) > MAX_ID_LENGTH:
        raise ItemInvalid(ErrorCode.INVALID_FIELD, f"{field} is longer than {MAX_ID_LENGTH} characters")
    return text.lower() if lower else text


def _type(value: Any) -> str:
    type_ = _optional_text(value, "type", lower=True)
    if type_ is None:
        raise ItemInvalid(ErrorCode.MISSING_FIELD, "type is required (page_view, order, return, …)")
    return type_


def _occurred_at(value: Any) -> int:
    if value is None or value == "":
        raise ItemInvalid(ErrorCode.MISSING_FIELD, "occurredAt is required")
    return epoch_ms(value, "occurredAt")


def _identifiers(value: Any) -> list[IdentifierValue]:
    values = identifier_values(value)
    if not values:
        raise ItemInvalid(ErrorCode.MISSING_IDENTIFIERS, "a touchpoint needs at least one identifier {type, value}")
    return values


def _properties(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ItemInvalid(ErrorCode.INVALID_PROPERTIES, f"properties must be a JSON object, not {type(value).__name__}")
    return dict(value)


def _amount(value: Any) -> float | None:
    if value is None:
        return None
    try:
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise ValueError
        return float(value)
    except (ValueError, OverflowError):
        raise ItemInvalid(ErrorCode.INVALID_AMOUNT, f"amount must be a finite number, not {value!r}") from None


def _currency(value: Any) -> str | None:
    text = _optional_text(value, "currency")
    if text is None:
        return None
    code = text.upper()
    if not _CURRENCY.fullmatch(code):
        raise ItemInvalid(
            ErrorCode.INVALID_CURRENCY, f"currency {text!r} is not a three-letter ISO 4217 code (e.g. EUR)"
        )
    return code


def _text_of(field: str, lower: bool = False) -> Callable[[Any], str | None]:
    return lambda value: _optional_text(value, field, lower)


# What a touchpoint cannot do without: (field name, wire name).
_REQUIRED = (("type", "type"), ("occurred_at", "occurredAt"), ("identifiers", "identifiers"))


class TouchpointInput(DomainModel):
    """One touchpoint as a client sends it, to `trackTouchpoints` or as a line of `graphcdp import
    --touchpoints`: checked for shape and for every rule that needs no identifier policy here (the first
    fault, in field order, is the item's error); identifiers are normalized and the id given by
    `graphcdp.profiles.touchpoint_input.parse_touchpoint`. Keys it does not know are ignored."""

    model_config = ConfigDict(extra="ignore")

    # Fields are checked in this order: a touchpoint with several faults always reports the same one.
    type: Annotated[str, BeforeValidator(_checked(_type))]
    occurred_at: Annotated[int, BeforeValidator(_checked(_occurred_at))]  # epoch ms
    identifiers: Annotated[list[IdentifierValue], BeforeValidator(_checked(_identifiers))]
    properties: Annotated[dict[str, Any], BeforeValidator(_checked(_properties))] = Field(default_factory=dict)
    channel: Annotated[str | None, BeforeValidator(_checked(_text_of("channel", lower=True)))] = None
    source: Annotated[str | None, BeforeValidator(_checked(_text_of("source")))] = None
    amount: Annotated[float | None, BeforeValidator(_checked(_amount))] = None
    currency: Annotated[str | None, BeforeValidator(_checked(_currency))] = None
    id: Annotated[str | None, BeforeValidator(_checked(_text_of("id")))] = None  # None: a hash of the content

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, value: Any) -> Any:
        if isinstance(value, TouchpointInput):
            return value
        if not isinstance(value, Mapping):
            raise invalid(ErrorCode.INVALID_TOUCHPOINT, "a touchpoint must be an object")
        # A required field left out is checked like an empty one, with its own message, in its turn.
        missing = {alias: None for name, alias in _REQUIRED if name not in value and alias not in value}
        return {**value, **missing} if missing else value


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


class TouchpointPerson(DomainModel):
    """A row of `profiles/touchpoint_persons`: the person of a stored touchpoint's identifiers, if any."""

    id: str
    person: str | None


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
    probability_alive: float | None = None  # BG/NBD, with the prediction model in force; None without one or an order
    # What the prediction models read of her orders (expectedPurchases, predictedValue): not a metric segments compare.
    purchases: PurchaseHistory | None = Field(default=None, exclude=True)


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


class ContextActivity(DomainModel):
    """What a customer's context shows beside who she is, read in the same round trip: every touchpoint for her
    metrics, every consent statement, her newest touchpoints (one more than asked), and the segments she is a
    member of."""

    events: list[ActivityEvent]
    consents: list[ConsentStatement]
    total: int  # all her touchpoints
    page: list[Touchpoint]
    memberships: list[Membership]


class CustomerContextRow(KeyedPerson, ContextActivity):
    """The row of `profiles/customer_context`: the person of one identifier key, whole, and her activity."""


class CustomerActivityRow(ContextActivity):
    """The row of `profiles/customer_activity`: the person of one identifier key without her history and records
    (`context` asked without `person`), and her activity."""

    key: str
    id: str
    created_at: int | None = None
    updated_at: int | None = None
    traits: JsonObject = Field(default_factory=dict)
    identifiers: list[PersonIdentifier] = Field(default_factory=list)

    def person(self) -> KeyedPerson:
        """Who she is, with no history and no records: they were not read."""
        return KeyedPerson(key=self.key, id=self.id, created_at=self.created_at, updated_at=self.updated_at,
                           traits=self.traits, identifiers=self.identifiers)  # fmt: skip


class PersonConsents(DomainModel):
    """A row of `privacy/consents`: every statement given through the identifiers of one person."""

    person: str
    statements: list[ConsentStatement]


class RecordedConsent(DomainModel):
    """The row of `privacy/record_consent`: the statement's id, the person of its identifier (if any) and when
    the statement was first recorded."""

    id: str
    person: str | None
    recorded_at: int
