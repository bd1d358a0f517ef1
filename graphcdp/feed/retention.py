"""Retention of the change feed: events older than GRAPHCDP_CHANGE_RETENTION_DAYS, or beyond the newest
GRAPHCDP_CHANGE_MAX_EVENTS, are removed from the oldest on, a window at a time, so the feed stays one unbroken
run of sequences from its `first` to its `last`."""

from __future__ import annotations

from dataclasses import dataclass

from graphcdp.feed.reader import WINDOW, bounds, window
from graphcdp.model.feed import PrunedChanges
from graphcdp.store import GraphStore, statement

PRUNE = statement("feed/prune", PrunedChanges)
DAY_MS = 86_400_000


@dataclass(frozen=True)
class Retention:
    days: float
    max_events: int


async def prune(store: GraphStore, retention: Retention, now: int) -> int:
    """Remove what retention no longer keeps; how many events went."""
    removed = 0
    oldest_kept = now - int(retention.days * DAY_MS)
    while True:
        feed = await bounds(store)
        window_end = min(feed.first + WINDOW, feed.last + 1)
        below = min(max(feed.last - retention.max_events + 1, feed.first), window_end)
        # The oldest event young enough to keep ends the run to remove (times follow sequences closely; the
        # first young one stops it, so the feed never gets a hole).
        young = await _first_young(store, feed.first - 1, window_end - 1, oldest_kept)
        young = window_end if young is None else young
        below = max(below, young)
        if below <= feed.first:
            return removed
        removed += (await store.run(PRUNE, {"below": below, "now": now}))[0].removed


async def _first_young(store: GraphStore, after: int, up_to: int, oldest_kept: int) -> int | None:
    """The sequence of the first event in (after, up_to] young enough to keep, or None. The oldest event alone is
    read first: it is young unless retention has days to remove, and the whole window (10,000 events and their data)
    took 170 to 200 ms to read on a feed of 200,000 events, the oldest alone 7 to 12 ms (docs/performance.md)."""
    oldest = await window(store, after, up_to, [], 1)
    if not oldest or oldest[0].at >= oldest_kept:
        return oldest[0].sequence if oldest else None
    kept = await window(store, after, up_to, [], WINDOW)
    return next((c.sequence for c in kept if c.at >= oldest_kept), None)
