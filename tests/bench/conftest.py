"""Graphs for the benchmarks' tests, opened as the benchmarks open theirs (graphcdp_bench.graphs), and the
service served in-process for the smoke tests of the HTTP benchmarks."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import uvicorn

from graphcdp.api.app import create_app
from graphcdp.settings import load_settings
from graphcdp.store.embedded import EmbeddedFalkorDB, free_port
from graphcdp.wiring import Services
from graphcdp_bench import lookup, upsert_latency
from graphcdp_bench.datagen import GeneratorConfig, write_dataset
from graphcdp_bench.graphs import bench_services
from graphcdp_bench.http_load import BenchRequestError, BenchServer
from graphcdp_bench.ingest import graphcdp_ingest


async def _bench_graph(server: EmbeddedFalkorDB) -> AsyncIterator[Services]:
    async with bench_services(server.url, f"test_{uuid.uuid4().hex[:12]}", load_settings()) as services:
        yield services
        await services.store.destroy()


@pytest.fixture
async def bench_graph(embedded_falkordb: EmbeddedFalkorDB) -> AsyncIterator[Services]:
    """graphcdp's services on a fresh graph of the session's embedded FalkorDB, with the benchmarks' Cypher."""
    async for services in _bench_graph(embedded_falkordb):
        yield services


@pytest.fixture
async def seeded(tmp_path: Path, bench_graph: Services) -> Services:
    """A fresh graph holding the generator's records and touchpoints of 40 people."""
    data = tmp_path / "set"
    write_dataset(data, GeneratorConfig(people=40, seed=5), progress=False)
    await graphcdp_ingest(bench_graph, data, 200, progress=False)
    return bench_graph


@pytest.fixture
async def second_bench_graph(embedded_falkordb: EmbeddedFalkorDB) -> AsyncIterator[Services]:
    async for services in _bench_graph(embedded_falkordb):
        yield services


class InProcessBenchServer(BenchServer):
    """The service `graphcdp serve` runs, built from the same settings, but served by uvicorn in the test's
    own process: a benchmark's smoke test then costs no interpreter start per server. What a separate
    process adds (its start, its log, its stop) is tested with the real BenchServer
    (test_upserts_measured_on_the_graph_an_ingest_kept, test_bench_server_that_cannot_start_says_why)."""

    _server: uvicorn.Server | None = None
    _task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> InProcessBenchServer:
        self.port = free_port()
        variables = self._environment()
        overrides = {name.removeprefix("GRAPHCDP_").lower(): value for name, value in variables.items()
                     if name.startswith("GRAPHCDP_")}  # fmt: skip
        app = create_app(load_settings(**overrides))
        self._server = uvicorn.Server(uvicorn.Config(app, port=self.port, log_level="warning", lifespan="on"))
        self._task = asyncio.create_task(self._server.serve())
        while not self._server.started:
            if self._task.done():  # it failed to start: say why
                await self._task
                raise BenchRequestError("the in-process service stopped before it was ready")
            await asyncio.sleep(0.005)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def stop(self) -> None:
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            await self._task
        self._server = self._task = None


@pytest.fixture
def in_process_servers(monkeypatch: pytest.MonkeyPatch) -> None:
    """The HTTP benchmarks serve graphcdp in-process (InProcessBenchServer) for this test."""
    monkeypatch.setattr(lookup, "BenchServer", InProcessBenchServer)
    monkeypatch.setattr(upsert_latency, "BenchServer", InProcessBenchServer)
