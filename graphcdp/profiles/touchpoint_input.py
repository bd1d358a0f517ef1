"""Turn one raw touchpoint item (GraphQL input or a JSON line) into a validated touchpoint, or an item error."""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphcdp.errors import ErrorCode
from graphcdp.identity.input import MAX_ID_LENGTH, ItemInvalid, epoch_ms, parse_identifiers
from graphcdp.identity.normalize import IdentifierPolicy, NormalizedIdentifier
from graphcdp.model.identity import ItemError

_CURRENCY = re.compile(r"[A-Z]{3}")  # ISO 4217 alphabetic code


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
            "identifiers": [
                {"key": i.key, "type": i.type, "value": i.value, "blocked": i.blocked} for i in self.identifiers
            ],
        }


def _optional_text(item: Mapping[str, Any], field: str, lower: bool = False) -> str | None:
    value = item.get(field)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise ItemInvalid(ErrorCode.INVALID_FIELD, f"{field} must be a string")
    text = value.strip()
    if len(text) > MAX_ID_LENGTH:
        raise ItemInvalid(ErrorCode.INVALID_FIELD, f"{field} is longer than {MAX_ID_LENGTH} characters")
    return text.lower() if lower else text


def _amount(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ItemInvalid(ErrorCode.INVALID_AMOUNT, f"amount must be a finite number, not {value!r}")
    return float(value)


def _currency(value: str | None) -> str | None:
    if value is None:
        return None
    code = value.upper()
    if not _CURRENCY.fullmatch(code):
        raise ItemInvalid(
            ErrorCode.INVALID_CURRENCY, f"currency {value!r} is not a three-letter ISO 4217 code (e.g. EUR)"
        )
    return code


def _identifiers(value: Any, policy: IdentifierPolicy) -> tuple[NormalizedIdentifier, ...]:
    identifiers = parse_identifiers(value, policy)
    if not identifiers:
        raise ItemInvalid(ErrorCode.MISSING_IDENTIFIERS, "a touchpoint needs at least one identifier {type, value}")
    return identifiers


def content_id(fields: Mapping[str, Any]) -> str:
    """The id of a touchpoint sent without one: a hash of its content, so a replay is the same touchpoint."""
    digest = hashlib.sha256(json.dumps(fields, sort_keys=True, default=str).encode()).hexdigest()
    return f"h:{digest[:32]}"


def parse_touchpoint(index: int, item: Any, policy: IdentifierPolicy) -> ParsedTouchpoint | ItemError:
    """A validated touchpoint, or the item error that says what is wrong with it."""
    try:
        if not isinstance(item, Mapping):
            raise ItemInvalid(ErrorCode.INVALID_TOUCHPOINT, "a touchpoint must be an object")
        type_ = _optional_text(item, "type", lower=True)
        if type_ is None:
            raise ItemInvalid(ErrorCode.MISSING_FIELD, "type is required (page_view, order, return, …)")
        if item.get("occurredAt") in (None, ""):
            raise ItemInvalid(ErrorCode.MISSING_FIELD, "occurredAt is required")
        occurred_at = epoch_ms(item["occurredAt"], "occurredAt")
        identifiers = _identifiers(item.get("identifiers"), policy)
        properties = item.get("properties")
        if properties is not None and not isinstance(properties, Mapping):
            raise ItemInvalid(
                ErrorCode.INVALID_PROPERTIES, f"properties must be a JSON object, not {type(properties).__name__}"
            )
        fields: dict[str, Any] = {
            "type": type_,
            "channel": _optional_text(item, "channel", lower=True),
            "occurredAt": occurred_at,
            "source": _optional_text(item, "source"),
            "amount": _amount(item.get("amount")),
            "currency": _currency(_optional_text(item, "currency")),
            "properties": dict(properties or {}),
        }
        given_id = _optional_text(item, "id")
        id_ = given_id or content_id({**fields, "identifiers": sorted(i.key for i in identifiers)})
    except ItemInvalid as exc:
        return ItemError(index=index, code=exc.code, message=exc.message)
    return ParsedTouchpoint(
        index=index,
        id=id_,
        type=fields["type"],
        channel=fields["channel"],
        occurred_at=occurred_at,
        source=fields["source"],
        identifiers=identifiers,
        amount=fields["amount"],
        currency=fields["currency"],
        properties=fields["properties"],
    )
