"""The slow-request log: a GraphQL request over HTTP that took at least `GRAPHCDP_SLOW_REQUEST_MS` is logged with
the statements it sent, each with its round trip and the database's own time. It says where a slow request's
milliseconds went (docs/performance.md, "Where a single upsert's tail goes") and holds no value of the request:
statement names and times only (docs/privacy.md)."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from graphcdp.store import timings
from graphcdp.store.timings import StatementTiming

log = logging.getLogger("graphcdp.slow_requests")

SHOWN_STATEMENTS = 12  # names in one line, the slowest first by their round trips together; the rest counted


@contextmanager
def logged_when_slow(threshold_ms: float) -> Iterator[None]:
    """Time the block and every statement it sends; log them when the block took `threshold_ms` or more."""
    started = time.perf_counter()
    with timings.collected() as collected:
        try:
            yield
        finally:
            elapsed = (time.perf_counter() - started) * 1000
            if elapsed >= threshold_ms:
                log.warning("%s", describe(elapsed, collected.statements, collected.group))


@dataclass
class _Sent:
    """The statements of one name a request sent."""

    name: str
    count: int = 0
    round_trip_ms: float = 0.0
    database_ms: float | None = None

    def add(self, timing: StatementTiming) -> None:
        self.count += 1
        self.round_trip_ms += timing.round_trip_ms
        if timing.database_ms is not None:
            self.database_ms = (self.database_ms or 0.0) + timing.database_ms

    def __str__(self) -> str:
        times = f"{self.round_trip_ms:.1f}" + ("" if self.database_ms is None else f"/{self.database_ms:.1f}")
        return f"{self.name}{'' if self.count == 1 else f' x{self.count}'} {times} ms"


def describe(elapsed_ms: float, statements: Sequence[StatementTiming], group: int = 1) -> str:
    """`slow request: 45.2 ms; 7 statements, 34.6 ms round trip, 25.4 ms in the database: identity/commit_resolution
    9.7/8.1 ms, ...`: each statement's round trip from the client / the database's own time (where it reports one),
    a name sent more than once counted together; `group`: the statements were written for that many concurrent
    requests together (`; written for 5 requests together`), this one among them."""
    by_name: dict[str, _Sent] = {}
    for timing in statements:
        by_name.setdefault(timing.name, _Sent(timing.name)).add(timing)
    reported = [t.database_ms for t in statements if t.database_ms is not None]
    in_database = f", {sum(reported):.1f} ms in the database" if reported else ""
    together = f"; written for {group} requests together" if group > 1 else ""
    head = (
        f"slow request: {elapsed_ms:.1f} ms; {len(statements)} statements, "
        f"{sum(t.round_trip_ms for t in statements):.1f} ms round trip{in_database}{together}"
    )
    if not statements:
        return head
    slowest = sorted(by_name.values(), key=lambda sent: -sent.round_trip_ms)
    shown = ", ".join(map(str, slowest[:SHOWN_STATEMENTS]))
    more = len(slowest) - SHOWN_STATEMENTS
    return f"{head}: {shown}" + (f", and {more} more" if more > 0 else "")
