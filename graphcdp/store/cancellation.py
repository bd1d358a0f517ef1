"""Cancellation kept through the database client.

redis-py's asyncio client (8.1, on Python 3.11) sometimes returns normally, or raises a connection error, from a
command whose task was cancelled while it ran: the CancelledError is lost, and the task goes on as if nothing had
asked it to stop. About a third of cancellations landing on a running command were lost so (tests/integration/
test_cancellation.py). A background loop cancelled at shutdown then never ended, and neither did the shutdown
waiting for it; an `asyncio.timeout` around a query would not fire either. So every call into the client is made
through `kept`, which raises the cancellation again when the task was asked to stop during the call."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

T = TypeVar("T")


async def kept(call: Awaitable[T]) -> T:
    """Await `call`; if this task was cancelled meanwhile and the call did not say so, raise CancelledError."""
    task = asyncio.current_task()
    asked = task.cancelling() if task is not None else 0
    try:
        result = await call
    except asyncio.CancelledError:
        raise
    except BaseException as exc:
        if task is not None and task.cancelling() > asked:  # the error is what the client made of the cancel
            raise asyncio.CancelledError from exc
        raise
    if task is not None and task.cancelling() > asked:
        raise asyncio.CancelledError
    return result
