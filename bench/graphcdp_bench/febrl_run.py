"""`graphcdp bench febrl`: each FEBRL set on its own graphs of an embedded FalkorDB in the work directory."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from graphcdp.settings import Settings
from graphcdp.store.embedded import EmbeddedFalkorDB
from graphcdp_bench.febrl import run_febrl_benchmark
from graphcdp_bench.graphs import bench_services


async def run_febrl_sets(settings: Settings, work: Path, sets: Sequence[str], *, splink: bool = True) -> dict[str, Any]:
    logging.getLogger("splink").setLevel(logging.ERROR)  # its training chatter would bury the tables
    server = EmbeddedFalkorDB(work / "falkordb-febrl", start_timeout=settings.embedded_start_timeout)
    await server.start()
    results: dict[str, Any] = {}
    try:
        for name in sets:
            # reset: graphs left by an interrupted run
            async with (
                bench_services(server.url, f"bench_febrl_{name}_untrained", settings, reset=True) as first,
                bench_services(server.url, f"bench_febrl_{name}", settings, reset=True) as second,
            ):
                try:
                    results[name] = await run_febrl_benchmark(name, first, splink=splink, trained=second)
                finally:
                    for services in (first, second):
                        await services.store.destroy()
    finally:
        await server.stop()
    return results
