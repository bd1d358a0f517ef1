"""GraphQL subscriptions (graphql-transport-ws on /graphql, scope changes:read): the change feed pushed as it is
written. Each one reads the feed from its cursor, then waits: a write of this service wakes it at once
(graphcdp/store/base.py, WriteSignal), another process's within GRAPHCDP_CHANGE_POLL_INTERVAL."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import AbstractAsyncContextManager

import strawberry

from graphcdp.api.auth import needs
from graphcdp.api.changes import Change, parse_sequence
from graphcdp.api.context import Info
from graphcdp.auth.scopes import Scope
from graphcdp.model.feed import ChangeKind
from graphcdp.privacy.erasure import PersonNotFoundError

SEGMENT_KINDS = (ChangeKind.SEGMENT_ENTERED, ChangeKind.SEGMENT_EXITED)


@strawberry.type
class Subscription:
    @strawberry.subscription(
        extensions=needs(Scope.CHANGES_READ),
        description="Every change after the cursor `after` (null: from now on), of `kinds` (null: all), then each new "
        "one as it is written. Resume after the last `sequence` you handled.",
    )
    async def changes(
        self, info: Info, after: str | None = None, kinds: list[ChangeKind] | None = None
    ) -> AsyncGenerator[Change, None]:
        async with _slot(info):
            async for change in info.context.services.changes.follow(parse_sequence(after), kinds or ()):
                yield Change.from_model(change)

    @strawberry.subscription(
        extensions=needs(Scope.CHANGES_READ),
        description="The changes of one person as they happen, following her when she merges into another (MERGED, "
        "then the survivor's changes); ends with ERASED. `after`: resume after a sequence (null: from now on).",
    )
    async def person_changed(
        self, info: Info, id: strawberry.ID, after: str | None = None
    ) -> AsyncGenerator[Change, None]:
        async with _slot(info):
            start, person = parse_sequence(after), str(id)
            if start is None:  # from now on: the person the id leads to now (a retired id leads to its survivor)
                found = await info.context.services.identity.person(person)
                if found is None:
                    raise PersonNotFoundError("no person has this id")
                person = found.id
            async for change in info.context.services.changes.follow_person(person, start):
                yield Change.from_model(change)

    @strawberry.subscription(
        extensions=needs(Scope.CHANGES_READ),
        description="Persons entering and leaving the segment `key` (SEGMENT_ENTERED, SEGMENT_EXITED), as it happens.",
    )
    async def segment_membership(self, info: Info, key: str, after: str | None = None) -> AsyncGenerator[Change, None]:
        async with _slot(info):
            async for change in info.context.services.changes.follow(parse_sequence(after), SEGMENT_KINDS):
                if change.data.get("segment") == key:
                    yield Change.from_model(change)


def _slot(info: Info) -> AbstractAsyncContextManager[None]:
    """The key's slot for this subscription (graphcdp/api/subscription_slots.py)."""
    return info.context.subscriptions.hold(info.context.principal.name)
