"""The statements one request sent, each timed, for the slow-request log (graphcdp/api/slow_requests.py).

A request's context carries a `StatementTimings`; the store adds a line per statement it runs in that context. Outside
a request (start-up, background jobs, an import) nothing is collected. Only statement names and times are kept,
never a parameter."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass(frozen=True)
class StatementTiming:
    name: str
    round_trip_ms: float  # from the client: sending, the database's queue and work, the answer read and decoded
    database_ms: float | None  # the database's own execution time, where it reports one (FalkorDB does)


@dataclass
class StatementTimings:
    statements: list[StatementTiming] = field(default_factory=list)
    # FalkorDB's execution time of the reply being read, until the store adds its statement's line.
    reported_ms: float | None = None
    # The most requests whose statements were written together with this one's (graphcdp/identity/upsert_groups.py).
    group: int = 1

    def add_group(self, statements: list[StatementTiming], requests: int) -> None:
        """The statements of a group of concurrent requests written together, this one among them."""
        self.statements += statements
        self.group = max(self.group, requests)


_current: ContextVar[StatementTimings | None] = ContextVar("statement_timings", default=None)


@contextmanager
def collected() -> Iterator[StatementTimings]:
    """Time every statement the block (and the tasks it starts) sends."""
    timings = StatementTimings()
    token = _current.set(timings)
    try:
        yield timings
    finally:
        _current.reset(token)


def current() -> StatementTimings | None:
    return _current.get()


def collecting() -> bool:
    return _current.get() is not None


def database_reported(milliseconds: float) -> None:
    """The database's own time for the statement whose reply is being read."""
    if (timings := _current.get()) is not None:
        timings.reported_ms = milliseconds


def statement_ran(name: str, round_trip_ms: float) -> None:
    if (timings := _current.get()) is not None:
        timings.statements.append(StatementTiming(name, round_trip_ms, timings.reported_ms))
        timings.reported_ms = None


@contextmanager
def timed(name: str) -> Iterator[None]:
    """Times the block as one statement of the request being collected, a failed one too; outside a request it
    costs one context-variable read."""
    if _current.get() is None:
        yield
        return
    started = time.perf_counter()
    try:
        yield
    finally:
        statement_ran(name, (time.perf_counter() - started) * 1000)
