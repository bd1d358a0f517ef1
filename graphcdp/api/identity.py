"""GraphQL types, queries and mutations of identity resolution: thin mappings over IdentityService."""

from __future__ import annotations

from collections.abc import Awaitable
from enum import Enum
from typing import Annotated, cast

import strawberry
from pydantic import ValidationError
from strawberry.scalars import JSON

from graphcdp.api.audit import audit
from graphcdp.api.auth import needs
from graphcdp.api.common import IdentifierInput, ItemError, ItemWarning
from graphcdp.api.context import Info
from graphcdp.api.matching import MatchExplanation
from graphcdp.api.memberships import SegmentMembership, person_segments
from graphcdp.api.profiles import (
    Consent,
    Metrics,
    TouchpointConnection,
    person_consents,
    person_journey,
    person_metrics,
)
from graphcdp.api.scalars import DateTime
from graphcdp.auth.audit import AuditAction, record_target
from graphcdp.auth.scopes import Scope
from graphcdp.batch import item_error
from graphcdp.identity.matching.review import pair_id
from graphcdp.model import identity as model
from graphcdp.model.inputs import IdentifierValue
from graphcdp.model.node_ref import NodeKind, parse_node_ref


@strawberry.input
class RecordInput:
    source: str = strawberry.field(description='Where the record comes from, e.g. "crm", "pos", "web".')
    source_id: str = strawberry.field(description="The record's id in that source; (source, sourceId) is idempotent.")
    observed_at: DateTime | None = strawberry.field(default=None, description="When it was observed; default now.")
    identifiers: list[IdentifierInput] = strawberry.field(description="Identifiers the record carries.")
    traits: JSON | None = strawberry.field(
        default=None,
        description="firstName, lastName, birthDate (YYYY-MM-DD), gender, address {street, city, postalCode, "
        "region, country}, any custom keys.",
    )

    def to_model(self, index: int) -> model.RecordInput | model.ItemError:
        """The domain input; a value that does not fit (a bad date, traits that are no object) is this item's
        error, at its index."""
        try:
            return model.RecordInput(
                source=self.source,
                source_id=self.source_id,
                observed_at=self.observed_at,
                identifiers=[IdentifierValue(type=i.type, value=i.value) for i in self.identifiers],
                traits=self.traits,
            )
        except ValidationError as exc:
            return item_error(index, exc)


RecordAction = strawberry.enum(model.RecordAction, name="RecordAction")


@strawberry.type
class RecordResult:
    index: int = strawberry.field(description="Position in the input list.")
    person_id: strawberry.ID
    action: model.RecordAction


@strawberry.type
class RejectedLink:
    record: str
    identifier: str
    reason: str


@strawberry.type
class UpsertRecordsPayload:
    results: list[RecordResult]
    errors: list[ItemError]
    warnings: list[ItemWarning] = strawberry.field(
        description="Values of stored records that were not understood (a birth date that is not YYYY-MM-DD): "
        "each record was stored with the value as sent."
    )
    persons_created: list[strawberry.ID] = strawberry.field(description="New persons (placeholders in a dry run).")
    persons_merged: list[strawberry.ID] = strawberry.field(description="Person ids retired into another person.")
    links_rejected: list[RejectedLink] = strawberry.field(description="Links refused by merge protection.")
    matching: MatchingSummary = strawberry.field(
        description="What probabilistic matching did (in a dry run: would do)."
    )
    dry_run: bool


@strawberry.type
class SkippedBlock:
    key: str = strawberry.field(description="The blocking key (rule=values).")
    size: int = strawberry.field(description="Records in it: more than the model's maxBlockSize.")


@strawberry.type
class MatchingSummary:
    pairs_scored: int
    matched: int = strawberry.field(description="Pairs linked (MATCHED).")
    possible: int = strawberry.field(description="Pairs sent to the review queue (POSSIBLE_MATCH).")
    blocks_skipped: list[SkippedBlock] = strawberry.field(
        description="Blocks over the size cap: too common a value to compare everything in them."
    )


@strawberry.type
class SplitPayload:
    person_ids: list[strawberry.ID] = strawberry.field(description="Persons holding the affected evidence afterwards.")


@strawberry.type
class Identifier:
    type: str
    value: str
    key: str
    blocked: bool
    shared: bool


@strawberry.type
class PersonRecord:
    source: str
    source_id: str
    observed_at: DateTime | None


@strawberry.type
class HistoryEvent:
    kind: str = strawberry.field(description="created, merged_from, merged_into, split_into, rejected_link, emptied")
    at: DateTime
    detail: JSON


