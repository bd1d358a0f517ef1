"""The sweep: membership that rests on time (withinDays, daysSinceLastActivity, recency, age) changes
without any new event, so a task started with the app re-evaluates the time-dependent segments every
GRAPHCDP_SEGMENT_SWEEP_INTERVAL seconds."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from graphcdp.errors import GraphCDPError
from graphcdp.segments.service import SegmentService

log = logging.getLogger(__name__)


async def sweep_forever(segments: SegmentService, interval: float) -> None:
    """Sweep, then wait `interval` seconds, until cancelled; a failed sweep is logged and tried again."""
    while True:
        try:
            changes = await segments.sweep()
            if changes:
                log.info("segment sweep: %d memberships changed as time passed", changes)
        except GraphCDPError as exc:  # the database may be restarting: the next sweep catches up
            log.warning("segment sweep failed (%s): %s", exc.code.value, exc.message)
        await asyncio.sleep(interval)


@contextlib.asynccontextmanager
async def segment_sweep(segments: SegmentService, interval: float) -> AsyncIterator[asyncio.Task[None]]:
    """Run the sweep in the background for the life of the block (the app's lifespan)."""
    task = asyncio.create_task(sweep_forever(segments, interval), name="segment-sweep")
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
