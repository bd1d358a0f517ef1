"""A task cancelled while a statement runs stops (graphcdp/store/cancellation.py).

redis-py's asyncio client lost about a third of the cancellations that landed on a running command: the command
returned as if nothing had happened and the task went on. `graphcdp import` then hung at its end, waiting forever
for its run's beat task, which had been cancelled mid-beat and kept beating."""

from __future__ import annotations

import asyncio
import contextlib
import random

from graphcdp.lifecycle.runs import RUNS, STOP_TASKS_TIMEOUT, ServiceRun
from graphcdp.store import GraphStore
from tests.run_helpers import SERVICE_RUNS

ATTEMPTS = 60


async def test_a_task_cancelled_while_its_statements_run_always_stops(falkordb_store: GraphStore) -> None:
    run = ServiceRun(falkordb_store)
    await run.record()
    lost = 0

    async def reads_and_writes(stop: asyncio.Event) -> None:
        while not stop.is_set():  # so that a task whose cancellation was lost still ends, and the test with it
            await falkordb_store.run(RUNS, {})
            await run.record()

    for _ in range(ATTEMPTS):
        stop = asyncio.Event()
        task = asyncio.create_task(reads_and_writes(stop))
        await asyncio.sleep(random.uniform(0, 0.005))  # when the cancel lands
        task.cancel()
        done, _ = await asyncio.wait({task}, timeout=5)
        stop.set()
        await asyncio.wait({task}, timeout=5)
        lost += not (done and task.cancelled())
    assert lost == 0, f"{lost} of {ATTEMPTS} cancellations were lost"


async def test_a_run_closes_whenever_its_beat_is_stopped(falkordb_store: GraphStore) -> None:
    for _ in range(20):
        run = ServiceRun(falkordb_store)
        await run.open(beat_seconds=0.0005)  # beating all the time: the close lands on a beat's write
        await asyncio.sleep(random.uniform(0, 0.01))
        closing = asyncio.ensure_future(run.close())
        done, _ = await asyncio.wait({closing}, timeout=10)
        while not done and run._beats is not None and not run._beats.done():  # end the beat that would not stop
            run._beats.cancel()
            await asyncio.wait({run._beats}, timeout=1)
        assert done, "the run's close waited for a beat that did not stop"
        assert run.id not in {row["id"] for row in await falkordb_store.run(SERVICE_RUNS, {})}


async def test_a_run_closes_when_a_task_of_it_would_not_stop(falkordb_store: GraphStore) -> None:
    """A task that ignores its cancellation (as one whose cancellation a client library lost) does not hold the stop
    for ever: the close waits STOP_TASKS_TIMEOUT for it, then removes the run."""
    started, release = asyncio.Event(), asyncio.Event()

    async def stubborn_watch() -> None:
        started.set()
        while not release.is_set():
            with contextlib.suppress(asyncio.CancelledError):  # the cancellation, lost
                await release.wait()

    run = ServiceRun(falkordb_store)
    await run.open(beat_seconds=0.01, watch=stubborn_watch)
    await asyncio.wait_for(started.wait(), timeout=10)
    try:
        closing = asyncio.ensure_future(run.close())
        done, _ = await asyncio.wait({closing}, timeout=STOP_TASKS_TIMEOUT + 10)
        assert done, "the run's close waited for a task that would not stop"
        assert run.id not in {row["id"] for row in await falkordb_store.run(SERVICE_RUNS, {})}
    finally:
        release.set()