@strawberry.type
class Person:
    id: strawberry.ID
    created_at: DateTime | None
    updated_at: DateTime | None
    identifiers: list[Identifier]
    records: list[PersonRecord]
    traits: JSON = strawberry.field(description="Golden record: per key, the trusted / most recent non-empty value.")
    domain: strawberry.Private[model.Person]

    @strawberry.field
    def history(self) -> list[HistoryEvent]:
        # Decoded only when asked for (a long-lived person has hundreds of events).
        return [HistoryEvent(kind=e.kind, at=e.at, detail=cast(JSON, e.detail)) for e in self.domain.history]

    @strawberry.field(description="Touchpoints across all of her identifiers, newest first.")
    async def journey(
        self,
        info: Info,
        *,
        first: int = 20,
        after: str | None = None,
        types: list[str] | None = None,
        channels: list[str] | None = None,
        from_: Annotated[DateTime | None, strawberry.argument(name="from")] = None,
        to: DateTime | None = None,
    ) -> TouchpointConnection:
        return await person_journey(
            info, str(self.id), first=first, after=after, types=types, channels=channels, from_=from_, to=to
        )

    @strawberry.field(description="Orders, revenue, returns, recency, engagement and RFM scores, computed now.")
    async def metrics(self, info: Info) -> Metrics:
        return await person_metrics(info, str(self.id))

    @strawberry.field(description="Consent in force per purpose and channel (the latest statement wins).")
    async def consents(self, info: Info) -> list[Consent]:
        return await person_consents(info, str(self.id), history=False)

    @strawberry.field(description="Every consent statement given through any of her identifiers, oldest first.")
    async def consent_history(self, info: Info) -> list[Consent]:
        return await person_consents(info, str(self.id), history=True)

    @strawberry.field(description="The segments she is a member of now, by key, and since when.")
    async def segments(self, info: Info) -> list[SegmentMembership]:
        return await person_segments(info, str(self.id))

    @classmethod
    def from_model(cls, person: model.Person) -> Person:
        return cls(
            id=strawberry.ID(person.id),
            created_at=person.created_at,
            updated_at=person.updated_at,
            identifiers=[
                Identifier(type=i.type, value=i.value, key=i.key, blocked=i.blocked, shared=i.shared)
                for i in person.identifiers
            ],
            records=[
                PersonRecord(source=r.source, source_id=r.source_id, observed_at=r.observed_at) for r in person.records
            ],
            traits=cast(JSON, person.traits),
            domain=person,
        )


@strawberry.type
class SourceRecord:
    source: str
    source_id: str
    observed_at: DateTime | None
    traits: JSON
    detached: bool
    person_id: strawberry.Private[str | None]

    @strawberry.field
    async def person(self, info: Info) -> Person | None:
        if not self.person_id:
            return None
        found = await info.context.identity.person(self.person_id)
        return Person.from_model(found) if found else None

    @classmethod
    def from_model(cls, record: model.SourceRecord) -> SourceRecord:
        return cls(
            source=record.source,
            source_id=record.source_id,
            observed_at=record.observed_at,
            traits=cast(JSON, record.traits),
            detached=record.detached,
            person_id=record.person,
        )


@strawberry.enum
class LinkKind(Enum):
    IDENTIFIER = "identifier"  # a record observed an identifier
    MATCH = "match"  # two records matched on their traits (probabilistic, or accepted by a reviewer)


@strawberry.type
class LinkHop:
    from_key: str = strawberry.field(name="from", description="Identifier or record:<source>:<sourceId>.")
    to_key: str = strawberry.field(name="to")
    kind: LinkKind
    source: str = strawberry.field(
        description="Source of the record that observed the identifier (a MATCH hop: of the record it leads to)."
    )
    source_id: str
    at: DateTime | None = strawberry.field(description="When that record observed it, or when the match was scored.")
    score: float | None = strawberry.field(description="MATCH: the match probability.")
    rule: str | None = strawberry.field(description='MATCH: the model (name@version) that scored it, or "review".')
    reviewed: bool = strawberry.field(description="MATCH: a reviewer accepted it.")
    explanation: MatchExplanation | None = strawberry.field(
        description="MATCH: each comparison's level and weight; prior + weights = the total weight."
    )
    match_id: strawberry.ID | None = strawberry.field(
        description="MATCH: the pair's id for resolveMatch (reject it to undo the match for good)."
    )

    @classmethod
    def from_model(cls, hop: model.LinkHop) -> LinkHop:
        (_, from_key), (_, to_key) = parse_node_ref(hop.from_key), parse_node_ref(hop.to_key)
        match = hop.kind == model.HopKind.MATCH
        return cls(
            from_key=_shown(hop.from_key),
            to_key=_shown(hop.to_key),
            kind=LinkKind(hop.kind.value),
            source=hop.source,
            source_id=hop.source_id,
            at=hop.at,
            score=hop.score,
            rule=hop.rule,
            reviewed=hop.reviewed,
            explanation=MatchExplanation.from_model(hop.explanation) if hop.explanation else None,
            match_id=strawberry.ID(pair_id(from_key, to_key)) if match else None,
        )


