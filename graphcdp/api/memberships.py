"""Person.segments: the segments a person is a member of, through a per-request DataLoader (a page of persons
costs one round trip). Kept apart from graphcdp/api/segments.py, which needs the Person type itself."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from graphcdp.api.context import Info
from graphcdp.api.scalars import DateTime

if TYPE_CHECKING:
    from graphcdp.api.segments import Segment


@strawberry.type(description="A person's membership of a segment.")
class SegmentMembership:
    since: DateTime = strawberry.field(description="When she entered the segment (this time).")
    key: strawberry.Private[str]

    @strawberry.field
    async def segment(self, info: Info) -> Annotated[Segment, strawberry.lazy("graphcdp.api.segments")]:
        from graphcdp.api.segments import Segment

        found = await info.context.loaders.segment_by_key.load(self.key)
        assert found is not None  # the membership edge ends at the segment node
        return Segment.from_model(found)


async def person_segments(info: Info, person_id: str) -> list[SegmentMembership]:
    memberships = await info.context.loaders.memberships.load(person_id)
    return [SegmentMembership(since=m.since, key=m.key) for m in memberships]


async def person_segment_keys(info: Info, person_id: str) -> list[str]:
    return [m.key for m in await info.context.loaders.memberships.load(person_id)]
