"""Identity resolution models: what connectors send and what they get back."""

from __future__ import annotations

import json
from collections.abc import Mapping
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, Field, model_validator

from graphcdp.model.base import DomainModel, JsonObject


class RecordAction(StrEnum):
    CREATED = "CREATED"  # a new record
    UPDATED = "UPDATED"  # a known record whose content changed
    UNCHANGED = "UNCHANGED"  # re-sent as it was: nothing written
    MERGED = "MERGED"  # the record brought persons together


class ItemError(BaseModel):
    index: int  # position in the input list (or line number in a bulk import)
    code: str
    message: str


class RecordResult(BaseModel):
    index: int
    person_id: str
    action: RecordAction


class MatchSummary(BaseModel):
    """What probabilistic matching did for one upsert call."""

    pairs_scored: int = 0
    matched: int = 0  # pairs linked (MATCHED)
    possible: int = 0  # pairs sent to the review queue (POSSIBLE_MATCH)
    blocks_skipped: list[dict[str, Any]] = Field(default_factory=list)  # {key, size}: blocks over the size cap


class UpsertOutcome(BaseModel):
    results: list[RecordResult] = Field(default_factory=list)
    errors: list[ItemError] = Field(default_factory=list)
    persons_created: list[str] = Field(default_factory=list)
    persons_merged: list[str] = Field(default_factory=list)  # ids retired into another person
    links_rejected: list[dict[str, Any]] = Field(default_factory=list)
    matching: MatchSummary = Field(default_factory=MatchSummary)


# --- persons and records, as read from the graph --------------------------------------------------------


def _flag(value: Any) -> bool:
    """A boolean property that older graphs may not have set (null means false)."""
    return bool(value)


Flag = Annotated[bool, BeforeValidator(_flag)]


class PersonIdentifier(DomainModel):
    key: str
    type: str
    value: str
    blocked: Flag = False
    shared: Flag = False


class PersonRecord(DomainModel):
    key: str
    source: str
    source_id: str
    observed_at: int | None = None


class HistoryEvent(DomainModel):
    """One event of a person's history (created, merged_from, merged_into, split_into, rejected_link,
    emptied): stored as a JSON object {kind, at, ...detail}."""

    kind: str
    at: int
    detail: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _from_stored(cls, value: Any) -> Any:
        event = json.loads(value) if isinstance(value, str) else value
        if isinstance(event, Mapping) and "detail" not in event:
            rest = {k: v for k, v in event.items() if k not in {"kind", "at"}}
            return {"kind": event.get("kind"), "at": event.get("at"), "detail": rest}
        return event


def _history(value: Any) -> Any:
    return value or []


class Person(DomainModel):
    """A person as the API shows it: golden traits, identifiers by key, records oldest first, history by time.
    The row of identity/person_by_id (and of explore/persons_by_ids)."""

    id: str
    created_at: int | None = None
    updated_at: int | None = None
    traits: JsonObject = Field(default_factory=dict)
    history: Annotated[list[HistoryEvent], BeforeValidator(_history)] = Field(default_factory=list)
    identifiers: list[PersonIdentifier] = Field(default_factory=list)
    records: list[PersonRecord] = Field(default_factory=list)

    @model_validator(mode="after")
    def _ordered(self) -> Person:
        self.history.sort(key=lambda e: e.at)
        self.identifiers.sort(key=lambda i: i.key)
        self.records.sort(key=lambda r: (r.observed_at or 0, r.key))
        return self
