"""`graphcdp bench all` (what `make bench` runs): every benchmark in one go on one embedded FalkorDB.

1. ingest N people through graphcdp and through plain MERGE (graphcdp_bench.run);
2. the chatbot context lookup over HTTP on the graph just ingested, beside the raw database;
3. single-record upserts over HTTP on that graph (with matching as configured; when it is on, the same
   upserts at one client again with it off, for what matching costs);
4. scaling: per-operation cost and memory on seeded graphs of each size;
5. the PNG plots.

Each step prints its table when it finishes and writes its JSON into the results directory.
"""

from __future__ import annotations

import functools
import json
import shutil
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphcdp.errors import StartupError
from graphcdp.settings import Settings
from graphcdp.store.embedded import EmbeddedFalkorDB
from graphcdp_bench.graphs import bench_server, bench_services
from graphcdp_bench.lookup import lookup_table, run_lookup
from graphcdp_bench.plots import plot_latency, plot_scaling
from graphcdp_bench.run import INGEST_GRAPH, ingest_on, ingest_table
from graphcdp_bench.scaling import dataset, run_scaling, scaling_table
from graphcdp_bench.seed import seed_graph
from graphcdp_bench.upsert_latency import run_upsert_latency, upsert_table


@dataclass(frozen=True)
class SuiteConfig:
    people: int = 100_000
    seed: int = 1
    batch_size: int = 5000
    lookup_clients: Sequence[int] = (1, 8, 32, 128)
    lookup_queries: int = 2000
    upsert_clients: Sequence[int] = (1, 8, 32)
    upserts: int = 1000
    # With matching on, the same upserts again at these client counts with it off: what matching costs.
    upsert_baseline_clients: Sequence[int] = (1,)
    scaling_sizes: Sequence[int] = (10_000, 100_000)
    scaling_probes: int = 500
    progress: bool = True


def write_result(out: Path, name: str, result: dict[str, Any]) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.json"
    path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return path


def _keep_log(server: EmbeddedFalkorDB, out: Path) -> Path:
    """A copy of the server's log in `out`: its data directory, log included, is removed after the run."""
    out.mkdir(parents=True, exist_ok=True)
    kept = out / "falkordb-crash.log"
    shutil.copy(server.log_path, kept)
    return kept


async def run_suite(
    settings: Settings, config: SuiteConfig, *, out: Path, work: Path, say: Callable[[str], None] = print
) -> dict[str, Any]:
    started = time.perf_counter()
    data = dataset(work, config.people, config.seed, progress=config.progress)
    database = work / "falkordb"
    shutil.rmtree(database, ignore_errors=True)  # every run starts from an empty database
    server = bench_server(database, settings)
    await server.start()
    results: dict[str, Any] = {}

    def finished(name: str, result: dict[str, Any], table: Callable[[dict[str, Any]], str]) -> None:
        # Written as soon as a step ends: a run stopped half-way keeps what it measured.
        results[name] = result
        write_result(out, name, result)
        say(table(result))
        # A database that died is said at once, not after the next step's connection attempts time out.
        if (reason := server.failure()) is not None:
            raise StartupError(f"the benchmark database stopped after the {name} step: {reason}")

    try:
        ingest = await ingest_on(server, settings, data, batch_size=config.batch_size, progress=config.progress)
        finished("ingest", ingest, ingest_table)
        lookup = await run_lookup(
            server.url, INGEST_GRAPH, clients=config.lookup_clients, queries=config.lookup_queries, seed=config.seed
        )
        finished("lookup", lookup, lookup_table)
        upserts = functools.partial(
            run_upsert_latency, server.url, INGEST_GRAPH, upserts=config.upserts, seed=config.seed
        )
        finished("upsert", await upserts(clients=config.upsert_clients, matching=settings.matching), upsert_table)
        if settings.matching and config.upsert_baseline_clients:
            baseline = await upserts(clients=config.upsert_baseline_clients, matching=False)
            finished("upsertWithoutMatching", baseline, upsert_table)
        if config.scaling_sizes:
            scaling = await run_scaling(
                settings,
                server,
                work,
                sizes=config.scaling_sizes,
                seed=config.seed,
                probes=config.scaling_probes,
                lookups=config.scaling_probes,
                progress=config.progress,
                on_size=lambda so_far: write_result(out, "scaling", so_far),
            )
            finished("scaling", scaling, scaling_table)
    finally:
        if server.failure() is not None:
            say(f"the benchmark database died; its log is in {_keep_log(server, out)}")
        await server.stop()
        shutil.rmtree(database, ignore_errors=True)
    plots = [plot_latency(results["upsert"], results["lookup"], out / "latency.png")]
    if "scaling" in results:
        plots.append(plot_scaling(results["scaling"], out / "scaling.png"))
    results["suite"] = {"seconds": round(time.perf_counter() - started, 1), "plots": [str(p) for p in plots]}
    write_result(out, "suite", results["suite"])
    say(f"all benchmarks in {results['suite']['seconds'] / 60:.1f} min; results and plots in {out}")
    return results


async def run_on_seeded_graph(
    settings: Settings,
    *,
    people: int,
    seed: int,
    work: Path,
    measure: Callable[[str, str], Awaitable[dict[str, Any]]],
    progress: bool = True,
) -> dict[str, Any]:
    """Run one HTTP benchmark on its own: seed a graph of `people` (graphcdp_bench.seed) on a fresh embedded
    FalkorDB, then call `measure(falkordb_url, graph)`."""
    data = dataset(work, people, seed, progress=progress)
    database = work / "falkordb"
    shutil.rmtree(database, ignore_errors=True)
    server = bench_server(database, settings)
    await server.start()
    try:
        async with bench_services(server.url, INGEST_GRAPH, settings) as services:
            await seed_graph(services.store, services.identity.rules, data, progress=progress)
        return await measure(server.url, INGEST_GRAPH)
    finally:
        await server.stop()
        shutil.rmtree(database, ignore_errors=True)


@dataclass(frozen=True)
class KeptGraph:
    server: EmbeddedFalkorDB
    load_seconds: float  # the database's start on the copy: loading its files


@asynccontextmanager
async def kept_graph_copy(settings: Settings, database: Path) -> AsyncIterator[KeptGraph]:
    """The embedded database started on a copy of the graph `graphcdp bench ingest --keep` left in `database`
    (thrown away afterwards): what a benchmark does there must not pile up in the kept graph and change what the
    next run measures."""
    if not (database / "appendonlydir").exists():
        raise StartupError(f"{database} holds no database: run `graphcdp bench ingest --keep {database}` first")
    scratch = database.with_name(f"{database.name}-run")
    shutil.rmtree(scratch, ignore_errors=True)
    shutil.copytree(database, scratch)
    # The copy is thrown away afterwards: compacting its append-only file at the stop would be wasted.
    server = bench_server(scratch, settings, rewrite_aof=False)
    try:
        began = time.perf_counter()
        await server.start()
        yield KeptGraph(server, time.perf_counter() - began)
    finally:
        await server.stop()
        shutil.rmtree(scratch, ignore_errors=True)


async def run_on_kept_graph(
    settings: Settings, database: Path, *, measure: Callable[[str, str], Awaitable[dict[str, Any]]]
) -> dict[str, Any]:
    """Run one HTTP benchmark on a copy of the graph `graphcdp bench ingest --keep` left in `database`."""
    async with kept_graph_copy(settings, database) as kept:
        return await measure(kept.server.url, INGEST_GRAPH)
