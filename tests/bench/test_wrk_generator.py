"""The wrk load generator of `graphcdp bench lookup --generator wrk` against the service on a real embedded
FalkorDB: it times answers that passed their check, and refuses to time a level whose answers failed. Nothing
here looks at a time."""

from __future__ import annotations

import asyncio
import shutil

import pytest

from graphcdp.store.falkordb import FalkorDBStore
from graphcdp.wiring import Services
from graphcdp_bench import upsert_latency
from graphcdp_bench.http_load import BenchRequestError, SampledIdentifier, sample_identifiers
from graphcdp_bench.lookup import context_body
from graphcdp_bench.wrk import run_wrk
from tests.conftest import catalog
from tests.identity_helpers import partition

from .conftest import InProcessBenchServer

pytestmark = pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed (Debian package wrk)")


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


async def test_wrk_sends_each_connection_its_own_upserts_in_order(
    seeded: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each connection sends its own records in order (a login names the cookie of the record its connection
    # sent before), every one once.
    monkeypatch.setattr(upsert_latency, "BenchServer", InProcessBenchServer)
    monkeypatch.setattr(upsert_latency, "WRK_MAX_RATE", 40)  # few bodies: the test's 3 s levels
    url, graph = seeded.settings.falkordb_url, seeded.settings.graph
    result = await upsert_latency.run_upsert_latency(
        url, graph, clients=(2,), upserts=4, raw=False, generator="wrk", seconds=3
    )
    level = result["clients"]["2"]
    assert result["generator"] == level["generator"] == "wrk" and level["count"] >= 4
    reader = await FalkorDBStore.connect(url, graph, catalog("falkordb"))  # with the tests' statements
    try:
        groups = await partition(reader)
    finally:
        await reader.close()
    records = {record for group in groups for record in group if "-wrk-2-" in record}
    # Every answer timed was one record written once; requests still in flight when wrk stopped may add one
    # per connection.
    assert level["count"] <= len(records) <= level["count"] + 2
    steps = sorted(int(record.rpartition("-")[2]) for record in records)
    for connection in (0, 1):  # each connection sent its own sequence (steps k, k + 2, …) from its start, none skipped
        sent = [step for step in steps if step % 2 == connection]
        assert sent == list(range(connection, connection + 2 * len(sent), 2)), sent
    assert {record.partition(":")[0] for record in records} == {"bench-new", "bench-link"}
