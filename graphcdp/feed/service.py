"""ChangeFeedService: the change feed as the API uses it. Pages of events from a cursor (`changes`), a follower
that waits for new ones (the subscriptions), and retention, run in the background while the service runs."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Collection

from graphcdp.clock import now_ms
from graphcdp.feed.reader import ChangePage, bounds, read_changes
from graphcdp.feed.retention import Retention, prune
from graphcdp.model.feed import Change, ChangeKind
from graphcdp.settings import Settings
from graphcdp.store import GraphStore

PRUNE_INTERVAL = 60.0  # seconds between two retention runs
FOLLOW_PAGE = 100  # events a follower reads at a time

log = logging.getLogger(__name__)


class ChangeFeedService:
    def __init__(self, store: GraphStore, settings: Settings) -> None:
        self.store = store
        self.retention = Retention(settings.change_retention_days, settings.change_max_events)
        self.poll_interval = settings.change_poll_interval
        self._pruner: asyncio.Task[None] | None = None
        self._stop = asyncio.Event()

    async def page(self, after: int | None, first: int, kinds: Collection[ChangeKind] = ()) -> ChangePage:
        return await read_changes(self.store, after, first, kinds)

    async def follow(self, after: int | None, kinds: Collection[ChangeKind] = ()) -> AsyncIterator[Change]:
        """Every event after `after` (None: from the newest on), then each new one as it is written, forever.
        A write of this process wakes it at once; another process's within the poll interval."""
        if after is None:
            after = (await bounds(self.store)).last
        while True:
            token = self.store.writes.token()  # taken before reading: a write in between still wakes us
            page = await read_changes(self.store, after, FOLLOW_PAGE, kinds)
            for change in page.changes:
                yield change
            # Caught up to the feed's end as read, even when the kinds asked for skipped its last events.
            after = page.changes[-1].sequence if page.has_next else max(after, page.last)
            if not page.has_next:
                await self.store.writes.wait(token, self.poll_interval)

    async def follow_person(self, person_id: str, after: int | None) -> AsyncIterator[Change]:
        """The events of one person as they come, following her into the person she merges into; ends with her
        erasure. (A SPLIT stays with her: the persons split off are new ids, named in its data.)"""
        current = person_id
        async for change in self.follow(after):
            if change.kind is ChangeKind.MERGED and change.data.get("from") == current:
                current = str(change.data["into"])
            elif change.person_id != current:
                continue
            yield change
            if change.kind is ChangeKind.ERASED:
                return

    async def prune(self, now: int | None = None) -> int:
        """Remove the events retention no longer keeps; how many went."""
        return await prune(self.store, self.retention, now_ms() if now is None else now)

    def start(self) -> None:
        """Run retention in the background until close()."""
        if self._pruner is None:
            self._pruner = asyncio.create_task(self._prune_periodically(), name="change feed retention")

    async def _prune_periodically(self) -> None:
        while not self._stop.is_set():
            try:
                if removed := await self.prune():
                    log.info("change feed retention removed %d events", removed)
            except Exception:  # a database restart, a timeout: the next run tries again
                log.warning("change feed retention failed; retrying in %.0f s", PRUNE_INTERVAL, exc_info=True)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), PRUNE_INTERVAL)

    async def close(self) -> None:
        """Stop retention; a run in progress finishes first (a query is not cut off halfway)."""
        self._stop.set()
        if self._pruner is not None:
            await self._pruner
            self._pruner = None
