"""A burst of concurrent queries beyond the connection limit waits for a free connection instead of
failing with "Too many connections" (what 128 concurrent context requests used to get)."""

from __future__ import annotations

import asyncio

import redis.asyncio as aioredis

from graphcdp.store.cypher import Query, StatementName
from graphcdp.store.embedded import EmbeddedFalkorDB
from graphcdp.store.falkordb import FalkorDBStore
from tests.conftest import catalog

RECORD_CLUSTERS = Query(StatementName("test/record_clusters"), dict)


async def test_queries_beyond_the_connection_limit_wait_for_a_connection(
    embedded_falkordb: EmbeddedFalkorDB,
) -> None:
    store = await FalkorDBStore.connect(embedded_falkordb.url, "pool_limit", catalog("falkordb"), max_connections=2)
    try:
        answers = await asyncio.gather(*(store.run(RECORD_CLUSTERS, {}) for _ in range(40)))
    finally:
        await store.close()
    assert answers == [[]] * 40


async def test_a_statement_waits_as_long_as_the_query_timeout_allows(embedded_falkordb: EmbeddedFalkorDB) -> None:
    # redis-py stops reading after 5 s unless told otherwise: a statement that took longer (a large seed
    # batch, a server busy writing its append-only file) failed as "FalkorDB does not answer".
    store = await FalkorDBStore.connect(embedded_falkordb.url, "slow_answer", catalog("falkordb"), query_timeout=30)
    pauser = aioredis.Redis(host="127.0.0.1", port=embedded_falkordb.port, password=embedded_falkordb.password)
    try:
        await pauser.execute_command("CLIENT", "PAUSE", 6000, "ALL")  # the server answers nobody for 6 s
        answer = await store.run(RECORD_CLUSTERS, {})
    finally:
        await pauser.aclose()
        await store.close()
    assert answer == []
