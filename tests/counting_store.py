"""A real store that counts the statements sent to it (round-trip tests): it only counts, then delegates."""

from __future__ import annotations

from collections import Counter

from graphcdp.model.health import DatabaseHealth
from graphcdp.store import GraphStore
from graphcdp.store.base import Params
from graphcdp.store.cypher import Query, RowT


class CountingStore:
    """The real store, counting every statement sent to it."""

    def __init__(self, store: GraphStore) -> None:
        self.store = store
        self.catalog = store.catalog  # compiled segment statements are registered in it
        self.calls: Counter[str] = Counter()

    async def run(self, query: Query[RowT], params: Params | None = None) -> list[RowT]:
        self.calls[str(query.name)] += 1
        return await self.store.run(query, params)

    async def ensure_schema(self) -> None:
        await self.store.ensure_schema()

    async def health(self) -> DatabaseHealth:
        return await self.store.health()

    async def destroy(self) -> None:
        await self.store.destroy()

    async def settle(self) -> None:
        await self.store.settle()

    async def close(self) -> None:
        await self.store.close()
