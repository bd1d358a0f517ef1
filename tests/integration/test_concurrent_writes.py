"""Concurrent write statements on FalkorDB see each other's effects, even on their first run.

FalkorDB 4.16 runs a plain GRAPH.QUERY write on a worker thread, and two that arrive together can both read
the graph as it was before either, whether the statement's plan is cached or not. Two import batches scoring
the same pair then each MERGE the link: the pair ends with two MATCHED relationships, resolution counts a
degree no sequential run gives, and the append-only file, replayed one query at a time, rebuilds another
graph (a restart lost every person). The store sends every write inside MULTI/EXEC, which the server runs
on its main thread one after another, from any connection of any process: here two stores (two connection
pools, as two service processes have) each send the batch twice at once.
"""

from __future__ import annotations

import asyncio
import itertools
import uuid

from graphcdp.identity.matching.matcher import WRITE_LINKS
from graphcdp.store.cypher import Query, StatementName
from graphcdp.store.embedded import EmbeddedFalkorDB
from graphcdp.store.falkordb import FalkorDBStore
from tests.conftest import catalog

CREATE_RECORDS = Query(StatementName("test/create_records"), dict)
LINK_COUNTS = Query(StatementName("test/link_counts"), dict)
# Sent as plain GRAPH.QUERY, 6 or 7 attempts in 10 duplicated links, with the plan cached beforehand or not.
ATTEMPTS = 6


def _pairs(keys: list[str]) -> list[dict[str, object]]:
    return [
        {
            "a": a,
            "b": b,
            "ha": f"h-{a}",
            "hb": f"h-{b}",
            "kind": "MATCHED" if n % 2 == 0 else "POSSIBLE_MATCH",
            "score": 0.9,
            "weight": 7.5,
            "detail": "[]",
            "order": f"{n:04d}",
        }
        for n, (a, b) in enumerate(itertools.pairwise(keys))
    ]


async def test_two_batches_linking_the_same_pairs_leave_one_link_per_pair(embedded_falkordb: EmbeddedFalkorDB) -> None:
    keys = [f"crm:{n:03d}" for n in range(30)]
    params = {"records": keys, "pairs": _pairs(keys), "rule": "model-1", "now": 1}
    for _ in range(ATTEMPTS):
        graph = f"test_{uuid.uuid4().hex[:12]}"
        store = await FalkorDBStore.connect(embedded_falkordb.url, graph, catalog("falkordb"))
        other = await FalkorDBStore.connect(embedded_falkordb.url, graph, catalog("falkordb"))
        try:
            await store.ensure_schema()
            await store.run(CREATE_RECORDS, {"keys": keys})
            await asyncio.gather(*(s.run(WRITE_LINKS, params) for s in (store, other, store, other)))
            counts = await store.run(LINK_COUNTS, {})
        finally:
            await store.destroy()
            await other.close()
            await store.close()
        assert len(counts) == len(keys) - 1
        assert {row["links"] for row in counts} == {1}, [row for row in counts if row["links"] != 1]
