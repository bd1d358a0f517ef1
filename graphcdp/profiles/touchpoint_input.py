"""Turn one touchpoint a client sent (a `TouchpointInput`, from the API or a JSON line) into a validated
touchpoint, or the item error that says what is wrong with it."""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from typing import Any

from graphcdp.batch import decode_item
from graphcdp.errors import ErrorCode
from graphcdp.identity.input import normalize_identifiers
from graphcdp.identity.normalize import IdentifierPolicy, NormalizedIdentifier
from graphcdp.model.facets import touchpoint_facets
from graphcdp.model.identity import ItemError
from graphcdp.model.inputs import ItemInvalid
from graphcdp.model.profiles import TouchpointInput


@dataclass(frozen=True)
class ParsedTouchpoint:
    index: int
    id: str
    type: str
    channel: str | None
    occurred_at: int  # epoch ms
    source: str | None
    identifiers: tuple[NormalizedIdentifier, ...]
    amount: float | None
    currency: str | None
    properties: dict[str, Any]

    def param(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "id": self.id,
            "type": self.type,
            "channel": self.channel,
            "occurredAt": self.occurred_at,
            "source": self.source,
            "amount": self.amount,
            "currency": self.currency,
            "properties": json.dumps(self.properties, sort_keys=True, default=str),
            "facets": touchpoint_facets(self.properties),
            "identifiers": [
                {"key": i.key, "type": i.type, "value": i.value, "blocked": i.blocked} for i in self.identifiers
            ],
        }


def content_id(touchpoint: TouchpointInput, identifiers: tuple[NormalizedIdentifier, ...]) -> str:
    """The id of a touchpoint sent without one: a hash of its content, so a replay is the same touchpoint.
    (Stored ids are made of it: a change of spelling would store replays of old touchpoints twice.)"""
    content = {
        "type": touchpoint.type,
        "channel": touchpoint.channel,
        "occurredAt": touchpoint.occurred_at,
        "source": touchpoint.source,
        "amount": touchpoint.amount,
        "currency": touchpoint.currency,
        "properties": touchpoint.properties,
        "identifiers": sorted(i.key for i in identifiers),
    }
    digest = hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()
    return f"h:{digest[:32]}"


def parse_touchpoint(index: int, touchpoint: TouchpointInput, policy: IdentifierPolicy) -> ParsedTouchpoint | ItemError:
    """A validated touchpoint (identifiers normalized, an id given), or the item error of an identifier."""
    limits = policy.limits
    try:
        identifiers = normalize_identifiers(touchpoint.identifiers, policy)
        limits.check_date(touchpoint.occurred_at, "occurredAt", int(time.time() * 1000))
        limits.check_object(touchpoint.properties, "properties")
        if touchpoint.amount is not None and abs(touchpoint.amount) > limits.max_amount:
            raise ItemInvalid(ErrorCode.INVALID_AMOUNT, f"amount's size exceeds {limits.max_amount:g}")
    except ItemInvalid as exc:
        return ItemError(index=index, code=exc.code, message=exc.message)
    return ParsedTouchpoint(
        index=index,
        id=touchpoint.id or content_id(touchpoint, identifiers),
        type=touchpoint.type,
        channel=touchpoint.channel,
        occurred_at=touchpoint.occurred_at,
        source=touchpoint.source,
        identifiers=identifiers,
        amount=touchpoint.amount,
        currency=touchpoint.currency,
        properties=touchpoint.properties,
    )


def decode_touchpoint(index: int, raw: Any) -> TouchpointInput | ItemError:
    """A JSON line's object as a TouchpointInput, or its item error."""
    return decode_item(TouchpointInput, index, raw)


def parse_touchpoint_item(index: int, raw: Any, policy: IdentifierPolicy) -> ParsedTouchpoint | ItemError:
    """A raw touchpoint (a JSON line's object) decoded and validated, as a bulk import takes one line."""
    decoded = decode_touchpoint(index, raw)
    return decoded if isinstance(decoded, ItemError) else parse_touchpoint(index, decoded, policy)
