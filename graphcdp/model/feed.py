"""The change feed's domain types (docs/change-feed.md): the kinds of change, an event to append, and the rows
of the feed's statements (cypher/feed/)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from graphcdp.model.base import DomainModel, JsonObject


class ChangeKind(StrEnum):
    """What happened to a person. A member's name is its value (GraphQL shows enum values by name)."""

    CREATED = "CREATED"
    TRAITS_CHANGED = "TRAITS_CHANGED"
    IDENTIFIERS_CHANGED = "IDENTIFIERS_CHANGED"
    MERGED = "MERGED"
    SPLIT = "SPLIT"
    RECORD_REMOVED = "RECORD_REMOVED"
    CONSENT_CHANGED = "CONSENT_CHANGED"
    SEGMENT_ENTERED = "SEGMENT_ENTERED"
    SEGMENT_EXITED = "SEGMENT_EXITED"
    ERASED = "ERASED"


@dataclass(frozen=True)
class ChangeEvent:
    """A change a write statement appends to the feed, if and only if it writes the change itself. `data` is
    small and holds no personal data: ids, trait keys, identifier types, consent purposes, segment keys."""

    kind: ChangeKind
    person_id: str
    data: dict[str, Any] = field(default_factory=dict)

    def param(self) -> dict[str, str]:
        """The map a statement's `changes` list holds (see cypher/feed/emit.fragment)."""
        return {"kind": self.kind.value, "personId": self.person_id, "data": json.dumps(self.data, sort_keys=True)}


def change_params(changes: list[ChangeEvent]) -> list[dict[str, str]]:
    return [change.param() for change in changes]


def change_for_statement(kind: ChangeKind, data: dict[str, Any]) -> dict[str, str]:
    """A statement's `change` parameter: the event without its person, whom the statement itself finds (the
    record's, the identifier's) as it writes the change."""
    return {"kind": kind.value, "data": json.dumps(data, sort_keys=True)}


class Change(DomainModel):
    """One event of the feed as stored (feed/changes): its sequence is the cursor."""

    sequence: int
    kind: ChangeKind
    person_id: str
    at: int
    data: JsonObject


class FeedBounds(DomainModel):
    """feed/bounds: the oldest sequence still kept and the newest written (0 when none yet)."""

    first: int
    last: int


class PrunedChanges(DomainModel):
    """feed/prune: how many events retention removed, and the oldest sequence kept now."""

    removed: int
    first: int


class ForgottenChanges(DomainModel):
    """feed/erase_person_changes: her events removed, and other events whose data named her, scrubbed."""

    removed: int
    scrubbed: int
