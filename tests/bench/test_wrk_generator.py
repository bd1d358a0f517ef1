"""The wrk load generator of `graphcdp bench lookup --generator wrk` against the service on a real embedded
FalkorDB: it times answers that passed their check, and refuses to time a level whose answers failed. Nothing
here looks at a time."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

from graphcdp.wiring import Services
from graphcdp_bench.datagen import GeneratorConfig, write_dataset
from graphcdp_bench.http_load import BenchRequestError, SampledIdentifier, sample_identifiers
from graphcdp_bench.ingest import graphcdp_ingest
from graphcdp_bench.lookup import context_body
from graphcdp_bench.wrk import run_wrk

from .conftest import InProcessBenchServer

pytestmark = pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed (Debian package wrk)")


@pytest.fixture
async def seeded(tmp_path: Path, bench_graph: Services) -> Services:
    data = tmp_path / "set"
    write_dataset(data, GeneratorConfig(people=20, seed=3), progress=False)
    await graphcdp_ingest(bench_graph, data, 200, progress=False)
    return bench_graph


async def test_wrk_times_checked_context_answers(seeded: Services) -> None:
    sample = await sample_identifiers(seeded.store, 10)
    bodies = [context_body(identifier) for identifier in sample]
    async with InProcessBenchServer(seeded.settings.falkordb_url, seeded.settings.graph) as server:
        level = await asyncio.to_thread(run_wrk, server.base_url, bodies, clients=2, seconds=1, expect='"personId"')
    assert level["generator"] == "wrk"
    assert level["count"] > 0 and level["requestsPerSecond"] > 0
    assert 0 < level["p50"] <= level["p95"] <= level["p99"] <= level["max"]
    assert len(level["quantilesMs"]) > 2 and level["quantilesMs"] == sorted(level["quantilesMs"])


async def test_wrk_refuses_to_time_failed_answers(seeded: Services) -> None:
    # Nobody holds this identifier: the context is null, the answer lacks "personId" and fails its check.
    nobody = SampledIdentifier("email:nobody@example.invalid", "email", "nobody@example.invalid", "")
    async with InProcessBenchServer(seeded.settings.falkordb_url, seeded.settings.graph) as server:
        with pytest.raises(BenchRequestError, match=r"failed their check.*200"):
            await asyncio.to_thread(
                run_wrk, server.base_url, [context_body(nobody)], clients=1, seconds=1, expect='"personId"'
            )
