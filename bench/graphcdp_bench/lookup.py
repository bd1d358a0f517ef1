"""Chatbot context lookup: `context(identifier, touchpoints: 10)` over HTTP against `graphcdp serve`, beside
the raw database answering the same lookup in one Cypher statement (cypher/bench/raw_context.cypher),
at the same concurrency levels, for the same random identifiers of the graph, in the same run.

The raw side is the database's floor for the answer: one indexed read that returns the person, her
traits, identifiers and consent statements, order count, revenue and last activity, and her latest
touchpoints. graphcdp adds normalization, HTTP, GraphQL and metrics computed in Python; it reads the answer
in one statement too (cypher/profiles/customer_context.cypher). The ratio is graphcdp p50 / raw p50 and
raw req/s / graphcdp req/s (1.0 would mean graphcdp costs nothing). With `workers` above 1, the same
levels also go through `graphcdp serve --workers N`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
from collections.abc import Sequence
from typing import Any

import httpx

from graphcdp.store import GraphStore
from graphcdp_bench.cypher import bench_statement
from graphcdp_bench.graphs import bench_services
from graphcdp_bench.http_load import (
    BenchRequestError,
    BenchServer,
    SampledIdentifier,
    default_warmup,
    graphql,
    run_clients,
    run_concurrent,
    sample_identifiers,
)
from graphcdp_bench.latency import latency_summary
from graphcdp_bench.levels import LEVELS_HEADER, level_rows, ratio_to_raw
from graphcdp_bench.wrk import run_wrk

RAW_CONTEXT = bench_statement("bench/raw_context")

TOUCHPOINTS = 10
# What a chatbot asks: who, her identifiers, consent, value and activity,
# and what she did last.
CONTEXT = """
query($type: String!, $value: String!, $touchpoints: Int!) {
  context(identifier: {type: $type, value: $value}, touchpoints: $touchpoints) {
    personId traits summary identifiers { key }
    consents { purpose channel status }
    metrics { orders revenue netRevenue averageOrderValue lastSeenAt daysSinceLastActivity engagementScore
              engagementDeclining recencyScore frequencyScore monetaryScore }
    recentTouchpoints { id type channel occurredAt amount }
  }
}"""
MAX_SAMPLE = 5000  # distinct identifiers drawn from the graph; the queries pick among them


async def graphql_context(
    client: httpx.AsyncClient, identifier: SampledIdentifier, touchpoints: int = TOUCHPOINTS
) -> dict[str, Any]:
    """graphcdp's answer; BenchRequestError if it fails or finds nobody (the identifier has a person)."""
    variables = {"type": identifier.type, "value": identifier.value, "touchpoints": touchpoints}
    context: dict[str, Any] | None = (await graphql(client, CONTEXT, variables))["context"]
    if context is None:
        raise BenchRequestError(f"context found no person for {identifier.key}")
    return context


def context_body(identifier: SampledIdentifier, touchpoints: int = TOUCHPOINTS) -> str:
    """The JSON body of graphcdp's context request for one identifier, as the Python clients send it."""
    variables = {"type": identifier.type, "value": identifier.value, "touchpoints": touchpoints}
    return json.dumps({"query": CONTEXT, "variables": variables})


async def raw_context(
    store: GraphStore, identifier: SampledIdentifier, touchpoints: int = TOUCHPOINTS
) -> dict[str, Any]:
    """The raw database's answer; BenchRequestError if it finds nobody."""
    rows = await store.run(RAW_CONTEXT, {"key": identifier.key, "limit": touchpoints})
    if not rows:
        raise BenchRequestError(f"raw context found no person for {identifier.key}")
    return rows[0]


async def _raw_level(
    falkordb_url: str,
    graph: str,
    *,
    asks: Sequence[SampledIdentifier],
    clients: int,
    total: int,
) -> tuple[list[float], float]:
    # One connection per client, as graphcdp's service would have with as many requests in flight.
    async with bench_services(falkordb_url, graph, connections=clients) as services:

        async def call(i: int) -> None:
            await raw_context(services.store, asks[i])

        return await run_concurrent(call, clients=clients, total=total)


