"""The HTTP benchmarks' parts on a real embedded FalkorDB: both sides of the lookup give the same answer,
the load generator keeps each request on its worker, a server that cannot start says why. The benchmarks
themselves run end to end, at every client level, in tests/bench/test_suite_smoke.py. Nothing here looks
at a time."""

from __future__ import annotations

import asyncio
import shutil
from datetime import datetime

import httpx
import pytest

from graphcdp.api.app import create_app
from graphcdp.model.profiles import ConsentStatus
from graphcdp.privacy.consent import ConsentRequest
from graphcdp.wiring import Services
from graphcdp_bench.http_load import (
    BenchRequestError,
    BenchServer,
    run_concurrent,
    sample_identifiers,
)
from graphcdp_bench.lookup import graphql_context, raw_context


def _ms(iso: str) -> int:
    return round(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000)


async def test_raw_context_gives_the_answer_graphcdp_gives(seeded: Services) -> None:
    services = seeded
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

    # graphcdp's answer from the app in-process: what `graphcdp serve` answers (the suite's smoke test runs
    # the benchmark against a served process).
    app = create_app(services=services)
    key = await services.keys.create("bench-smoke", ["profiles:read"], actor="test")
    headers = {"Authorization": f"Bearer {key.secret}"}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test", headers=headers) as client:
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
