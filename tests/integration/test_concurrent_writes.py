"""Concurrent write statements on FalkorDB see each other's effects, even on their first run.

FalkorDB 4.16 runs write queries one after another, yet two that arrive together before the statement's
plan is cached can both read the graph as it was before either. Two import batches scoring the same pair
then each MERGE the link: the pair ends with two MATCHED relationships, resolution counts a degree no
sequential run gives, and the append-only file, replayed one query at a time, rebuilds another graph
(a restart lost every person). The store sends its writes one at a time.
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
# Each fresh graph starts with an empty plan cache; unserialised, about half the attempts duplicated links.
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
        store = await FalkorDBStore.connect(embedded_falkordb.url, f"test_{uuid.uuid4().hex[:12]}", catalog("falkordb"))
        try:
            await store.ensure_schema()
            await store.run(CREATE_RECORDS, {"keys": keys})
            # The same batch twice at once: the first run of write_links on this graph, uncached.
            await asyncio.gather(store.run(WRITE_LINKS, params), store.run(WRITE_LINKS, params))
            counts = await store.run(LINK_COUNTS, {})
        finally:
            await store.destroy()
            await store.close()
        assert len(counts) == len(keys) - 1
        assert {row["links"] for row in counts} == {1}, [row for row in counts if row["links"] != 1]
