"""The change feed's cost and speed (docs/change-feed.md), on one embedded database in one run.

1. Write cost: single-record upserts in-process, half of them with the resolution's change events appended by
   the commit statement, half with the same statement given no events (`FeedSwitch`, a bench-only wrapper of
   the store: never a product setting). The two sides alternate, in pairs whose order flips, so the machine's
   load falls on both alike. Half the pairs make a new person (CREATED), half change a trait of a person of
   the graph (TRAITS_CHANGED).
2. Subscription latency: a real `graphcdp serve` on the same graph, one graphql-transport-ws client
   subscribed to `changes(kinds: [CREATED])`, and upserts of new persons sent over HTTP one at a time: from the
   moment each upsert was sent, and from the moment its answer arrived, to the moment its CREATED arrived on
   the websocket.
"""

from __future__ import annotations

import asyncio
import json
import random
import shutil
import time
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

from graphcdp.clock import now_ms
from graphcdp.feed.reader import bounds
from graphcdp.identity.commit import COMMIT
from graphcdp.model.identity import RecordInput
from graphcdp.settings import Settings
from graphcdp.store import GraphStore
from graphcdp.store.base import Params
from graphcdp.store.cypher import Query, RowT
from graphcdp.wiring import Services
from graphcdp_bench.graphs import bench_server, bench_services
from graphcdp_bench.http_load import BENCH_KEY, BenchRequestError, BenchServer, graphql, http_client
from graphcdp_bench.latency import latency_summary

GRAPH = "bench_feed"
PROTOCOL = Subprotocol("graphql-transport-ws")
SEED_BATCH = 500
EVENT_BOUND = 30.0  # seconds: a subscription that lost an event ends the benchmark instead of hanging it
UPSERT = "mutation($r: [RecordInput!]!) { upsertRecords(records: $r) { results { personId action } errors { code } } }"
CREATED = "subscription($after: String) { changes(after: $after, kinds: [CREATED]) { sequence kind personId } }"


class FeedSwitch:
    """The store's `run`, replaced on this one store object: while `events` is False the resolution commit is
    sent with no change events (`changes: []`), everything else as it was. For the benchmark only."""

    def __init__(self, store: GraphStore) -> None:
        self.events = True
        self._run = store.run
        setattr(store, "run", self.run)  # noqa: B010 (an instance attribute shadowing the method, on purpose)

    async def run(self, query: Query[RowT], params: Params | None = None) -> list[RowT]:
        if not self.events and query.name == COMMIT.name and params is not None:
            params = {**params, "changes": []}
        return await self._run(query, params)


def _record(source: str, source_id: str, email: str, traits: Mapping[str, Any]) -> dict[str, Any]:
    identifiers = [{"type": "email", "value": email}]
    return {"source": source, "sourceId": source_id, "identifiers": identifiers, "traits": dict(traits)}


def _seeded(n: int, visits: int = 0) -> RecordInput:
    record = _record("bench-seed", str(n), f"seed{n}@feed.bench.example", {"firstName": f"S{n}", "visits": visits})
    return RecordInput.model_validate(record | {"observedAt": now_ms()})


async def _seed(services: Services, people: int) -> None:
    for start in range(0, people, SEED_BATCH):
        await services.identity.upsert_records([_seeded(n) for n in range(start, min(people, start + SEED_BATCH))])


