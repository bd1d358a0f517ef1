"""Turn one raw record item (GraphQL input, a JSON line, a CSV row) into a validated record, or an item error."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from graphcdp.errors import ErrorCode, GraphCDPError
from graphcdp.identity.normalize import IdentifierPolicy, NormalizedIdentifier
from graphcdp.model.identity import ItemError

MAX_ID_LENGTH = 256
# Sources graphcdp writes itself (evidence of touchpoints and consent); connectors may not use them.
RESERVED_SOURCE_PREFIX = "graphcdp."


@dataclass(frozen=True)
class ParsedRecord:
    index: int
    source: str
    source_id: str
    observed_at: int  # epoch ms
    identifiers: tuple[NormalizedIdentifier, ...]
    traits: dict[str, Any]
    observed_given: bool = True  # False: observedAt defaulted to now, so it is not part of the content

    @property
    def key(self) -> str:
        return f"{self.source}:{self.source_id}"

    @property
    def content_hash(self) -> str:
        content = {
            "observedAt": self.observed_at if self.observed_given else None,
            "identifiers": sorted((i.key, i.blocked) for i in self.identifiers),
            "traits": self.traits,
        }
        return hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()


class ItemInvalid(GraphCDPError):
    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code


def epoch_ms(value: Any, field: str) -> int:
    """An ISO-8601 string, a datetime/date or epoch milliseconds → epoch milliseconds (naive = UTC)."""
    if isinstance(value, bool):
        raise ItemInvalid(ErrorCode.INVALID_DATE, f"{field} must be a date-time, not a boolean")
    if isinstance(value, int | float):
        return int(value)
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise ItemInvalid(
                ErrorCode.INVALID_DATE, f"{field} {value!r} is not an ISO-8601 date-time (e.g. 2024-05-01T10:00:00Z)"
            ) from None
    else:
        raise ItemInvalid(ErrorCode.INVALID_DATE, f"{field} must be an ISO-8601 string or epoch milliseconds")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def _text(item: Mapping[str, Any], field: str) -> str:
    value = item.get(field)
    if not isinstance(value, str | int) or isinstance(value, bool) or not str(value).strip():
        raise ItemInvalid(ErrorCode.MISSING_FIELD, f"{field} is required and must be a non-empty string")
    text = str(value).strip()
    if len(text) > MAX_ID_LENGTH:
        raise ItemInvalid(ErrorCode.INVALID_FIELD, f"{field} is longer than {MAX_ID_LENGTH} characters")
    return text


def _traits(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ItemInvalid(ErrorCode.INVALID_TRAITS, f"traits must be a JSON object, not {type(value).__name__}")
    traits = dict(value)
    if "birthDate" in traits and traits["birthDate"] not in (None, ""):
        try:
            date.fromisoformat(str(traits["birthDate"]))
        except ValueError:
            raise ItemInvalid(
                ErrorCode.INVALID_DATE, f"traits.birthDate {traits['birthDate']!r} is not a date (YYYY-MM-DD)"
            ) from None
    if "address" in traits and traits["address"] is not None and not isinstance(traits["address"], Mapping):
        raise ItemInvalid(ErrorCode.INVALID_TRAITS, "traits.address must be an object {street, city, postalCode, ...}")
    return traits


def parse_identifiers(value: Any, policy: IdentifierPolicy) -> tuple[NormalizedIdentifier, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ItemInvalid(ErrorCode.INVALID_IDENTIFIERS, "identifiers must be a list of {type, value}")
    seen: dict[str, NormalizedIdentifier] = {}
    for position, entry in enumerate(value):
        if not isinstance(entry, Mapping) or "type" not in entry or "value" not in entry:
            raise ItemInvalid(
                ErrorCode.INVALID_IDENTIFIERS, f"identifiers[{position}] must be an object {{type, value}}"
            )
        try:
            normalized = policy.normalize(str(entry["type"]), str(entry["value"]))
        except GraphCDPError as exc:
            raise ItemInvalid(exc.code, f"identifiers[{position}]: {exc.message}") from None
        seen.setdefault(normalized.key, normalized)  # the same identifier twice is one piece of evidence
    return tuple(seen.values())


def parse_record(index: int, item: Any, policy: IdentifierPolicy) -> ParsedRecord | ItemError:
    """A validated record, or the item error that says what is wrong with it."""
    try:
        if not isinstance(item, Mapping):
            raise ItemInvalid(ErrorCode.INVALID_RECORD, "a record must be an object")
        source = _text(item, "source")
        if source.startswith(RESERVED_SOURCE_PREFIX):
            raise ItemInvalid(
                ErrorCode.RESERVED_SOURCE, f"source names starting with {RESERVED_SOURCE_PREFIX!r} are reserved"
            )
        source_id = _text(item, "sourceId")
        observed = item.get("observedAt")
        observed_at = int(time.time() * 1000) if observed in (None, "") else epoch_ms(observed, "observedAt")
        identifiers = parse_identifiers(item.get("identifiers"), policy)
        traits = _traits(item.get("traits"))
        if not identifiers and not traits:
            raise ItemInvalid(ErrorCode.EMPTY_RECORD, "a record needs at least one identifier or one trait")
    except ItemInvalid as exc:
        return ItemError(index=index, code=exc.code, message=exc.message)
    return ParsedRecord(index, source, source_id, observed_at, identifiers, traits, observed not in (None, ""))