async def lookup_asks(falkordb_url: str, graph: str, count: int, seed: int) -> list[SampledIdentifier]:
    """The identifiers the lookups ask, warm-up included: request i asks asks[i], on every side and level."""
    async with bench_services(falkordb_url, graph) as probe:
        sample = await sample_identifiers(probe.store, min(count, MAX_SAMPLE))
    if not sample:
        raise BenchRequestError(f"graph {graph!r} has no identifier that leads to a person: nothing to look up")
    rng = random.Random(seed)
    return [rng.choice(sample) for _ in range(default_warmup(count) + count)]


async def run_lookup(
    falkordb_url: str,
    graph: str,
    *,
    clients: Sequence[int] = (1, 8, 32, 128),
    queries: int = 2000,
    seed: int = 1,
    workers: int = 1,
    generator: str = "python",
    seconds: float = 10.0,
) -> dict[str, Any]:
    """`queries` context lookups at each client count, through graphcdp and straight from the database; with
    `workers` above 1, also through `graphcdp serve --workers N` at each level, in the same run. With
    `generator` "wrk", graphcdp's side is asked by wrk for `seconds` per level instead of `queries` times
    by the Python clients (the raw side is always the Python client of the database).

    Returns {"queries": n, "graphcdp": {"8": latency_summary, …}, "raw": {"8": …},
    "ratio": {"8": {"p50": graphcdp p50 / raw p50, "requestsPerSecond": raw req/s / graphcdp req/s}, …}}, and
    with workers {"workers": N, "graphcdpWorkers": {"8": …}, "ratioWorkers": {"8": …}}.
    """
    asks = await lookup_asks(falkordb_url, graph, queries, seed)
    ours: dict[str, dict[str, Any]] = {}
    raw: dict[str, dict[str, Any]] = {}
    ratio: dict[str, dict[str, float]] = {}
    several: dict[str, dict[str, Any]] = {}
    several_ratio: dict[str, dict[str, float]] = {}

    async def request(client: httpx.AsyncClient, i: int) -> None:
        await graphql_context(client, asks[i])

    bodies = [context_body(ask) for ask in asks]

    async def level(base_url: str, count: int) -> dict[str, Any]:
        if generator == "wrk":
            return await asyncio.to_thread(
                run_wrk, base_url, bodies, clients=count, seconds=seconds, expect='"personId"'
            )
        return latency_summary(*await run_clients(request, base_url=base_url, clients=count, total=queries))

    async with contextlib.AsyncExitStack() as servers:
        server = await servers.enter_async_context(BenchServer(falkordb_url, graph))
        pool = (
            await servers.enter_async_context(BenchServer(falkordb_url, graph, workers=workers))
            if workers > 1
            else None
        )
        for count in clients:  # every side level by level, so a drift of the machine hits them alike
            key = str(count)
            ours[key] = await level(server.base_url, count)
            raw[key] = latency_summary(*await _raw_level(falkordb_url, graph, asks=asks, clients=count, total=queries))
            ratio[key] = ratio_to_raw(ours[key], raw[key])
            if pool is not None:
                several[key] = await level(pool.base_url, count)
                several_ratio[key] = ratio_to_raw(several[key], raw[key])
    result: dict[str, Any] = {"queries": queries, "generator": generator, "graphcdp": ours, "raw": raw, "ratio": ratio}
    if generator == "wrk":
        result["seconds"] = seconds
    if pool is not None:
        result |= {"workers": workers, "graphcdpWorkers": several, "ratioWorkers": several_ratio}
    return result


def lookup_table(result: dict[str, Any]) -> str:
    asked = (
        f"wrk for {result['seconds']:g} s per client count (the raw database: {result['queries']:,})"
        if result.get("generator") == "wrk"
        else f"{result['queries']:,} per client count"
    )
    lines = [
        f"context lookups, {asked}: graphcdp over HTTP beside the raw database",
        LEVELS_HEADER,
    ]
    lines += level_rows(result, "graphcdp", "graphcdpWorkers")
    return "\n".join(lines)
