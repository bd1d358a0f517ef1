"""Segments in GraphQL: saveSegment, deleteSegment, segments, segment, previewSegment, explainSegment; thin
mappings over SegmentService (graphcdp/segments/service.py)."""

from __future__ import annotations

from typing import cast

import strawberry
from strawberry.scalars import JSON

from graphcdp.api.auth import needs
from graphcdp.api.common import ItemError
from graphcdp.api.context import Info
from graphcdp.api.identity import Person
from graphcdp.api.pagination import InvalidCursorError, PageInfo, check_page_size, decode_cursor, encode_cursor
from graphcdp.api.scalars import DateTime
from graphcdp.auth.scopes import Scope
from graphcdp.errors import ErrorCode
from graphcdp.model import segments as model
from graphcdp.privacy.consent import MAX_NAME, InvalidConsentError
from graphcdp.segments.definition import InvalidSegment
from graphcdp.webhooks.consent import ConsentRule


@strawberry.type
class PersonEdge:
    node: Person
    cursor: str


@strawberry.type(description="A page of persons.")
class PersonConnection:
    edges: list[PersonEdge]
    page_info: PageInfo
    total_count: int = strawberry.field(description="Persons over all pages.")


@strawberry.type(description="A saved audience: a definition, and the live persons it holds, kept current.")
class Segment:
    key: str
    name: str | None
    description: str | None
    definition: JSON = strawberry.field(description="The definition as saved (docs/segments.md).")
    updated_at: DateTime | None

    @strawberry.field(description="Live persons who are members now.")
    async def size(self, info: Info) -> int:
        return await info.context.loaders.segment_size.load(self.key)

    @strawberry.field(
        description="Its members, by person id. With `purpose` (and `channel`), only the members whose consent in "
        "force for it is GRANTED, as for webhook destinations and `graphcdp export segment`: such a page may come "
        "back shorter than `first` (a page reads a bounded number of members), so go on while `hasNextPage`; "
        "`totalCount` is the segment's size before the consent filter."
    )
    async def members(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        purpose: str | None = None,
        channel: str | None = None,
    ) -> PersonConnection:
        check_page_size(first, info.context.settings.max_page_size)
        consent = _consent_rule(purpose, channel)
        page = await info.context.services.segments.members(self.key, first, _after_id(after), consent)
        edges = [PersonEdge(node=Person.from_model(p), cursor=encode_cursor(p.id)) for p in page.members]
        end = encode_cursor(page.resume_after) if page.resume_after else (edges[-1].cursor if edges else None)
        return PersonConnection(
            edges=edges,
            page_info=PageInfo(has_next_page=page.has_next, end_cursor=end),
            total_count=page.total,
        )

    @classmethod
    def from_model(cls, segment: model.StoredSegment) -> Segment:
        return cls(
            key=segment.key,
            name=segment.name,
            description=segment.description,
            definition=cast(JSON, segment.definition_json),
            updated_at=segment.updated_at,
        )


def _consent_rule(purpose: str | None, channel: str | None) -> ConsentRule | None:
    """The consent a consent-filtered page of members asks for, spelt as setConsent stores it."""
    if purpose is None:
        if channel is not None:
            raise InvalidConsentError("members: a channel needs a purpose (consent is given per purpose)")
        return None
    names = [name.strip().lower() for name in (purpose, channel) if name is not None]
    if any(not name or len(name) > MAX_NAME for name in names):
        raise InvalidConsentError(f"members: purpose and channel are 1 to {MAX_NAME} characters")
    return ConsentRule(names[0], names[1] if len(names) > 1 else None)


def _after_id(after: str | None) -> str | None:
    if after is None:
        return None
    position = decode_cursor(after)
    if not isinstance(position, str):
        raise InvalidCursorError("after: not a cursor this API gave out")
    return position


