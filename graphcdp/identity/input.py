"""Turn one record input (from the API or a bulk import file) into a validated record, or an item error."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from graphcdp.batch import decode_item
from graphcdp.errors import ErrorCode, GraphCDPError
from graphcdp.identity.normalize import IdentifierPolicy, NormalizedIdentifier
from graphcdp.model.identity import ItemError, RecordInput
from graphcdp.model.inputs import (
    MAX_ID_LENGTH,
    RESERVED_SOURCE_PREFIX,
    IdentifierValue,
    InputLimits,
    ItemInvalid,
    epoch_ms,
    identifier_values,
)
from graphcdp.model.node_ref import record_key

__all__ = [
    "MAX_ID_LENGTH",
    "RESERVED_SOURCE_PREFIX",
    "ItemInvalid",
    "ParsedRecord",
    "epoch_ms",
    "parse_identifiers",
    "parse_record",
    "parse_record_item",
]


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
        return record_key(self.source, self.source_id)

    @property
    def content_hash(self) -> str:
        content = {
            "observedAt": self.observed_at if self.observed_given else None,
            "identifiers": sorted((i.key, i.blocked) for i in self.identifiers),
            "traits": self.traits,
        }
        return hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()


def _check_traits(traits: dict[str, Any], limits: InputLimits) -> None:
    limits.check_object(traits, "traits")
    if "birthDate" in traits and traits["birthDate"] not in (None, ""):
        try:
            date.fromisoformat(str(traits["birthDate"]))
        except ValueError:
            raise ItemInvalid(
                ErrorCode.INVALID_DATE, f"traits.birthDate {traits['birthDate']!r} is not a date (YYYY-MM-DD)"
            ) from None
    if "address" in traits and traits["address"] is not None and not isinstance(traits["address"], Mapping):
        raise ItemInvalid(ErrorCode.INVALID_TRAITS, "traits.address must be an object {street, city, postalCode, ...}")


def parse_identifiers(value: Any, policy: IdentifierPolicy) -> tuple[NormalizedIdentifier, ...]:
    """Identifiers as sent in a raw item (a list of {type, value}), normalized."""
    return normalize_identifiers(identifier_values(value), policy)


def normalize_identifiers(
    values: Sequence[IdentifierValue], policy: IdentifierPolicy
) -> tuple[NormalizedIdentifier, ...]:
    policy.limits.check_identifier_count(len(values))
    seen: dict[str, NormalizedIdentifier] = {}
    for position, entry in enumerate(values):
        try:
            normalized = policy.normalize(entry.type, entry.value)
        except GraphCDPError as exc:
            raise ItemInvalid(exc.code, f"identifiers[{position}]: {exc.message}") from None
        seen.setdefault(normalized.key, normalized)  # the same identifier twice is one piece of evidence
    return tuple(seen.values())


def parse_record(index: int, record: RecordInput, policy: IdentifierPolicy) -> ParsedRecord | ItemError:
    """A validated record, or the item error that says what is wrong with it."""
    try:
        identifiers = normalize_identifiers(record.identifiers, policy)
        _check_traits(record.traits, policy.limits)
        if not identifiers and not record.traits:
            raise ItemInvalid(ErrorCode.EMPTY_RECORD, "a record needs at least one identifier or one trait")
        now = int(time.time() * 1000)
        if record.observed_at is not None:
            policy.limits.check_date(record.observed_at, "observedAt", now)
    except ItemInvalid as exc:
        return ItemError(index=index, code=exc.code, message=exc.message)
    given = record.observed_at is not None
    observed_at = record.observed_at if record.observed_at is not None else now
    return ParsedRecord(
        index, record.source, record.source_id, observed_at, identifiers, record.traits, observed_given=given
    )


def parse_record_item(index: int, item: Any, policy: IdentifierPolicy) -> ParsedRecord | ItemError:
    """A raw record item (a JSON line's object) decoded and validated, as a bulk import takes one line."""
    decoded = decode_item(RecordInput, index, item)
    return decoded if isinstance(decoded, ItemError) else parse_record(index, decoded, policy)
