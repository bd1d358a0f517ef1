"""A burst of concurrent queries beyond the connection limit waits for a free connection instead of
failing with "Too many connections" (what 128 concurrent context requests used to get)."""

from __future__ import annotations

import asyncio

from graphcdp.store.cypher import StatementName
from graphcdp.store.embedded import EmbeddedFalkorDB
from graphcdp.store.falkordb import FalkorDBStore
from tests.conftest import catalog

RECORD_CLUSTERS = StatementName("test/record_clusters")


async def test_queries_beyond_the_connection_limit_wait_for_a_connection(
    embedded_falkordb: EmbeddedFalkorDB,
) -> None:
    store = await FalkorDBStore.connect(embedded_falkordb.url, "pool_limit", catalog("falkordb"), max_connections=2)
    try:
        answers = await asyncio.gather(*(store.run(RECORD_CLUSTERS, {}) for _ in range(40)))
    finally:
        await store.close()
    assert answers == [[]] * 40
