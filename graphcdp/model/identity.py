"""Identity resolution models: what connectors send and what they get back."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from graphcdp.errors import ErrorCode


class RecordAction(StrEnum):
    CREATED = "CREATED"  # a new record
    UPDATED = "UPDATED"  # a known record whose content changed
    UNCHANGED = "UNCHANGED"  # re-sent as it was: nothing written
    MERGED = "MERGED"  # the record brought persons together


class ItemError(BaseModel):
    index: int  # position in the input list (or line number in a bulk import)
    code: ErrorCode
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
