"""The one interface the rest of graphcdp uses to talk to a graph database."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from typing import Any, Protocol

from graphcdp.errors import QueryError
from graphcdp.model.health import DatabaseHealth
from graphcdp.store.cypher import CypherCatalog, Query, RowT, Statement

Params = Mapping[str, Any]


class WriteSignal:
    """Fired after every write statement this process ran that appends to the change feed or writes webhook
    deliveries (Statement.wakes_followers), so a waiting change-feed subscription reads the feed at once
    instead of polling it (graphcdp/feed/). Take a `token()` before reading, then `wait(token)`: a write
    that lands in between is not missed."""

    def __init__(self) -> None:
        self._fired = asyncio.Event()

    def fire(self) -> None:
        self._fired.set()
        self._fired = asyncio.Event()

    def token(self) -> asyncio.Event:
        return self._fired

    async def wait(self, token: asyncio.Event, seconds: float) -> None:
        """Until a write after `token` was taken, or `seconds` passed."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(token.wait(), seconds)


class GraphStore(Protocol):
    """A graph database that runs named Cypher statements from the catalog."""

    backend: str
    catalog: CypherCatalog
    writes: WriteSignal  # fired after each write this process completed that its feed's followers wait for

    async def run(self, query: Query[RowT], params: Params | None = None) -> list[RowT]:
        """Run one statement (read or write, as its file says) and return its rows decoded into the
        query's row type."""
        ...

    async def ensure_schema(self) -> None:
        """Create the uniqueness constraints and indexes; safe to run on every start."""
        ...

    async def health(self) -> DatabaseHealth:
        """Whether the database answers right now, and if not, why."""
        ...

    async def destroy(self) -> None:
        """Delete every node and edge of this graph (tests, resets). Irreversible."""
        ...

    async def compact(self) -> bool:
        """Rewrite the database's own files from the data as it is now, so removed values leave the disk;
        False when this store cannot (its files are the database server's)."""
        ...

    async def settle(self) -> None:
        """Apply the changes the database holds pending after bulk writes, so the single writes after them do not
        pay for them (docs/performance.md, "Writes after a bulk load"); nothing to do on a database without such
        a state. Changes no data."""
        ...

    async def close(self) -> None:
        """Release connections (and stop an embedded database)."""
        ...


def checked_params(statement: Statement, params: Params | None) -> dict[str, Any]:
    """The parameters for a statement; all it names must be given (FalkorDB fails on a missing one)."""
    given = dict(params or {})
    missing = statement.params - given.keys()
    extra = given.keys() - statement.params
    if missing or extra:
        raise QueryError(
            f"statement {statement.name}: missing parameters {sorted(missing)}, unexpected {sorted(extra)}"
        )
    return given
