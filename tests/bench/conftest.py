"""Graphs for the benchmarks' tests, opened as the benchmarks open theirs (graphcdp_bench.graphs)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from graphcdp.settings import load_settings
from graphcdp.store.embedded import EmbeddedFalkorDB
from graphcdp.wiring import Services
from graphcdp_bench.graphs import bench_services


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
async def second_bench_graph(embedded_falkordb: EmbeddedFalkorDB) -> AsyncIterator[Services]:
    async for services in _bench_graph(embedded_falkordb):
        yield services
