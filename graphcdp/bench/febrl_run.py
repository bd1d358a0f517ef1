"""`graphcdp bench febrl`: each FEBRL set on its own graphs of an embedded FalkorDB in the work directory."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from graphcdp.bench.febrl import run_febrl_benchmark
from graphcdp.settings import Settings
from graphcdp.store.cypher import CypherCatalog
from graphcdp.store.embedded import EmbeddedFalkorDB
from graphcdp.store.falkordb import FalkorDBStore


async def _fresh(server: EmbeddedFalkorDB, graph: str, settings: Settings) -> FalkorDBStore:
    store = await FalkorDBStore.connect(
        server.url, graph, CypherCatalog.load("falkordb"), query_timeout=settings.query_timeout
    )
    await store.destroy()  # a graph left by an interrupted run
    await store.ensure_schema()
    return store


async def run_febrl_sets(settings: Settings, work: Path, sets: Sequence[str], *, splink: bool = True) -> dict[str, Any]:
    logging.getLogger("splink").setLevel(logging.ERROR)  # its training chatter would bury the tables
    server = EmbeddedFalkorDB(work / "falkordb-febrl", start_timeout=settings.embedded_start_timeout)
    await server.start()
    results: dict[str, Any] = {}
    try:
        for name in sets:
            first = await _fresh(server, f"bench_febrl_{name}_untrained", settings)
            second = await _fresh(server, f"bench_febrl_{name}", settings)
            try:
                results[name] = await run_febrl_benchmark(name, first, settings, splink=splink, trained_store=second)
            finally:
                for store in (first, second):
                    await store.destroy()
                    await store.close()
    finally:
        await server.stop()
    return results
