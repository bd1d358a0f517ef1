"""Check one touchpoint a client sent (a `TouchpointInput`, from the API or a JSON line) against the rules:
a validated touchpoint, or the item error that says what is wrong with it."""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from pydantic import JsonValue

from graphcdp.errors import GraphCDPError
from graphcdp.identity.input import MAX_ID_LENGTH, ItemInvalid, epoch_ms
from graphcdp.identity.normalize import IdentifierPolicy, NormalizedIdentifier
from graphcdp.model.identity import ItemError
from graphcdp.model.profiles import IdentifierInput, TouchpointInput

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

    @property
    def content_id(self) -> str:
        """The id of a touchpoint sent without one: a hash of its content, so a replay is the same touchpoint.
        (Its spelling is stored: changing it would store replays of old touchpoints twice.)"""
        content = {
            "type": self.type,
            "channel": self.channel,
            "occurredAt": self.occurred_at,
            "source": self.source,
            "amount": self.amount,
            "currency": self.currency,
            "properties": self.properties,
            "identifiers": sorted(i.key for i in self.identifiers),
        }
        digest = hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()
        return f"h:{digest[:32]}"

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


# ---- a JSON line → TouchpointInput -----------------------------------------------------------------


def _json_text(item: Mapping[str, Any], field: str) -> str | None:
    value = item.get(field)
    if value is not None and not isinstance(value, str):
        raise ItemInvalid("INVALID_FIELD", f"{field} must be a string")
    return value


def _json_amount(value: Any) -> float | None:
    if value is None:
        return None
    try:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError
        return float(value)
    except (TypeError, OverflowError):
        raise ItemInvalid("INVALID_AMOUNT", f"amount must be a finite number, not {value!r}") from None


def _json_identifiers(value: Any) -> list[IdentifierInput]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ItemInvalid("INVALID_IDENTIFIERS", "identifiers must be a list of {type, value}")
    identifiers = []
    for position, entry in enumerate(value):
        if not isinstance(entry, Mapping) or "type" not in entry or "value" not in entry:
            raise ItemInvalid("INVALID_IDENTIFIERS", f"identifiers[{position}] must be an object {{type, value}}")
        identifiers.append(IdentifierInput(type=str(entry["type"]), value=str(entry["value"])))
    return identifiers


def touchpoint_from_json(item: Any) -> TouchpointInput:
    """The TouchpointInput of one decoded JSON line; ItemInvalid when a field has the wrong JSON type.
    Keys it does not know are ignored, as they always were."""
    if not isinstance(item, Mapping):
        raise ItemInvalid("INVALID_TOUCHPOINT", "a touchpoint must be an object")
    # In the order validate_touchpoint checks the fields.
    type_ = _json_text(item, "type")
    identifiers = _json_identifiers(item.get("identifiers"))
    channel, source = _json_text(item, "channel"), _json_text(item, "source")
    amount = _json_amount(item.get("amount"))
    currency, id_ = _json_text(item, "currency"), _json_text(item, "id")
    return TouchpointInput(
        id=id_,
        type=type_,
        channel=channel,
        occurred_at=item.get("occurredAt"),
        source=source,
        identifiers=identifiers,
        amount=amount,
        currency=currency,
        properties=item.get("properties"),
    )


def decode_touchpoint(index: int, item: Any) -> TouchpointInput | ItemError:
    """A JSON line as a TouchpointInput, or its item error."""
    try:
        return touchpoint_from_json(item)
    except ItemInvalid as exc:
        return ItemError(index=index, code=exc.code, message=exc.message)


# ---- TouchpointInput → a validated touchpoint ----------------------------------------------------------


def _optional_text(value: str | None, field: str, lower: bool = False) -> str | None:
    if value is None or not value.strip():
        return None
    text = value.strip()
    if len(text) > MAX_ID_LENGTH:
        raise ItemInvalid("INVALID_FIELD", f"{field} is longer than {MAX_ID_LENGTH} characters")
    return text.lower() if lower else text


def _amount(value: float | None) -> float | None:
    if value is not None and not math.isfinite(value):
        raise ItemInvalid("INVALID_AMOUNT", f"amount must be a finite number, not {value!r}")
    return value


def _currency(value: str | None) -> str | None:
    if value is None:
        return None
    code = value.upper()
    if not _CURRENCY.fullmatch(code):
        raise ItemInvalid("INVALID_CURRENCY", f"currency {value!r} is not a three-letter ISO 4217 code (e.g. EUR)")
    return code


def _identifiers(inputs: Sequence[IdentifierInput], policy: IdentifierPolicy) -> tuple[NormalizedIdentifier, ...]:
    seen: dict[str, NormalizedIdentifier] = {}
    for position, identifier in enumerate(inputs):
        try:
            normalized = policy.normalize(identifier.type, identifier.value)
        except GraphCDPError as exc:
            raise ItemInvalid(exc.code, f"identifiers[{position}]: {exc.message}") from None
        seen.setdefault(normalized.key, normalized)  # the same identifier twice is one piece of evidence
    if not seen:
        raise ItemInvalid("MISSING_IDENTIFIERS", "a touchpoint needs at least one identifier {type, value}")
    return tuple(seen.values())


def _properties(value: JsonValue) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ItemInvalid("INVALID_PROPERTIES", f"properties must be a JSON object, not {type(value).__name__}")
    return dict(value)


def validate_touchpoint(index: int, item: TouchpointInput, policy: IdentifierPolicy) -> ParsedTouchpoint | ItemError:
    """A validated touchpoint, or the item error that says what is wrong with it. Fields are checked in
    a fixed order, so a touchpoint with several faults always reports the same one."""
    try:
        type_ = _optional_text(item.type, "type", lower=True)
        if type_ is None:
            raise ItemInvalid("MISSING_FIELD", "type is required (page_view, order, return, …)")
        if item.occurred_at in (None, ""):
            raise ItemInvalid("MISSING_FIELD", "occurredAt is required")
        occurred_at = epoch_ms(item.occurred_at, "occurredAt")
        identifiers = _identifiers(item.identifiers, policy)
        properties = _properties(item.properties)
        channel = _optional_text(item.channel, "channel", lower=True)
        source = _optional_text(item.source, "source")
        amount = _amount(item.amount)
        currency = _currency(_optional_text(item.currency, "currency"))
        given_id = _optional_text(item.id, "id")
    except ItemInvalid as exc:
        return ItemError(index=index, code=exc.code, message=exc.message)
    touchpoint = ParsedTouchpoint(
        index, given_id or "", type_, channel, occurred_at, source, identifiers, amount, currency, properties
    )
    return touchpoint if given_id else replace(touchpoint, id=touchpoint.content_id)


def parse_touchpoint(index: int, item: Any, policy: IdentifierPolicy) -> ParsedTouchpoint | ItemError:
    """One decoded JSON line (a touchpoint file, test data) checked like a `trackTouchpoints` item."""
    decoded = decode_touchpoint(index, item)
    return decoded if isinstance(decoded, ItemError) else validate_touchpoint(index, decoded, policy)
