"""The sweep: membership that rests on time (withinDays, daysSinceLastActivity, recency, age) changes
without any new event, so a task started with the app sweeps the time-dependent segments every
GRAPHCDP_SEGMENT_SWEEP_INTERVAL seconds (SegmentService.sweep: after the first pass, only the persons whose
membership can have changed since the previous one)."""

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
            result = await segments.sweep()
            log.log(
                logging.INFO if result.changes else logging.DEBUG,
                "segment sweep: %d memberships changed as time passed; %d persons re-checked for %d segments, "
                "%d segments re-evaluated in full",
                result.changes,
                result.rechecked,
                len(result.targeted),
                len(result.full),
            )
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
