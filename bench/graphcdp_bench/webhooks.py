"""Webhook deliveries per second to a local receiver (docs/webhooks.md), beside the same number of signed POSTs
sent straight from one HTTP client to the same receiver with the same concurrency in the same run: the ratio is
what the dispatcher's graph work (hand-over, picking the due deliveries, recording outcomes) costs on top of HTTP.

`events` persons are upserted while the destination (kinds: CREATED) is paused; then it is resumed and the
dispatcher, started, delivers their CREATED events: timed from the resume until the receiver counted every
distinct webhook-id."""

from __future__ import annotations

import asyncio
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr

from graphcdp.clock import now_ms
from graphcdp.model.feed import Change, ChangeKind
from graphcdp.model.identity import RecordInput
from graphcdp.model.webhooks import DestinationStatus
from graphcdp.settings import Settings
from graphcdp.store.embedded import free_port
from graphcdp.webhooks.secrets import new_secret
from graphcdp.webhooks.sender import WebhookSender, event_body, signed_headers
from graphcdp_bench.graphs import bench_server, bench_services

GRAPH = "bench_webhooks"
UPSERT_BATCH = 500
WAIT_BOUND = 600.0  # seconds: a broken dispatcher ends the benchmark instead of hanging it


async def _count(client: httpx.AsyncClient, url: str) -> int:
    return int((await client.get(url)).text)


async def _until_counted(client: httpx.AsyncClient, url: str, expected: int) -> None:
    deadline = time.monotonic() + WAIT_BOUND
    while await _count(client, url) < expected:
        if time.monotonic() > deadline:
            raise RuntimeError(f"the receiver did not get {expected} deliveries within {WAIT_BOUND:.0f} s")
        await asyncio.sleep(0.02)


def _sink(port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "graphcdp_bench.webhook_sink", str(port)])


async def _wait_sink(client: httpx.AsyncClient, url: str) -> None:
    for _ in range(200):
        try:
            await _count(client, url)
            return
        except httpx.TransportError:
            await asyncio.sleep(0.05)
    raise RuntimeError("the benchmark's webhook receiver did not start")


async def deliveries_on(server_url: str, settings: Settings, events: int) -> dict[str, Any]:
    """The benchmark on a running FalkorDB server, in a fresh graph (dropped afterwards)."""
    settings = settings.model_copy(update={"webhook_key": SecretStr(secrets.token_urlsafe(32))})
    concurrency = settings.webhook_concurrency
    port = free_port()
    sink_url = f"http://127.0.0.1:{port}"
    sink = _sink(port)
    try:
        async with (
            httpx.AsyncClient(timeout=10) as client,
            bench_services(server_url, GRAPH, settings, reset=True) as services,
        ):
            await _wait_sink(client, sink_url)
            webhooks = services.webhooks
            destination, _ = await webhooks.create(f"{sink_url}/hook", kinds=[ChangeKind.CREATED], actor="bench")
            await webhooks.set_status(destination.id, DestinationStatus.PAUSED, actor="bench")
            for start in range(0, events, UPSERT_BATCH):
                batch = [
                    RecordInput.model_validate(
                        {"source": "bench", "sourceId": str(n), "observedAt": now_ms(),
                         "identifiers": [{"type": "email", "value": f"p{n}@example.com"}], "traits": {"n": n}}
                    )
                    for n in range(start, min(events, start + UPSERT_BATCH))
                ]  # fmt: skip
                await services.identity.upsert_records(batch)
            started = time.perf_counter()
            await webhooks.set_status(destination.id, DestinationStatus.ACTIVE, actor="bench")
            webhooks.start()
            await _until_counted(client, sink_url, events)
            dispatched = time.perf_counter() - started
            await webhooks.close()
            raw = await _raw_posts(f"{sink_url}/raw", events, concurrency)
            await services.store.destroy()
    finally:
        sink.terminate()
        sink.wait()
    return {
        "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "events": events,
        "concurrency": concurrency,
        "dispatcher": {"seconds": round(dispatched, 3), "perSecond": round(events / dispatched, 1)},
        "raw": {"seconds": round(raw, 3), "perSecond": round(events / raw, 1)},
        "ratio": round(dispatched / raw, 2),
    }


async def _raw_posts(url: str, events: int, concurrency: int) -> float:
    """The same signed POSTs (the same body shape, distinct ids) through the same sender, `concurrency` at a time."""
    sender = WebhookSender(10.0, concurrency)
    secret = new_secret()

    async def post(n: int) -> None:
        change = Change(sequence=n, kind=ChangeKind.CREATED, person_id=f"p{n}", at=now_ms(), data={"traits": ["n"]})
        body = event_body(change)
        attempt = await sender.send(url, signed_headers(secret, f"raw.{n}", now_ms(), body), body)
        if not attempt.delivered:
            raise RuntimeError(f"the receiver refused a raw POST: {attempt.error}")

    started = time.perf_counter()
    await asyncio.gather(*(post(n) for n in range(events)))
    elapsed = time.perf_counter() - started
    await sender.close()
    return elapsed


async def run_webhooks(settings: Settings, work: Path, events: int) -> dict[str, Any]:
    server = bench_server(work / "falkordb-webhooks", settings)
    await server.start()
    try:
        return await deliveries_on(server.url, settings, events)
    finally:
        await server.stop()
        shutil.rmtree(work / "falkordb-webhooks", ignore_errors=True)


def webhooks_table(result: dict[str, Any]) -> str:
    return "\n".join(
        [
            f"webhook deliveries: {result['events']} events, concurrency {result['concurrency']}",
            f"  dispatcher  {result['dispatcher']['perSecond']:>8.1f}/s  ({result['dispatcher']['seconds']} s)",
            f"  raw POSTs   {result['raw']['perSecond']:>8.1f}/s  ({result['raw']['seconds']} s)",
            f"  ratio       {result['ratio']:>8.2f}",
        ]
    )
