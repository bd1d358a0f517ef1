"""The HTTP benchmarks (single upserts, context lookups beside the raw database) end to end at a tiny size,
against a real `graphcdp serve` on a real embedded FalkorDB, so they cannot rot. Nothing here looks at a
time: only at what was measured, and that both sides of the lookup give the same answer."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from graphcdp.model.profiles import ConsentStatus
from graphcdp.privacy.consent import ConsentRequest
from graphcdp.store.embedded import EmbeddedFalkorDB
from graphcdp.wiring import Services
from graphcdp_bench.datagen import GeneratorConfig, write_dataset
from graphcdp_bench.graphs import bench_services
from graphcdp_bench.http_load import (
    BenchRequestError,
    BenchServer,
    http_client,
    run_concurrent,
    sample_identifiers,
)
from graphcdp_bench.ingest import graphcdp_ingest
from graphcdp_bench.lookup import graphql_context, lookup_table, raw_context, run_lookup
from graphcdp_bench.upsert_latency import run_upsert_latency, upsert_table

GRAPH = "bench_http"


@pytest.fixture
async def seeded(tmp_path: Path) -> AsyncIterator[tuple[EmbeddedFalkorDB, Services]]:
    """A fresh embedded FalkorDB holding the generator's records and touchpoints of 40 people."""
    data = tmp_path / "set"
    write_dataset(data, GeneratorConfig(people=40, seed=5), progress=False)
    server = EmbeddedFalkorDB(tmp_path / "falkordb")
    await server.start()
    try:
        async with bench_services(server.url, GRAPH) as services:
            await graphcdp_ingest(services, data, 200, progress=False)
            yield server, services
    finally:
        await server.stop()


def _ordered(summary: dict[str, Any], count: int) -> None:
    assert summary["count"] == count
    assert 0 < summary["p50"] <= summary["p95"] <= summary["p99"] <= summary["max"]
    assert summary["requestsPerSecond"] > 0


def _rows_by_clients(table: str) -> set[str]:
    return {line.split()[0] for line in table.splitlines() if line.split() and line.split()[0].isdigit()}


def _ms(iso: str) -> int:
    return round(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000)


async def test_raw_context_gives_the_answer_graphcdp_gives(seeded: tuple[EmbeddedFalkorDB, Services]) -> None:
    server, services = seeded
    store = services.store
    sample = await sample_identifiers(store, 1000)
    answers = [(await raw_context(store, s), s) for s in sample]
    # The identifier of the person with the most touchpoints, so the cut at 10 is part of the comparison.
    row, known = max(answers, key=lambda answer: (answer[0]["touchpoints"], answer[1].key))
    assert row["touchpoints"] > 10
    await services.profiles.set_consent(
        ConsentRequest(known.type, known.value, "marketing", "email", ConsentStatus.GRANTED, None, "test")
    )
    row = await raw_context(store, known)

    async with BenchServer(server.url, GRAPH) as service, http_client(service.base_url, 1) as client:
        context = await graphql_context(client, known)

    assert context["personId"] == row["id"] == known.person
    assert [t["id"] for t in context["recentTouchpoints"]] == [t["id"] for t in row["recent"]]
    assert len(row["recent"]) == 10
    assert sorted(i["key"] for i in context["identifiers"]) == sorted(i["key"] for i in row["identifiers"])
    assert context["consents"] == [{"purpose": "marketing", "channel": "email", "status": "GRANTED"}]
    assert [(c["purpose"], c["channel"], c["status"]) for c in row["consents"]] == [("marketing", "email", "GRANTED")]
    metrics = context["metrics"]
    assert (metrics["orders"], metrics["revenue"]) == (row["orders"], round(row["revenue"], 2))
    assert metrics["netRevenue"] == round(row["revenue"] - row["returned"], 2)
    assert _ms(metrics["lastSeenAt"]) == row["lastSeenAt"]


async def test_upsert_and_lookup_benchmarks_measure_every_level(
    seeded: tuple[EmbeddedFalkorDB, Services],
) -> None:
    server, _ = seeded
    upsert = await run_upsert_latency(server.url, GRAPH, clients=(1, 2), upserts=10)
    lookup = await run_lookup(server.url, GRAPH, clients=(1, 2), queries=10)

    assert upsert["upserts"] == 10 and set(upsert["clients"]) == {"1", "2"}
    for summary in upsert["clients"].values():
        _ordered(summary, 10)
    # Every timed upsert is counted once; new people are created, linking records merge two persons.
    assert sum(upsert["actions"].values()) == 20
    assert upsert["actions"].get("CREATED", 0) > 0 and upsert["actions"].get("MERGED", 0) > 0
    assert "UNCHANGED" not in upsert["actions"]
    assert _rows_by_clients(upsert_table(upsert)) == {"1", "2"}
    # Matching is on (the default): the records carry the traits of people of the graph, so it meets real
    # blocks and scores candidates.
    assert upsert["matching"] is True
    assert upsert["scored"]["pairsScored"] > 0 and 0 < upsert["scored"]["upsertsWithCandidates"] <= 20
    assert "candidate pairs scored" in upsert_table(upsert)

    assert lookup["queries"] == 10
    for side in ("graphcdp", "raw"):
        assert set(lookup[side]) == {"1", "2"}
        for summary in lookup[side].values():
            _ordered(summary, 10)
    for clients, ratio in lookup["ratio"].items():
        assert ratio["p50"] == round(lookup["graphcdp"][clients]["p50"] / lookup["raw"][clients]["p50"], 2)
        assert ratio["p50"] > 0 and ratio["requestsPerSecond"] > 0
    assert _rows_by_clients(lookup_table(lookup)) == {"1", "2"}


async def test_the_upsert_benchmark_can_run_with_matching_off(seeded: tuple[EmbeddedFalkorDB, Services]) -> None:
    server, _ = seeded
    upsert = await run_upsert_latency(server.url, GRAPH, clients=(1,), upserts=10, matching=False)

    assert upsert["matching"] is False and sum(upsert["actions"].values()) == 10
    # The served process really ran without matching: nothing was scored.
    assert upsert["scored"] == {"pairsScored": 0, "matched": 0, "possible": 0, "upsertsWithCandidates": 0}
    assert "matching off" in upsert_table(upsert)


async def test_run_concurrent_keeps_each_request_on_its_worker_and_raises_a_failure() -> None:
    done: list[int] = []

    async def call(i: int) -> None:
        assert i < 3 or i - 3 in done  # request i - clients ran on the same worker, before it
        await asyncio.sleep(0.001 * (i % 4))
        done.append(i)

    samples, seconds = await run_concurrent(call, clients=3, total=20, warmup=4)
    assert len(samples) == 20 and seconds > 0 and sorted(done) == list(range(24))

    async def failing(i: int) -> None:
        if i == 7:
            raise BenchRequestError("HTTP 500: boom")
        await asyncio.sleep(0.001)

    with pytest.raises(BenchRequestError, match="boom"):
        await run_concurrent(failing, clients=4, total=20, warmup=0)


async def test_bench_server_that_cannot_start_says_why() -> None:
    refused = BenchServer("falkor://127.0.0.1:1", "")  # a configuration the service refuses
    with pytest.raises(BenchRequestError, match=r"(?s)exited with code 2 .*GRAPHCDP_GRAPH"):
        async with refused:
            pass
    assert refused.work_dir is not None and "GRAPHCDP_GRAPH" in refused.log_path.read_text()  # kept for a look
    shutil.rmtree(refused.work_dir)
