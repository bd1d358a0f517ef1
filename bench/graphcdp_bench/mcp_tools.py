"""MCP tool calls: `get_customer_context` through graphcdp's MCP server (the SDK's own client, streamable HTTP at
/mcp of `graphcdp serve`), beside the same GraphQL document over HTTP to /graphql and the raw database's context
lookup (cypher/bench/raw_context.cypher), for the same random identifiers, level by level, in the same run.

What the tool adds to the GraphQL query it runs is the MCP layer: JSON-RPC framing, argument validation against
the tool's schema, the answer summarized as text and structured content, and a stateless transport (every call
builds its session). Ratios: tool p50 / GraphQL p50 and tool p50 / raw p50.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

import httpx
import httpx2
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client

from graphcdp.mcp import documents
from graphcdp.mcp.tools import CONTEXT_TOUCHPOINTS
from graphcdp_bench.graphs import bench_services
from graphcdp_bench.http_load import (
    BENCH_KEY,
    BenchRequestError,
    BenchServer,
    SampledIdentifier,
    graphql,
    run_clients,
    run_concurrent,
)
from graphcdp_bench.latency import latency_summary
from graphcdp_bench.lookup import lookup_asks, raw_context

TOOL = "get_customer_context"
Timed = tuple[list[float], float]  # latencies in ms, and the wall seconds they took together


async def tool_context(session: ClientSession, identifier: SampledIdentifier) -> dict[str, Any]:
    """The tool's structured answer; BenchRequestError if it is a tool error (the identifier has a person)."""
    result = await session.call_tool(TOOL, {"identifier": identifier.value, "type": identifier.type})
    if result.is_error or result.structured_content is None:
        raise BenchRequestError(f"{TOOL} failed for {identifier.key}: {result.content}")
    answer: dict[str, Any] = result.structured_content
    return answer


async def _tool_level(base_url: str, asks: Sequence[SampledIdentifier], clients: int, total: int) -> Timed:
    async with contextlib.AsyncExitStack() as stack:
        sessions: list[ClientSession] = []
        for _ in range(clients):  # a session (and its HTTP connection) per worker, as run_clients does
            http = await stack.enter_async_context(
                httpx2.AsyncClient(headers={"Authorization": f"Bearer {BENCH_KEY}"}, timeout=120)
            )
            read, write = await stack.enter_async_context(streamable_http_client(f"{base_url}/mcp", http_client=http))
            session = await stack.enter_async_context(ClientSession(read, write))
            await session.initialize()
            sessions.append(session)

        async def call(i: int) -> None:
            await tool_context(sessions[i % clients], asks[i])

        return await run_concurrent(call, clients=clients, total=total)


async def _raw_level(url: str, graph: str, asks: Sequence[SampledIdentifier], clients: int, total: int) -> Timed:
    async with bench_services(url, graph, connections=clients) as services:

        async def call(i: int) -> None:
            await raw_context(services.store, asks[i], CONTEXT_TOUCHPOINTS)

        return await run_concurrent(call, clients=clients, total=total)


def _ratio(ours: dict[str, Any], other: dict[str, Any]) -> float:
    return round(ours["p50"] / other["p50"], 2) if other["p50"] else 0.0


async def run_mcp(
    falkordb_url: str, graph: str, *, clients: Sequence[int] = (1, 8), calls: int = 1000, seed: int = 1
) -> dict[str, Any]:
    """`calls` context lookups at each client count: the MCP tool, the same GraphQL document, the raw database.

    Returns {"calls": n, "tool": {"1": latency_summary, …}, "graphql": {…}, "raw": {…},
    "ratio": {"1": {"toolOverGraphql": …, "toolOverRaw": …, "graphqlOverRaw": …}, …}}.
    """
    asks = await lookup_asks(falkordb_url, graph, calls, seed)
    tool: dict[str, dict[str, Any]] = {}
    query: dict[str, dict[str, Any]] = {}
    raw: dict[str, dict[str, Any]] = {}
    ratio: dict[str, dict[str, float]] = {}
    async with BenchServer(falkordb_url, graph) as server:

        async def request(client: httpx.AsyncClient, i: int) -> None:
            identifier = {"type": asks[i].type, "value": asks[i].value}
            variables = {"identifier": identifier, "touchpoints": CONTEXT_TOUCHPOINTS}
            data = await graphql(client, documents.CONTEXT, variables)
            if data["context"] is None:
                raise BenchRequestError(f"context found no person for {asks[i].key}")

        for count in clients:  # the three sides level by level, so a drift of the machine hits them alike
            key = str(count)
            tool[key] = latency_summary(*await _tool_level(server.base_url, asks, count, calls))
            query[key] = latency_summary(
                *await run_clients(request, base_url=server.base_url, clients=count, total=calls)
            )
            raw[key] = latency_summary(*await _raw_level(falkordb_url, graph, asks, count, calls))
            ratio[key] = {
                "toolOverGraphql": _ratio(tool[key], query[key]),
                "toolOverRaw": _ratio(tool[key], raw[key]),
                "graphqlOverRaw": _ratio(query[key], raw[key]),
            }
    return {"calls": calls, "tool": tool, "graphql": query, "raw": raw, "ratio": ratio}


def mcp_table(result: dict[str, Any]) -> str:
    lines = [
        f"{TOOL}, {result['calls']:,} calls per client count: the MCP tool over streamable HTTP beside the same "
        "GraphQL query over HTTP and the raw database",
        f"{'clients':>7} | {'tool p50':>8} {'tool p99':>8} {'calls/s':>7} | {'gql p50':>8} {'gql p99':>8} | "
        f"{'raw p50':>8} | {'tool/gql':>8} {'tool/raw':>8} {'gql/raw':>8}",
    ]
    for count, ours in result["tool"].items():
        query, raw, ratio = result["graphql"][count], result["raw"][count], result["ratio"][count]
        lines.append(
            f"{count:>7} | {ours['p50']:>8.2f} {ours['p99']:>8.2f} {ours['requestsPerSecond']:>7,.0f}"
            f" | {query['p50']:>8.2f} {query['p99']:>8.2f} | {raw['p50']:>8.2f}"
            f" | {ratio['toolOverGraphql']:>7.2f}x {ratio['toolOverRaw']:>7.1f}x {ratio['graphqlOverRaw']:>7.1f}x"
        )
    return "\n".join(lines)
