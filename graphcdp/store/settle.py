"""Settling the graph after the service's own bulk writes, so the single writes after them stay cheap."""

from __future__ import annotations

from graphcdp.store.base import GraphStore


class SettleAfterWrites:
    """Counts the items this process wrote (records, touchpoints, segment membership changes) and has the store
    settle (GraphStore.settle) each time `every` more were written; 0: never. FalkorDB leaves the changes of bulk
    writes pending in its matrices, and then every later write creating an edge pays for all of them
    (docs/performance.md, "Writes after a bulk load"); one settle costs a few milliseconds to a few hundred on a
    large graph, far less than the writes it follows."""

    def __init__(self, store: GraphStore, every: int) -> None:
        self.store = store
        self.every = every
        self.unsettled = 0  # items written since the last settle

    async def wrote(self, items: int) -> None:
        if self.every <= 0 or items <= 0:
            return
        self.unsettled += items
        if self.unsettled >= self.every:
            self.unsettled = 0
            await self.store.settle()
