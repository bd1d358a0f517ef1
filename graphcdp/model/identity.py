"""Identity resolution models: what connectors send, what they get back, and persons, records and their
evidence as read from the graph (the row types of the identity statements)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from enum import StrEnum
from functools import cached_property
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from graphcdp.errors import ErrorCode
from graphcdp.model.base import DomainModel, JsonObject
from graphcdp.model.inputs import (
    RESERVED_SOURCE_PREFIX,
    IdentifierValue,
    ItemInvalid,
    epoch_ms,
    identifier_values,
    invalid,
    required_text,
)


class RecordAction(StrEnum):
    CREATED = "CREATED"  # a new record
    UPDATED = "UPDATED"  # a known record whose content changed
    UNCHANGED = "UNCHANGED"  # re-sent as it was: nothing written
    MERGED = "MERGED"  # the record brought persons together


class ItemError(BaseModel):
    index: int  # position in the input list (or line number in a bulk import)
    code: ErrorCode
    message: str


class ItemWarning(BaseModel):
    """A stored item with a value graphcdp did not understand: kept as sent, and matched as far as it can be."""

    index: int  # position in the input list (or line number in a bulk import)
    path: str  # where in the item: "traits.birthDate"
    code: ErrorCode
    message: str


class RecordResult(BaseModel):
    index: int
    person_id: str
    action: RecordAction


class SkippedBlock(BaseModel):
    """A block over the size cap: too common a value to compare everything in it."""

    key: str
    size: int


class MatchSummary(BaseModel):
    """What probabilistic matching did for one upsert call."""

    pairs_scored: int = 0
    matched: int = 0  # pairs linked (MATCHED)
    possible: int = 0  # pairs sent to the review queue (POSSIBLE_MATCH)
    blocks_skipped: list[SkippedBlock] = Field(default_factory=list)


class RejectedLink(BaseModel):
    """A link merge protection refused: the record keeps its person, the identifier stays with another."""

    record: str
    identifier: str
    reason: str


class UpsertOutcome(BaseModel):
    results: list[RecordResult] = Field(default_factory=list)
    errors: list[ItemError] = Field(default_factory=list)
    warnings: list[ItemWarning] = Field(default_factory=list)  # of stored items only
    persons_created: list[str] = Field(default_factory=list)
    persons_merged: list[str] = Field(default_factory=list)  # ids retired into another person
    links_rejected: list[RejectedLink] = Field(default_factory=list)
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


def _event(stored: str) -> HistoryEvent:
    event = json.loads(stored)
    kind, at = event.pop("kind", None), event.pop("at", None)
    return HistoryEvent.model_construct(kind=kind, at=at, detail=event)  # written by graphcdp (identity/history.py)


class Person(DomainModel):
    """A person as the API shows it: golden traits, identifiers by key, records oldest first, history by time.
    The row of identity/person_by_id (and of explore/persons_by_ids).

    Her history is kept as stored (one JSON text per event) and decoded when it is read: a long-lived person
    has hundreds of events, and most requests (a chatbot's `context`) never ask for them."""

    id: str
    created_at: int | None = None
    updated_at: int | None = None
    traits: JsonObject = Field(default_factory=dict)
    stored_history: list[str] = Field(default_factory=list, alias="history")
    identifiers: list[PersonIdentifier] = Field(default_factory=list)
    records: list[PersonRecord] = Field(default_factory=list)

    @model_validator(mode="after")
    def _ordered(self) -> Person:
        self.identifiers.sort(key=lambda i: i.key)
        self.records.sort(key=lambda r: (r.observed_at or 0, r.key))
        return self

    @cached_property
    def history(self) -> list[HistoryEvent]:
        """Her events, oldest first. An entry into a segment stored before entries were read from her `IN` edges
        comes twice, as the same text: it counts once."""
        return sorted((_event(stored) for stored in dict.fromkeys(self.stored_history)), key=lambda e: e.at)


class KeyedPerson(Person):
    """The row of identity/person_by_identifier: the person of one identifier key."""

    key: str


class Membership(DomainModel):
    """A row of segments/memberships (and of her context): a person is a member of a segment since a time
    (epoch ms)."""

    person: str
    key: str
    name: str | None = None
    since: int


class SourceRecord(DomainModel):
    """One source record and the person holding it (identity/record_by_key)."""

    key: str
    source: str
    source_id: str
    observed_at: int | None = None
    traits: JsonObject = Field(default_factory=dict)
    detached: Flag = False
    person: str | None = None


# --- rows of the writes ---------------------------------------------------------------------------------


class KeySize(DomainModel):
    """How many records a match key (block or term) holds (matching/key_sizes, matching/index_records, and
    identity/upsert_records when it files records)."""

    key: str
    size: int


class HeldIdentifier(DomainModel):
    """An identifier a record just created holds, as stored (identity/upsert_records' `held`): when it links (not
    blocked), with the records that hold it and the person who owns it, as the component read would read it."""

    key: str
    type: str
    blocked: Flag = False
    shared: Flag = False
    records: list[str] = Field(default_factory=list)
    person: str | None = None


class UpsertedRecord(DomainModel):
    """What identity/upsert_records did with one record."""

    index: int
    key: str
    created: Flag
    unchanged: Flag
    person: str | None = None
    key_sizes: list[KeySize] = Field(default_factory=list)  # its match keys' sizes, when it was filed under them
    version: int = 0
    # Created now: the identifiers it holds, as the component read's first hop would read them. None otherwise (or
    # when the write was not asked).
    held: list[HeldIdentifier] | None = None


class UpsertedEvidence(DomainModel):
    """What identity/upsert_evidence did with one evidence record."""

    key: str
    unchanged: Flag
    person: str | None = None


class DetachedRecord(DomainModel):
    key: str


class UnresolvedRecord(DomainModel):
    """identity/unresolved_records: a record stored without a person (a crash between storing and resolving)."""

    key: str


class RecordlessPerson(DomainModel):
    """identity/recordless_persons: a live person without a record, and the identifiers it holds."""

    id: str
    identifiers: list[str]


class RekeyedRecord(DomainModel):
    """identity/park_record_keys, identity/rekey_records: a record re-keyed at start-up (the key it has now)."""

    key: str


class DeletedRecord(DomainModel):
    """What a deleted record held: its person, and what must be resolved again."""

    person: str | None = None
    identifiers: list[str]
    matched: list[str]


class CommitResult(DomainModel):
    """identity/commit_resolution answers one row when it committed (stale = 0), none when it did not."""

    stale: int


# --- an evidence component ------------------------------------------------------------------------------


class ComponentRecordRow(DomainModel):
    """A record of an evidence component (identity/component_records)."""

    key: str
    source: str
    observed_at: int
    traits: JsonObject
    detached: Flag = False
    version: int
    content_hash: str | None = None
    held: list[tuple[str, Flag]]  # every identifier it holds: (key, blocked)
    matched: list[tuple[str, float | None, Flag, str | None]]  # probabilistic links: (other, score, reviewed, rule)
    cannot: list[str]  # records a reviewer said are someone else
    person: str | None = None


class ComponentIdentifierRow(DomainModel):
    """An identifier of an evidence component (identity/component_identifiers)."""

    key: str
    type: str
    blocked: Flag = False
    shared: Flag = False
    records: list[str]
    person: str | None = None


class ComponentPerson(DomainModel):
    """A person of an evidence component: her golden traits as stored (the change feed says which keys a resolution
    changes), when she was created (the oldest person's id survives a merge) and her refused links."""

    id: str
    traits: JsonObject
    created_at: int | None = None
    rejections: list[str] | None = None


class ComponentHop(DomainModel):
    """A row of identity/component_hop: the records, the identifiers or the persons of one hop."""

    records: list[ComponentRecordRow]
    identifiers: list[ComponentIdentifierRow]
    persons: list[ComponentPerson]


# --- why two identifiers are linked ---------------------------------------------------------------------


class EvidenceEdge(DomainModel):
    """A record of a person holding one of its identifiers (identity/person_evidence)."""

    record: str
    source: str
    source_id: str
    identifier: str
    at: int | None = None


class MatchLink(DomainModel):
    """A probabilistic link inside one person (identity/person_matches)."""

    a: str
    a_source: str
    a_source_id: str
    b: str
    b_source: str
    b_source_id: str
    score: float | None = None
    rule: str | None = None
    reviewed: Flag = False
    detail: StoredExplanation = None
    at: int | None = None


class ComparisonDetail(DomainModel):
    """One comparison of a scored pair (FieldScore.to_dict)."""

    model_config = ConfigDict(extra="ignore")  # stored JSON: a later graphcdp may say more

    field: str
    level: str  # a level name, "else" (no level held) or "null" (a value missing)
    weight: float
    m: float | None = None
    u: float | None = None
    a: str | None = None
    b: str | None = None
    term_frequency: float | None = None


class PairExplanation(DomainModel):
    """Why a pair scored what it did (PairScore.to_dict, stored as JSON with the link): prior + comparison
    weights = weight."""

    model_config = ConfigDict(extra="ignore")

    prior_weight: float
    weight: float
    probability: float
    fields: list[ComparisonDetail]


def _explanation(value: Any) -> Any:
    """A stored explanation (JSON text); missing or empty means none."""
    if isinstance(value, str):
        value = json.loads(value) if value else None
    return value or None


StoredExplanation = Annotated[PairExplanation | None, BeforeValidator(_explanation)]


class HopKind(StrEnum):
    IDENTIFIER = "identifier"  # a record observed an identifier
    MATCH = "match"  # a probabilistic link between two records


class LinkHop(DomainModel):
    """One hop of an evidence path: node references (graphcdp.model.node_ref) at both ends."""

    from_key: str
    to_key: str
    source: str  # of the record that observed the identifier (a match hop: of the record it leads to)
    source_id: str
    at: int | None
    kind: HopKind = HopKind.IDENTIFIER
    score: float | None = None
    rule: str | None = None
    reviewed: bool = False
    explanation: PairExplanation | None = None  # a match hop: what its score rests on


class LinkExplanation(DomainModel):
    linked: bool
    person_id: str | None
    hops: list[LinkHop]
    reason: str


# --- what connectors send -------------------------------------------------------------------------------


def _source(value: Any) -> str:
    try:
        source = required_text(value, "source")
    except ItemInvalid as exc:
        raise invalid(exc.code, exc.message) from None
    if source.startswith(RESERVED_SOURCE_PREFIX):
        raise invalid(ErrorCode.RESERVED_SOURCE, f"source names starting with {RESERVED_SOURCE_PREFIX!r} are reserved")
    return source


def _source_id(value: Any) -> str:
    try:
        return required_text(value, "sourceId")
    except ItemInvalid as exc:
        raise invalid(exc.code, exc.message) from None


def _observed_at(value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        return epoch_ms(value, "observedAt")
    except ItemInvalid as exc:
        raise invalid(exc.code, exc.message) from None


def _identifiers(value: Any) -> list[IdentifierValue]:
    try:
        return identifier_values(value)
    except ItemInvalid as exc:
        raise invalid(exc.code, exc.message) from None


def _traits(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise invalid(ErrorCode.INVALID_TRAITS, f"traits must be a JSON object, not {type(value).__name__}")
    return dict(value)


class RecordInput(DomainModel):
    """One source record as a connector sends it, through the API or in a bulk import file (a JSON line,
    a CSV row): checked for shape here; identifiers are normalized and traits checked by
    `graphcdp.identity.input.parse_record`. Keys it does not know are ignored, as they always were."""

    model_config = ConfigDict(extra="ignore")

    source: Annotated[str, BeforeValidator(_source)]
    source_id: Annotated[str, BeforeValidator(_source_id)]
    observed_at: Annotated[int | None, BeforeValidator(_observed_at)] = None  # epoch ms; None: not given (now)
    identifiers: Annotated[list[IdentifierValue], BeforeValidator(_identifiers)] = Field(default_factory=list)
    traits: Annotated[dict[str, Any], BeforeValidator(_traits)] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, value: Any) -> Any:
        if not isinstance(value, Mapping | RecordInput):
            raise invalid(ErrorCode.INVALID_RECORD, "a record must be an object")
        return value
