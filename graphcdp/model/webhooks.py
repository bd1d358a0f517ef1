"""Webhook destinations and their deliveries (docs/webhooks.md): the rows of cypher/webhooks/."""

from __future__ import annotations

from enum import StrEnum

from graphcdp.model.base import DomainModel
from graphcdp.model.feed import ChangeKind


class DestinationStatus(StrEnum):
    ACTIVE = "ACTIVE"  # events are handed over and sent
    PAUSED = "PAUSED"  # nothing is handed over or sent; its position waits, so resuming catches up


class DeliveryStatus(StrEnum):
    PENDING = "PENDING"  # to send, now or after a backoff
    DELIVERED = "DELIVERED"  # the receiver answered 2xx
    DEAD_LETTER = "DEAD_LETTER"  # retried for GRAPHCDP_WEBHOOK_RETRY_HOURS in vain (or its event left the feed)
    SUPPRESSED_BY_CONSENT = (
        "SUPPRESSED_BY_CONSENT"  # not sent: the person's consent in force for the destination's purpose is not GRANTED
    )


class Destination(DomainModel):
    """webhooks/destinations: a destination as stored. `sealed_secret` is its signing secret, encrypted
    (graphcdp/webhooks/secrets.py); `position` the last feed sequence handed over to its deliveries."""

    id: str
    url: str
    sealed_secret: str
    kinds: list[ChangeKind]  # empty: every kind
    segments: list[str]  # empty: every person
    purpose: str | None
    channel: str | None
    status: DestinationStatus
    created_at: int
    position: int


class Delivery(DomainModel):
    """One event for one destination, and how sending it went (webhooks/deliveries and the others)."""

    id: str
    destination_id: str
    sequence: int
    person_id: str
    kind: ChangeKind
    status: DeliveryStatus
    attempts: int
    created_at: int
    deadline: int  # retried until then (GRAPHCDP_WEBHOOK_RETRY_HOURS after it was handed over)
    next_attempt_at: int | None
    last_attempt_at: int | None
    last_status_code: int | None
    last_error: str | None  # why the last attempt failed, or "suppressed by consent"; never the receiver's body
    delivered_at: int | None


class HandedOver(DomainModel):
    """webhooks/hand_over: the destination's position now (no row: it was paused, deleted or moved by another
    process meanwhile)."""

    position: int


class DeletedDestination(DomainModel):
    id: str
    deliveries: int


class Counted(DomainModel):
    """How many nodes a maintenance statement changed."""

    count: int


class SegmentMember(DomainModel):
    """webhooks/segment_members: a person who is a member of one of the segments asked about."""

    person: str


class NextAttempt(DomainModel):
    """webhooks/next_attempt: when a destination's next waiting delivery is due (None: nothing waits)."""

    at: int | None