def _shown(ref: str) -> str:
    """A hop's end as the API has always shown it: an identifier by its key, a record as record:<key>."""
    kind, key = parse_node_ref(ref)
    return key if kind == NodeKind.IDENTIFIER else ref


@strawberry.type
class LinkExplanation:
    linked: bool
    person_id: strawberry.ID | None
    reason: str
    hops: list[LinkHop]


@strawberry.type
class IdentityQuery:
    @strawberry.field(
        extensions=needs(Scope.PROFILES_READ),
        description="The person of any identifier, in any input spelling; null if unknown.",
    )
    async def profile(self, info: Info, identifier: IdentifierInput) -> Person | None:
        key = info.context.identity.normalize_key(identifier.type, identifier.value)
        found = await info.context.loaders.person_by_key.load(key)
        return Person.from_model(found) if found else None

    @strawberry.field(
        extensions=needs(Scope.PROFILES_READ),
        description="A person by id; an id retired by a merge answers with the surviving person.",
    )
    async def person(self, info: Info, id: strawberry.ID) -> Person | None:
        found = await info.context.identity.person(str(id))
        return Person.from_model(found) if found else None

    @strawberry.field(extensions=needs(Scope.PROFILES_READ), description="One source record and its person.")
    async def record(self, info: Info, source: str, source_id: str) -> SourceRecord | None:
        found = await info.context.identity.record(source, source_id)
        return SourceRecord.from_model(found) if found else None

    @strawberry.field(
        extensions=needs(Scope.PROFILES_READ),
        description="Why two identifiers are linked: the evidence path, each hop with provenance.",
    )
    async def explain_link(self, info: Info, a: IdentifierInput, b: IdentifierInput) -> LinkExplanation:
        found = await info.context.identity.explain_link((a.type, a.value), (b.type, b.value))
        return LinkExplanation(
            linked=found.linked,
            person_id=strawberry.ID(found.person_id) if found.person_id else None,
            reason=found.reason,
            hops=[LinkHop.from_model(h) for h in found.hops],
        )


@strawberry.type
class IdentityMutation:
    @strawberry.mutation(
        extensions=needs(Scope.RECORDS_WRITE),
        description="Upsert source records; each is linked into a person. Per-item errors.",
    )
    async def upsert_records(
        self, info: Info, records: list[RecordInput], dry_run: bool = False
    ) -> UpsertRecordsPayload:
        outcome = await info.context.identity.upsert_records(
            [r.to_model(index) for index, r in enumerate(records)], dry_run
        )
        return UpsertRecordsPayload(
            results=[
                RecordResult(index=r.index, person_id=strawberry.ID(r.person_id), action=r.action)
                for r in outcome.results
            ],
            errors=[ItemError(index=e.index, code=e.code, message=e.message) for e in outcome.errors],
            warnings=[
                ItemWarning(index=w.index, path=w.path, code=w.code, message=w.message) for w in outcome.warnings
            ],
            persons_created=[strawberry.ID(p) for p in outcome.persons_created],
            persons_merged=[strawberry.ID(p) for p in outcome.persons_merged],
            links_rejected=[
                RejectedLink(record=r.record, identifier=r.identifier, reason=r.reason) for r in outcome.links_rejected
            ],
            matching=MatchingSummary(
                pairs_scored=outcome.matching.pairs_scored,
                matched=outcome.matching.matched,
                possible=outcome.matching.possible,
                blocks_skipped=[SkippedBlock(key=b.key, size=b.size) for b in outcome.matching.blocks_skipped],
            ),
            dry_run=dry_run,
        )

    @strawberry.mutation(
        extensions=needs(Scope.RECORDS_WRITE),
        description="The record leaves its person (keeps its evidence); the rest re-clusters.",
    )
    async def detach_record(self, info: Info, source: str, source_id: str) -> SplitPayload:
        return await _split(info.context.identity.detach_record(source, source_id))

    @strawberry.mutation(
        extensions=needs(Scope.PRIVACY), description="The record and its evidence are removed; the rest re-clusters."
    )
    async def delete_record(self, info: Info, source: str, source_id: str) -> SplitPayload:
        payload = await _split(info.context.identity.delete_record(source, source_id))
        await audit(info, AuditAction.RECORD_DELETED, record_target(source, source_id))
        return payload


async def _split(work: Awaitable[list[str]]) -> SplitPayload:
    persons = await work
    return SplitPayload(person_ids=[strawberry.ID(p) for p in persons])