@strawberry.type
class SegmentPayload:
    segment: Segment | None = strawberry.field(description="The segment as saved; null when it was refused.")
    errors: list[ItemError] = strawberry.field(
        description="Why the definition was refused: code INVALID_SEGMENT, the message starting with the JSON path "
        "at fault (`$.all[1].trait: ...`); one per problem found."
    )


@strawberry.type
class SegmentPreview:
    size: int = strawberry.field(description="Live persons the definition holds now.")
    sample: list[Person] = strawberry.field(description="The first of them, by person id.")


@strawberry.type
class ConditionResult:
    path: str = strawberry.field(description="The condition's JSON path in the definition (`$` is the whole).")
    held: bool
    detail: str = strawberry.field(
        description="What it looked at: her trait values, the metric, the count or sum of touchpoints, the consent "
        "in force."
    )


@strawberry.type
class SegmentExplanation:
    member: bool = strawberry.field(description="Whether the person is a member now.")
    person_id: strawberry.ID = strawberry.field(description="The person explained (a merged-away id's survivor).")
    conditions: list[ConditionResult] = strawberry.field(description="Every condition, in definition order.")


@strawberry.type
class SegmentQuery:
    @strawberry.field(extensions=needs(Scope.PROFILES_READ), description="Every saved segment, by key.")
    async def segments(self, info: Info) -> list[Segment]:
        return [Segment.from_model(s) for s in await info.context.services.segments.every()]

    @strawberry.field(extensions=needs(Scope.PROFILES_READ), description="A saved segment; null if unknown.")
    async def segment(self, info: Info, key: str) -> Segment | None:
        found = await info.context.loaders.segment_by_key.load(key)
        return Segment.from_model(found) if found else None

    @strawberry.field(
        extensions=needs(Scope.PROFILES_READ),
        description="How many persons a definition holds now, and a sample of them; stores nothing.",
    )
    async def preview_segment(self, info: Info, definition: JSON, sample: int = 10) -> SegmentPreview:
        check_page_size(sample, info.context.settings.max_page_size, "sample")
        preview = await info.context.services.segments.preview(definition, sample)
        return SegmentPreview(size=preview.size, sample=[Person.from_model(p) for p in preview.sample])

    @strawberry.field(
        extensions=needs(Scope.PROFILES_READ),
        description="Which conditions of a segment hold for a person, and why; a merged-away id answers for "
        "its survivor.",
    )
    async def explain_segment(self, info: Info, key: str, person_id: strawberry.ID) -> SegmentExplanation:
        explanation = await info.context.services.segments.explain(key, str(person_id))
        return SegmentExplanation(
            member=explanation.member,
            person_id=strawberry.ID(explanation.person or ""),
            conditions=[ConditionResult(path=c.path, held=c.held, detail=c.detail) for c in explanation.conditions],
        )


@strawberry.type
class SegmentMutation:
    @strawberry.mutation(
        extensions=needs(Scope.SEGMENTS_WRITE),
        description="Create or replace a segment and evaluate it over every person; from then on it is kept "
        "current after every change. A name or description left out keeps the saved one.",
    )
    async def save_segment(
        self, info: Info, key: str, definition: JSON, name: str | None = None, description: str | None = None
    ) -> SegmentPayload:
        try:
            saved = await info.context.services.segments.save(key, definition, name, description)
        except InvalidSegment as exc:
            errors = [
                ItemError(index=i, code=ErrorCode.INVALID_SEGMENT, message=f"{e.path}: {e.message}")
                for i, e in enumerate(exc.errors)
            ]
            return SegmentPayload(segment=None, errors=errors)
        return SegmentPayload(segment=Segment.from_model(saved), errors=[])

    @strawberry.mutation(
        extensions=needs(Scope.SEGMENTS_WRITE),
        description="Delete a segment and its memberships; false if there was none. Refused (SEGMENT_IN_USE) "
        "while another segment is built on it.",
    )
    async def delete_segment(self, info: Info, key: str) -> bool:
        return await info.context.services.segments.delete(key)
