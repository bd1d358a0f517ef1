"""`graphcdp bench mcp` at a tiny size, served in-process: the tool, the GraphQL query and the raw database answer
the same lookups (the tool's answer is the raw database's person), and the run reports every side at every
client count. Nothing here looks at a time."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from graphcdp.settings import load_settings
from graphcdp.store.embedded import EmbeddedFalkorDB
from graphcdp_bench import mcp_tools
from graphcdp_bench.datagen import GeneratorConfig, write_dataset
from graphcdp_bench.graphs import bench_services
from graphcdp_bench.http_load import sample_identifiers
from graphcdp_bench.ingest import graphcdp_ingest
from graphcdp_bench.lookup import raw_context
from tests.bench.conftest import InProcessBenchServer
from tests.mcp_world import http_session


async def test_mcp_bench_runs_and_the_tool_answers_what_the_database_holds(
    embedded_falkordb: EmbeddedFalkorDB, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(mcp_tools, "BenchServer", InProcessBenchServer)
    graph = f"test_{uuid.uuid4().hex[:12]}"
    write_dataset(tmp_path / "set", GeneratorConfig(people=30, seed=4), progress=False)
    async with bench_services(embedded_falkordb.url, graph, load_settings()) as services:
        await graphcdp_ingest(services, tmp_path / "set", 200, progress=False)
        known = (await sample_identifiers(services.store, 1))[0]
        raw = await raw_context(services.store, known, mcp_tools.CONTEXT_TOUCHPOINTS)
        try:
            server = InProcessBenchServer(embedded_falkordb.url, graph)
            async with server, http_session(server.base_url, mcp_tools.BENCH_KEY) as session:
                answer = await mcp_tools.tool_context(session, known)
            assert answer["person_id"] == raw["id"] == known.person
            assert len(answer["recent_touchpoints"]) == len(raw["recent"])
            keys = {f"{i['type']}:{i['value']}" for i in answer["identifiers"]}
            assert keys == {i["key"] for i in raw["identifiers"]}

            result = await mcp_tools.run_mcp(embedded_falkordb.url, graph, clients=(1, 2), calls=6)
        finally:
            await services.store.destroy()
    for side in ("tool", "graphql", "raw"):
        assert set(result[side]) == {"1", "2"} and all(level["count"] == 6 for level in result[side].values())
    assert set(result["ratio"]["2"]) == {"toolOverGraphql", "toolOverRaw", "graphqlOverRaw"}
    assert "get_customer_context, 6 calls per client count" in mcp_tools.mcp_table(result)
