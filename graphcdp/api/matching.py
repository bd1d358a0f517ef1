"""GraphQL of probabilistic matching: the review queue, a reviewer's decision, and the model in force."""

from __future__ import annotations

from typing import cast

import strawberry
from strawberry.scalars import JSON

from graphcdp.api.audit import audit
from graphcdp.api.auth import needs
from graphcdp.api.context import Info
from graphcdp.api.pagination import InvalidCursorError, PageInfo, check_page_size, decode_cursor, encode_cursor
from graphcdp.api.scalars import DateTime
from graphcdp.auth.audit import AuditAction
from graphcdp.auth.scopes import Scope
from graphcdp.identity.matching.review import ReviewItem
from graphcdp.model.identity import PairExplanation


@strawberry.type(description="One comparison of a scored pair: the level it reached and the weight that gave.")
class ComparisonWeight:
    field: str
    level: str = strawberry.field(description='A level name, "else" (no level held) or "null" (a value missing).')
    weight: float = strawberry.field(description="log2(m/u): evidence for (+) or against (-) one person.")
    m: float | None
    u: float | None = strawberry.field(description="The u used: the level's, or the value's term frequency.")
    a: str | None = strawberry.field(description="The compared value of the first record (cleaned).")
    b: str | None
    term_frequency: float | None = strawberry.field(description="Set when the value's rarity replaced u.")


@strawberry.type(description="Why a pair scored what it did: prior + comparison weights = weight (a waterfall).")
class MatchExplanation:
    prior_weight: float
    weight: float
    probability: float
    comparisons: list[ComparisonWeight]

    @staticmethod
    def from_model(detail: PairExplanation) -> MatchExplanation:
        return MatchExplanation(
            prior_weight=detail.prior_weight,
            weight=detail.weight,
            probability=detail.probability,
            comparisons=[
                ComparisonWeight(
                    field=f.field,
                    level=f.level,
                    weight=f.weight,
                    m=f.m,
                    u=f.u,
                    a=f.a,
                    b=f.b,
                    term_frequency=f.term_frequency,
                )
                for f in detail.fields
            ],
        )


@strawberry.type
class MatchRecord:
    key: str = strawberry.field(description="source:sourceId")
    person_id: strawberry.ID | None
    traits: JSON


@strawberry.type(description="Two records that scored between the review and auto thresholds.")
class MatchCandidate:
    id: strawberry.ID
    score: float = strawberry.field(description="Match probability.")
    rule: str = strawberry.field(description="The model (name@version) that scored it.")
    scored_at: DateTime | None
    a: MatchRecord
    b: MatchRecord
    explanation: MatchExplanation | None

    @staticmethod
    def from_item(item: ReviewItem) -> MatchCandidate:
        return MatchCandidate(
            id=strawberry.ID(item.id),
            score=item.score,
            rule=item.rule,
            scored_at=item.at or None,
            a=MatchRecord(key=item.a, person_id=_id(item.person_a), traits=cast(JSON, item.traits_a)),
            b=MatchRecord(key=item.b, person_id=_id(item.person_b), traits=cast(JSON, item.traits_b)),
            explanation=MatchExplanation.from_model(item.explanation) if item.explanation else None,
        )


def _id(value: str | None) -> strawberry.ID | None:
    return strawberry.ID(value) if value else None


@strawberry.type
class MatchCandidateEdge:
    node: MatchCandidate
    cursor: str


@strawberry.type
class MatchCandidateConnection:
    edges: list[MatchCandidateEdge]
    page_info: PageInfo


@strawberry.type
class ResolveMatchPayload:
    accepted: bool
    person_ids: list[strawberry.ID] = strawberry.field(description="The persons of the two records afterwards.")


@strawberry.type
class MatchingModelInfo:
    name: str
    version: int = strawberry.field(description="Stored version; 0: the model from the file, not stored.")
    fingerprint: str = strawberry.field(description="What is compared and blocked, without weights.")
    model: JSON = strawberry.field(description="The whole model: comparisons, levels, m/u, blocking, thresholds.")


def _model_info(info: Info) -> MatchingModelInfo:
    model = info.context.identity.matching.model
    return MatchingModelInfo(
        name=model.name,
        version=model.version,
        fingerprint=model.fingerprint,
        model=cast(JSON, model.model_dump(mode="json", by_alias=True, exclude_none=True)),
    )


@strawberry.type
class MatchingQuery:
    @strawberry.field(extensions=needs(Scope.REVIEW), description="Pairs waiting for a reviewer, highest score first.")
    async def review_queue(self, info: Info, first: int = 20, after: str | None = None) -> MatchCandidateConnection:
        check_page_size(first, info.context.settings.max_page_size)
        position = decode_cursor(after) if after else None
        if position is not None and not isinstance(position, str):
            raise InvalidCursorError("after: not a cursor this API gave out")
        items, more = await info.context.identity.review_queue(first, position)
        edges = [MatchCandidateEdge(node=MatchCandidate.from_item(i), cursor=encode_cursor(i.order)) for i in items]
        return MatchCandidateConnection(
            edges=edges, page_info=PageInfo(has_next_page=more, end_cursor=edges[-1].cursor if edges else None)
        )

    @strawberry.field(extensions=needs(Scope.ADMIN), description="The matching model in force.")
    def matching_model(self, info: Info) -> MatchingModelInfo:
        return _model_info(info)


@strawberry.type
class MatchingMutation:
    @strawberry.mutation(
        extensions=needs(Scope.REVIEW),
        description="Decide a pair: accept links the records (whatever the scores say); reject keeps them apart "
        "for good, across re-ingests and rescoring.",
    )
    async def resolve_match(self, info: Info, id: strawberry.ID, accept: bool) -> ResolveMatchPayload:
        persons = await info.context.identity.resolve_match(str(id), accept)
        return ResolveMatchPayload(accepted=accept, person_ids=[strawberry.ID(p) for p in persons])

    @strawberry.mutation(
        extensions=needs(Scope.ADMIN),
        description="Replace the matching model (admin): validated whole, stored as the next version, in force "
        "at once. A refused model leaves the running one.",
    )
    async def set_matching_model(self, info: Info, model: JSON) -> MatchingModelInfo:
        await info.context.identity.set_matching_model(model)
        stored = info.context.identity.matching.model
        await audit(info, AuditAction.MATCHING_MODEL_SET, f"{stored.name}@{stored.version}")
        return _model_info(info)
