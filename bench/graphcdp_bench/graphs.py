"""The benchmarks' graphs: graphcdp's services on one graph of the benchmark's FalkorDB server.

Every benchmark opens its graphs here, through graphcdp's composition root (graphcdp.wiring), so what it
measures is the service as `graphcdp serve` and `graphcdp import` build it, started the same way; the
store also runs the benchmarks' own statements (graphcdp_bench.cypher).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from graphcdp.settings import Backend, Settings, load_settings
from graphcdp.store.embedded import EmbeddedFalkorDB
from graphcdp.store.falkordb import FalkorDBStore
from graphcdp.wiring import Services, open_services
from graphcdp_bench.cypher import BENCH_CYPHER, check_bench_statements


def bench_server(data_dir: Path, settings: Settings, *, rewrite_aof: bool = True) -> EmbeddedFalkorDB:
    """A benchmark's own embedded FalkorDB over `data_dir`, configured as the service configures its own (start-up
    patience, pending matrix changes); no restarts. `rewrite_aof=False` for a graph thrown away afterwards."""
    return EmbeddedFalkorDB(
        data_dir,
        start_timeout=settings.embedded_start_timeout,
        max_pending_changes=settings.embedded_max_pending_changes,
        rewrite_aof=rewrite_aof,
    )


def on_graph(settings: Settings, url: str, graph: str, **overrides: object) -> Settings:
    """`settings`, pointed at `graph` of the FalkorDB server at `url`."""
    where = {"backend": Backend.FALKORDB, "falkordb_url": url, "falkordb_password": None, "graph": graph}
    return settings.model_copy(update=where | overrides)


@asynccontextmanager
async def bench_services(
    url: str,
    graph: str,
    settings: Settings | None = None,
    *,
    reset: bool = False,
    connections: int | None = None,
    repair: bool = False,
) -> AsyncIterator[Services]:
    """graphcdp's services on `graph` of the server at `url`; `reset` empties the graph first (what an
    interrupted run left), `connections` sizes the connection pool (one per concurrent client), `repair` makes
    every start-up migration and crash repair (`graphcdp repair`)."""
    overrides: dict[str, object] = {} if connections is None else {"falkordb_max_connections": connections}
    graph_settings = on_graph(settings or load_settings(), url, graph, **overrides)
    async with open_services(graph_settings, cypher_roots=(BENCH_CYPHER,), reset=reset, repair=repair) as services:
        check_bench_statements(services.store.catalog)
        yield services


def falkordb(services: Services) -> FalkorDBStore:
    """The FalkorDB store under the services (for what only FalkorDB reports: memory)."""
    if not isinstance(services.store, FalkorDBStore):
        raise TypeError(f"the benchmarks run on FalkorDB, not {services.store.backend}")
    return services.store
