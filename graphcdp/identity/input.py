"""Turn one record input (from the API or a bulk import file) into a validated record, or an item error."""

from __future__ import annotations

import functools
import hashlib
import json
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from graphcdp.batch import decode_item
from graphcdp.errors import ErrorCode, GraphCDPError
from graphcdp.identity.matching.birth_dates import Reading, describe, read_birth_date
from graphcdp.identity.normalize import IdentifierPolicy, NormalizedIdentifier
from graphcdp.model.identity import ItemError, ItemWarning, RecordInput
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
    warnings: tuple[ItemWarning, ...] = ()  # values stored as sent that were not understood

    @property
    def key(self) -> str:
        return record_key(self.source, self.source_id)

    @functools.cached_property
    def content_hash(self) -> str:
        # Read for the write, the match keys and the scoring: a SHA-256 of the JSON, computed once per record.
        content = {
            "observedAt": self.observed_at if self.observed_given else None,
            "identifiers": sorted((i.key, i.blocked) for i in self.identifiers),
            "traits": self.traits,
        }
        return hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()


# Traits matching reads as one value each: an object or a list there is not what any connector means.
_SCALAR_TRAITS = ("firstName", "lastName", "birthDate", "gender")
_NOT_ONE_VALUE = "is not a single value; stored as sent, left out of matching"


def _check_traits(index: int, traits: dict[str, Any], limits: InputLimits) -> tuple[ItemWarning, ...]:
    """Bounds are enforced (an item out of them is refused); a value that is only not what graphcdp expects is
    kept as sent and reported: one bad field must not cost a customer's record."""
    limits.check_object(traits, "traits")
    warnings = []
    for name in _SCALAR_TRAITS:
        if isinstance(traits.get(name), Mapping | list):
            warnings.append(_warning(index, name, ErrorCode.TRAIT_UNEXPECTED_TYPE, _NOT_ONE_VALUE))
    birth_date = traits.get("birthDate")
    if isinstance(birth_date, str | int | float) and not isinstance(birth_date, bool) and birth_date != "":
        read = read_birth_date(str(birth_date))
        if read.reading is not Reading.ISO:
            problem = f"{str(birth_date)!r} is not a date (YYYY-MM-DD); stored as sent, {describe(read)}"
            warnings.append(_warning(index, "birthDate", ErrorCode.TRAIT_NOT_A_DATE, problem))
    if traits.get("address") is not None and not isinstance(traits["address"], Mapping):
        problem = "is not an object {street, city, postalCode, ...}; stored as sent, left out of matching"
        warnings.append(_warning(index, "address", ErrorCode.TRAIT_UNEXPECTED_TYPE, problem))
    return tuple(warnings)


def _warning(index: int, trait: str, code: ErrorCode, problem: str) -> ItemWarning:
    path = f"traits.{trait}"
    return ItemWarning(index=index, path=path, code=code, message=f"{path} {problem}")


_NOT_AN_ID_CHARACTER = re.compile(r"[^0-9A-Za-z]")


def trait_identifiers(
    index: int, traits: Mapping[str, Any], policy: IdentifierPolicy
) -> tuple[list[NormalizedIdentifier], list[ItemWarning]]:
    """The identifiers the record's identifying traits are (GRAPHCDP_IDENTIFYING_TRAITS with an identifier type):
    only letters and digits count, so 123-45-6789 and 123 45 6789 are one. A value that cannot be one (an object,
    nothing left, too long) stays a trait, with a warning."""
    found, warnings = [], []
    for trait, type_name in policy.trait_identifiers.items():
        value = traits.get(trait)
        if value is None or value == "":
            continue
        compact = "" if isinstance(value, Mapping | list | bool) else _NOT_AN_ID_CHARACTER.sub("", str(value))
        try:
            found.append(policy.normalize(type_name, compact))
        except GraphCDPError as exc:
            problem = f"is not a {type_name} identifier ({exc.message}); stored as sent, not linked by it"
            warnings.append(_warning(index, trait, ErrorCode.TRAIT_NOT_AN_IDENTIFIER, problem))
    return found, warnings


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


def _with(
    identifiers: tuple[NormalizedIdentifier, ...], more: Sequence[NormalizedIdentifier]
) -> tuple[NormalizedIdentifier, ...]:
    known = {i.key for i in identifiers}
    return identifiers + tuple(i for i in more if i.key not in known)


def parse_record(index: int, record: RecordInput, policy: IdentifierPolicy) -> ParsedRecord | ItemError:
    """A validated record, or the item error that says what is wrong with it."""
    try:
        identifiers = normalize_identifiers(record.identifiers, policy)
        warnings = _check_traits(index, record.traits, policy.limits)
        if policy.trait_identifiers:
            from_traits, more = trait_identifiers(index, record.traits, policy)
            identifiers = _with(identifiers, from_traits)
            warnings += tuple(more)
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
        index,
        record.source,
        record.source_id,
        observed_at,
        identifiers,
        record.traits,
        observed_given=given,
        warnings=warnings,
    )


def parse_record_item(index: int, item: Any, policy: IdentifierPolicy) -> ParsedRecord | ItemError:
    """A raw record item (a JSON line's object) decoded and validated, as a bulk import takes one line."""
    decoded = decode_item(RecordInput, index, item)
    return decoded if isinstance(decoded, ItemError) else parse_record(index, decoded, policy)
