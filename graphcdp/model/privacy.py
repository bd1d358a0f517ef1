"""Erasure, suppression and subject export: the rows of cypher/privacy/ and what the services answer."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from graphcdp.model.base import DomainModel, JsonObject


class SubjectIdentifier(DomainModel):
    """An identifier of the subject, and how many records outside hers hold it too."""

    key: str
    blocked: bool
    others: int


class Subject(DomainModel):
    """The row of privacy/subject: the person an id leads to, her ids (retired ones too), records, identifiers."""

    person: str
    persons: list[str]
    records: list[str]
    identifiers: list[SubjectIdentifier]


class RemovedLinks(DomainModel):
    """The row of privacy/erase_match_links."""

    pairs: int  # review pairs (POSSIBLE_MATCH)
    links: int  # MATCHED links and NOT_MATCHED decisions
    others: list[str]  # records outside hers they joined


class Removed(DomainModel):
    """The row of the erase_* statements that only count what they removed."""

    removed: int


class TombstoneHash(DomainModel):
    """A row of privacy/add_tombstones, privacy/suppressed, privacy/lift_suppression."""

    hash: str


class SaltValue(DomainModel):
    """The row of privacy/tombstone_salt."""

    value: str


class PersonHistory(DomainModel):
    """A row of privacy/person_histories: history events and refused links as stored (JSON text each)."""

    id: str
    version: int | None = None
    history: list[str]
    rejections: list[str]


class ScrubbedPerson(DomainModel):
    """A row of privacy/scrub_histories."""

    id: str


class Erasure(DomainModel):
    """What forgetPerson removed, and the persons the rest of her former cluster resolved into."""

    person: str
    records: int = 0
    identifiers: int = 0
    identifiers_kept: int = 0  # held by another person's records too: they stay with that person
    touchpoints: int = 0
    consents: int = 0
    pairs: int = 0  # review pairs, match links and decisions
    match_keys: int = 0
    persons: int = 0  # the Person node and the ids retired into her
    tombstones: int = 0
    person_ids: list[str] = Field(default_factory=list)


class ExportRecordIdentifier(DomainModel):
    key: str
    at: int | None = None


class ExportRecord(DomainModel):
    """A row of privacy/export_records."""

    key: str
    source: str | None = None
    source_id: str | None = None
    observed_at: int | None = None
    created_at: int | None = None
    updated_at: int | None = None
    traits: JsonObject = Field(default_factory=dict)
    detached: bool = False
    identifiers: list[ExportRecordIdentifier] = Field(default_factory=list)


class ExportIdentifier(DomainModel):
    """A row of privacy/export_identifiers."""

    key: str
    type: str | None = None
    value: str | None = None
    created_at: int | None = None
    last_seen_at: int | None = None
    blocked: bool = False
    shared: bool = False
    owned: bool = False  # resolved to her (false: her record holds it, another person owns it)


class ExportTouchpoint(DomainModel):
    """A row of privacy/export_touchpoints."""

    id: str
    type: str | None = None
    channel: str | None = None
    occurred_at: int | None = None
    source: str | None = None
    amount: float | None = None
    currency: str | None = None
    properties: JsonObject = Field(default_factory=dict)
    created_at: int | None = None
    identifiers: list[str] = Field(default_factory=list)


class ExportMatch(DomainModel):
    """A row of privacy/export_matches."""

    kind: str
    record: str
    other: str
    score: float | None = None
    rule: str | None = None
    at: int | None = None
    reviewed: bool = False


def export_document(**parts: Any) -> dict[str, Any]:
    """The export as JSON-ready data, camelCase keys as on the wire."""
    return {name: _plain(value) for name, value in parts.items()}


def _plain(value: Any) -> Any:
    if isinstance(value, DomainModel):
        return value.model_dump(by_alias=True, mode="json")
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value
