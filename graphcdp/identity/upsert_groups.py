"""Small upserts that arrive while one is being written wait, then go to the database together.

A single upsert costs about seven statements whatever it carries, and the database runs writes one after
another: under concurrent single upserts, the statements' fixed cost, not the records, sets the rate. So a
request that arrives while this process writes an earlier group waits for it, and the requests that waited
meanwhile are written as one batch (one write, one matching round, one resolution), then each gets the answer
for its own records (graphcdp/identity/service.py splits it).

Nothing waits when nothing is being written: a lone client's upsert goes straight on, as before. A group is
what concurrent execution of its requests could already have given (their writes, then their matching, then
their resolutions interleaved), so its clusters are ones the requests sent concurrently could end in; what
`tests/integration/test_bulk_equivalence.py` proves for batches holds for a group. Two requests naming the
same record never share a group (the second waits for the next), so each record's answer is its own request's.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from graphcdp.model.identity import ItemError, RecordInput, UpsertOutcome
from graphcdp.model.node_ref import record_key
from graphcdp.store import timings
from graphcdp.store.timings import StatementTimings

Items = Sequence[RecordInput | ItemError]
WriteGroup = Callable[[list[Items]], Awaitable[list[UpsertOutcome]]]


@dataclass
class _Waiting:
    items: Items
    keys: frozenset[str]
    answer: asyncio.Future[UpsertOutcome] = field(default_factory=lambda: asyncio.get_running_loop().create_future())
    # The request's statement timings (slow-request log): its group's statements are its own.
    request_timings: StatementTimings | None = field(default_factory=timings.current)


# A group that takes longer than this (a large component, a slow database) must not hold up the calls behind
# it: another group is then started beside it, as the calls would have run concurrently without grouping.
PATIENCE_SECONDS = 0.25
MAX_WRITERS = 4


class UpsertGroups:
    """Writes concurrent upsert requests in groups of at most `max_records` records: one group at a time, or a
    few at once while the ones being written take longer than `patience` seconds."""

    def __init__(
        self, write: WriteGroup, max_records: int, *, patience: float = PATIENCE_SECONDS, max_writers: int = MAX_WRITERS
    ) -> None:
        self._write = write
        self.max_records = max_records
        self.patience = patience
        self.max_writers = max_writers
        self._waiting: list[_Waiting] = []
        self._writing: dict[asyncio.Task[None], float] = {}  # each writer → when its current group started

    def takes(self, size: int) -> bool:
        """Whether a request of `size` items may share a group (larger ones are written on their own)."""
        return self.max_records > 1 and 0 < size <= self.max_records

    async def upsert(self, items: Items) -> UpsertOutcome:
        waiting = _Waiting(items, _record_keys(items))
        waiting.answer.add_done_callback(_retrieved)  # a caller gone meanwhile leaves no "never retrieved" noise
        self._waiting.append(waiting)
        if self._needs_writer():
            writer = asyncio.create_task(self._write_while_waiting())
            self._writing[writer] = time.monotonic()
            writer.add_done_callback(self._writing.pop)
        # shield: a caller that goes away (a closed connection) must not cancel the group's other requests
        return await asyncio.shield(waiting.answer)

    def _needs_writer(self) -> bool:
        """No group is being written, or every one being written has taken longer than `patience`. A writer that
        has ended is not writing, even before its task's done callback forgets it: a call arriving in that turn
        of the event loop was left waiting until another call came (tests/unit/test_upsert_group_queue.py)."""
        now = time.monotonic()
        writing = [started for writer, started in self._writing.items() if not writer.done()]
        stuck = all(now - started > self.patience for started in writing)
        return stuck and len(writing) < self.max_writers

    async def _write_while_waiting(self) -> None:
        me = asyncio.current_task()
        while self._waiting:
            group = self._next_group()
            if me is not None:
                self._writing[me] = time.monotonic()
            try:
                with timings.collected() as sent:
                    try:
                        outcomes = await self._write([w.items for w in group])
                    finally:
                        for waiting in group:
                            if waiting.request_timings is not None:
                                waiting.request_timings.add_group(sent.statements, len(group))
            except asyncio.CancelledError:  # shutting down: nobody waits for an answer any more
                for waiting in [*group, *self._waiting]:
                    waiting.answer.cancel()
                raise
            except Exception as exc:  # a failure of the whole write: each request of the group fails with it
                for waiting in group:
                    if not waiting.answer.done():
                        waiting.answer.set_exception(exc)
                continue
            for waiting, outcome in zip(group, outcomes, strict=True):
                if not waiting.answer.done():
                    waiting.answer.set_result(outcome)

    def _next_group(self) -> list[_Waiting]:
        """The longest-waiting requests that fit: in arrival order, at most `max_records` items, no record twice."""
        group: list[_Waiting] = []
        size = 0
        keys: set[str] = set()
        later: list[_Waiting] = []
        for waiting in self._waiting:
            fits = not group or (size + len(waiting.items) <= self.max_records and not keys & waiting.keys)
            if fits and not later:
                group.append(waiting)
                size += len(waiting.items)
                keys |= waiting.keys
            else:  # keep arrival order: once one waits for the next group, the rest do too
                later.append(waiting)
        self._waiting = later
        return group


def _retrieved(answer: asyncio.Future[UpsertOutcome]) -> None:
    if not answer.cancelled():
        answer.exception()


def _record_keys(items: Items) -> frozenset[str]:
    return frozenset(record_key(i.source.strip(), i.source_id.strip()) for i in items if isinstance(i, RecordInput))