async def _write_cost(services: Services, people: int, upserts: int, run: str, seed: int) -> dict[str, Any]:
    """`upserts` timed single-record upserts per side (and a tenth of that untimed first, alternating too)."""
    switch = FeedSwitch(services.store)
    rng = random.Random(seed)
    warmup = max(2, upserts // 10)
    samples: dict[bool, list[float]] = {True: [], False: []}
    written = {True: 0, False: 0}
    for step in range(2 * (warmup + upserts)):
        pair = step // 2
        switch.events = (step % 2 == 0) != ((pair // 2) % 2 == 1)  # on-off, off-on, on-off …
        if pair % 2 == 0:  # a new person
            record = RecordInput.model_validate(
                _record("bench-new", f"{run}-{step}", f"new.{run}.{step}@feed.bench.example", {"firstName": "New"})
                | {"observedAt": now_ms()}
            )
        else:  # a trait of a person of the graph changes
            record = _seeded(rng.randrange(people), visits=step + 1)
        before = (await bounds(services.store)).last
        started = time.perf_counter()
        outcome = await services.identity.upsert_records([record])
        elapsed = (time.perf_counter() - started) * 1000
        if outcome.errors:
            raise BenchRequestError(f"upsert failed: {outcome.errors}")
        if step >= 2 * warmup:
            samples[switch.events].append(elapsed)
            written[switch.events] += (await bounds(services.store)).last - before
    switch.events = True
    with_events, without = latency_summary(samples[True]), latency_summary(samples[False])
    return {
        "upserts": upserts,
        "withEvents": with_events | {"eventsWritten": written[True]},
        "withoutEvents": without | {"eventsWritten": written[False]},
        "extraAtP50": round(with_events["p50"] / without["p50"] - 1, 4),
        "extraAtP99": round(with_events["p99"] / without["p99"] - 1, 4),
    }


async def _subscribe(base_url: str, after: int) -> ClientConnection:
    url = base_url.replace("http://", "ws://") + "/graphql"
    ws = await connect(url, subprotocols=[PROTOCOL])
    await ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {BENCH_KEY}"}}))
    ack = json.loads(await ws.recv(decode=True))
    if ack.get("type") != "connection_ack":
        raise BenchRequestError(f"the subscription was not accepted: {ack}")
    payload = {"query": CREATED, "variables": {"after": str(after)}}
    await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
    return ws


async def _next_created(ws: ClientConnection) -> str:
    async with asyncio.timeout(EVENT_BOUND):
        message = json.loads(await ws.recv(decode=True))
    if message.get("type") != "next":
        raise BenchRequestError(f"the subscription sent {message}")
    person: str = message["payload"]["data"]["changes"]["personId"]
    return person


async def _subscription_latency(falkordb_url: str, after: int, upserts: int, run: str) -> dict[str, Any]:
    """Upserts of new persons sent one at a time: each waits for its CREATED before the next is sent."""
    from_sent: list[float] = []
    from_answer: list[float] = []
    warmup = max(2, upserts // 10)
    async with (
        BenchServer(falkordb_url, GRAPH) as server,
        http_client(server.base_url) as client,
    ):
        ws = await _subscribe(server.base_url, after)
        try:
            for i in range(warmup + upserts):
                email = f"live.{run}.{i}@feed.bench.example"
                record = _record("bench-live", f"{run}-{i}", email, {"firstName": "Live"})
                sent = time.perf_counter()
                outcome = (await graphql(client, UPSERT, {"r": [record]}))["upsertRecords"]
                answered = time.perf_counter()
                if outcome["errors"] or outcome["results"][0]["action"] != "CREATED":
                    raise BenchRequestError(f"upsert of a new person did not create one: {outcome}")
                if (person := await _next_created(ws)) != outcome["results"][0]["personId"]:
                    raise BenchRequestError(f"CREATED of {person} arrived instead of the upserted person's")
                arrived = time.perf_counter()
                if i >= warmup:
                    from_sent.append((arrived - sent) * 1000)
                    from_answer.append((arrived - answered) * 1000)
        finally:
            await ws.close()
    return {
        "upserts": upserts,
        "eventsReceived": len(from_sent),
        "fromSent": latency_summary(from_sent),
        "fromAnswer": latency_summary(from_answer),
    }


async def feed_on(
    server_url: str, settings: Settings, *, people: int, upserts: int, subscriptions: int, seed: int = 1
) -> dict[str, Any]:
    """Both measurements on a running FalkorDB server, in a fresh graph (dropped afterwards)."""
    run = uuid.uuid4().hex[:8]
    async with bench_services(server_url, GRAPH, settings, reset=True) as services:
        await _seed(services, people)
        write_cost = await _write_cost(services, people, upserts, run, seed)
        after = (await bounds(services.store)).last
        subscription = await _subscription_latency(server_url, after, subscriptions, run)
        await services.store.destroy()
    return {
        "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "people": people,
        "writeCost": write_cost,
        "subscription": subscription,
    }


async def run_feed(
    settings: Settings, work: Path, *, people: int, upserts: int, subscriptions: int, seed: int
) -> dict[str, Any]:
    database = work / "falkordb-feed"
    shutil.rmtree(database, ignore_errors=True)
    server = bench_server(database, settings, rewrite_aof=False)
    await server.start()
    try:
        return await feed_on(
            server.url, settings, people=people, upserts=upserts, subscriptions=subscriptions, seed=seed
        )
    finally:
        await server.stop()
        shutil.rmtree(database, ignore_errors=True)


def feed_table(result: dict[str, Any]) -> str:
    cost, live = result["writeCost"], result["subscription"]
    row = "{:<34} {:>8.2f} {:>8.2f} {:>8.2f} {:>8}"
    lines = [
        f"change feed on a graph of {result['people']:,} persons",
        f"{'':<34} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'events':>8}",
    ]
    for label, side in (("upsert, events written", cost["withEvents"]), ("upsert, no events", cost["withoutEvents"])):
        lines.append(row.format(label, side["p50"], side["p95"], side["p99"], side["eventsWritten"]))
    lines.append(
        f"feed write cost: {cost['extraAtP50']:+.1%} at p50, {cost['extraAtP99']:+.1%} at p99 "
        f"({cost['upserts']:,} upserts a side, alternating)"
    )
    for label, side in (("CREATED on websocket, from sent", live["fromSent"]),
                        ("CREATED on websocket, from answer", live["fromAnswer"])):  # fmt: skip
        lines.append(row.format(label, side["p50"], side["p95"], side["p99"], live["eventsReceived"]))
    lines.append(f"subscription: {live['eventsReceived']:,} of {live['upserts']:,} events received")
    return "\n".join(lines)
