"""The change feed over GraphQL (scope changes:read): `changes`, pages of events from a cursor. A cursor is an
event's sequence, in decimal: a loader keeps the last one it handled and resumes after it."""

from __future__ import annotations

from typing import cast

import strawberry
from strawberry.scalars import JSON

from graphcdp.api.auth import needs
from graphcdp.api.context import Info
from graphcdp.api.pagination import InvalidCursorError, PageInfo, check_page_size
from graphcdp.api.scalars import DateTime
from graphcdp.auth.scopes import Scope
from graphcdp.model import feed as model

# strawberry.enum registers the class itself: fields use model.ChangeKind.
strawberry.enum(model.ChangeKind, name="ChangeKind", description="What happened to a person (docs/change-feed.md).")


@strawberry.type(description="One change to a person, in the feed's order. Never values: ids, trait keys, types.")
class Change:
    sequence: str = strawberry.field(
        description="Its place in the feed (an integer, in decimal, rising): the cursor to resume after."
    )
    kind: model.ChangeKind
    person_id: strawberry.ID = strawberry.field(
        description="The person it happened to (for MERGED the survivor; the retired id is data.from)."
    )
    at: DateTime = strawberry.field(description="When the change was written.")
    data: JSON | None = strawberry.field(description="What changed, by kind (docs/change-feed.md).")

    @classmethod
    def from_model(cls, change: model.Change) -> Change:
        return cls(
            sequence=str(change.sequence),
            kind=change.kind,
            person_id=strawberry.ID(change.person_id),
            at=change.at,
            data=cast(JSON, change.data),
        )


@strawberry.type
class ChangeEdge:
    cursor: str
    node: Change


@strawberry.type
class ChangeConnection:
    edges: list[ChangeEdge]
    page_info: PageInfo


def parse_sequence(after: str | None) -> int | None:
    """An `after` cursor: a sequence this feed gave out (a decimal integer, 0 for "from the very start")."""
    if after is None:
        return None
    if not (after.isascii() and after.isdigit() and len(after) <= 19):
        raise InvalidCursorError("after: not a cursor of the change feed (a change's sequence)")
    return int(after)


@strawberry.type
class ChangeQuery:
    @strawberry.field(
        extensions=needs(Scope.CHANGES_READ),
        description="The change feed: every change to a person, oldest first, after the cursor `after` (null: from "
        "the oldest kept), of `kinds` (null: all). CHANGES_EXPIRED when retention removed events after `after`.",
    )
    async def changes(
        self, info: Info, after: str | None = None, first: int = 100, kinds: list[model.ChangeKind] | None = None
    ) -> ChangeConnection:
        check_page_size(first, info.context.settings.max_page_size)
        page = await info.context.services.changes.page(parse_sequence(after), first, kinds or ())
        edges = [ChangeEdge(cursor=str(c.sequence), node=Change.from_model(c)) for c in page.changes]
        end = edges[-1].cursor if edges else after
        return ChangeConnection(edges=edges, page_info=PageInfo(has_next_page=page.has_next, end_cursor=end))
