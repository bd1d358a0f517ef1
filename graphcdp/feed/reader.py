"""Reading the change feed in sequence order, from a cursor, by indexed windows of sequences."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from graphcdp.errors import ErrorCode, GraphCDPError
from graphcdp.model.feed import Change, ChangeKind, FeedBounds
from graphcdp.store import GraphStore, statement

BOUNDS = statement("feed/bounds", FeedBounds)
CHANGES = statement("feed/changes", Change)
WINDOW = 10_000  # sequences one read spans: a range on the index, however long the feed or rare the kinds asked for


class ChangesExpiredError(GraphCDPError):
    code = ErrorCode.CHANGES_EXPIRED


class CursorAheadError(GraphCDPError):
    """A cursor past the newest event: never given out by this feed (a database replaced under the reader)."""

    code = ErrorCode.INVALID_CURSOR


@dataclass(frozen=True)
class ChangePage:
    changes: list[Change]
    has_next: bool
    last: int  # the newest sequence of the feed when it was read: a reader is caught up to here


async def window(store: GraphStore, after: int, up_to: int, kinds: list[str], limit: int) -> list[Change]:
    """The first `limit` events with a sequence in (after, up_to], of `kinds` (all when empty), in sequence order:
    CHANGES answers each label's first `limit` (Change, and SegmentChange for segment membership events)."""
    found = await store.run(CHANGES, {"after": after, "upTo": up_to, "kinds": kinds, "limit": limit})
    return sorted(found, key=lambda change: change.sequence)[:limit]


async def bounds(store: GraphStore) -> FeedBounds:
    return (await store.run(BOUNDS))[0]


async def read_changes(
    store: GraphStore, after: int | None, first: int, kinds: Collection[ChangeKind] = ()
) -> ChangePage:
    """Up to `first` events after the sequence `after` (None: from the oldest kept), of `kinds` (all when
    empty). CHANGES_EXPIRED when retention removed events right after `after`: the reader would miss them."""
    feed = await bounds(store)
    if after is None:
        after = feed.first - 1
    elif after < feed.first - 1:
        raise ChangesExpiredError(
            f"after: events {after + 1} to {feed.first - 1} were removed by retention (GRAPHCDP_CHANGE_RETENTION_DAYS, "
            "GRAPHCDP_CHANGE_MAX_EVENTS); read the persons again, then follow the feed from after: null"
        )
    elif after > feed.last:
        raise CursorAheadError(
            f"after: the feed's newest event is {feed.last}; this cursor is from another database (or one reset since)"
        )
    wanted = sorted(kind.value for kind in kinds)
    found: list[Change] = []
    position = after
    while position < feed.last and len(found) <= first:
        up_to = min(position + WINDOW, feed.last)
        found += await window(store, position, up_to, wanted, first + 1 - len(found))
        position = up_to
    return ChangePage(found[:first], has_next=len(found) > first, last=feed.last)
