"""Erased values leave the database's files: a compaction is scheduled after each erasure.

The embedded FalkorDB persists to an append-only file: the statements of an erasure, and the writes that
stored the values it removed, stay in it until the file is rewritten from the data as it is now. After an
erasure a rewrite runs at most GRAPHCDP_ERASURE_COMPACTION seconds later (0: before the erasure answers);
erasures in between share it, and one that lands while a rewrite runs gets another. On close, a pending
rewrite runs at once; a failed one is tried again after the delay. Other databases keep their own files
(docs/privacy.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from graphcdp.store import GraphStore

log = logging.getLogger(__name__)


class CompactionSchedule:
    def __init__(self, store: GraphStore, delay: float) -> None:
        self.store = store
        self.delay = delay
        self._erasures = 0  # erasures so far
        self._compacted = 0  # erasures the last finished compaction covers
        self._task: asyncio.Task[None] | None = None

    async def erased(self) -> None:
        """An erasure was committed: compact now (delay 0) or make sure a compaction is on its way."""
        if self.store.backend != "embedded":
            return  # the database's files are its server's (docs/privacy.md)
        self._erasures += 1
        if self.delay <= 0:
            await self._compact()
        elif self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="graphcdp-erasure-compaction")

    @property
    def pending(self) -> bool:
        return self._compacted < self._erasures

    async def _run(self) -> None:
        while self.pending:
            await asyncio.sleep(self.delay)
            await self._compact()

    async def _compact(self) -> None:
        covered = self._erasures  # erasures committed before the rewrite starts are in its snapshot
        try:
            done = await self.store.compact()
        except Exception:
            log.exception("rewriting the database's file after an erasure failed; it is tried again")
            return
        if done:
            self._compacted = max(self._compacted, covered)
        else:  # the store said why; the erased values stay on disk until a rewrite succeeds
            log.warning("the database's file was not rewritten after an erasure; it is tried again")

    async def close(self) -> None:
        """Stop waiting: a compaction still owed runs now."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self.pending:
            await self._compact()
