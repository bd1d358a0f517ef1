"""Probabilistic matching as read from the graph: match keys, candidate records, links, stored models and
the review queue."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from graphcdp.model.base import DomainModel, JsonObject
from graphcdp.model.identity import Flag, PairExplanation, StoredExplanation


class BlockMember(DomainModel):
    """A candidate record found through its blocks (matching/block_members). Its traits stay JSON text: the
    features of a stored record are cached by that text."""

    key: str
    blocks: list[str]
    traits: str | None = None
    hash: str | None = None
    identifiers: list[str]
    detached: Flag = False
    cannot: list[str]


class LinksWritten(DomainModel):
    """What matching/write_links stored: how many pairs, and the MATCHED links as (a, b, score)."""

    links: int
    matched: list[tuple[str, str, float]] = Field(default_factory=list)


class StoredModelVersion(DomainModel):
    """The version a stored matching model got (matching/store_model)."""

    version: int


class ActiveModelVersion(DomainModel):
    """The version of the active stored model; None when no model is stored (matching/active_model_version)."""

    version: int | None = None


class StoredModel(DomainModel):
    """The active stored model, as JSON text (matching/active_model): parsed and validated by its reader."""

    version: int
    model: str


class MatchingRecord(DomainModel):
    """A record with traits, as training and rematching read them (matching/records_page)."""

    key: str
    traits: JsonObject
    hash: str | None = None
    identifiers: list[str]


class RecordFeaturesRow(DomainModel):
    """What a record is compared on (matching/match_records)."""

    key: str
    traits: JsonObject
    identifiers: list[str]


class ScoredLinkRow(DomainModel):
    """A scored link as stored: MATCHED (matched) or POSSIBLE_MATCH (matching/scored_links)."""

    a: str
    b: str
    matched: Flag
    score: float | None = None


class ReviewQueueEntry(DomainModel):
    """One POSSIBLE_MATCH of the review queue, in queue order (matching/review_queue)."""

    id: str  # the queue position
    a: str
    b: str
    score: float
    weight: float
    detail: StoredExplanation = None
    rule: str | None = None
    at: int | None = None
    person_a: str | None = None
    person_b: str | None = None
    traits_a: JsonObject
    traits_b: JsonObject


class RankedEntries(DomainModel):
    ranked: int


class MatchDecided(DomainModel):
    """A reviewer's decision applied (matching/decide_match): no row when the records are gone."""

    scored: int
    decided: Flag


class ReviewItem(DomainModel):
    """A pair waiting for a reviewer, as the API shows it."""

    id: str  # the pair's id (resolveMatch)
    a: str
    b: str
    score: float
    weight: float
    explanation: PairExplanation | None = None
    rule: str
    at: int
    person_a: str | None
    person_b: str | None
    order: str  # the queue position (the keyset cursor)
    traits_a: dict[str, Any]
    traits_b: dict[str, Any]
