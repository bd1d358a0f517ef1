"""Managing webhook destinations over GraphQL, on the real embedded database and a real receiver on loopback (the
dispatcher's rounds run here one by one): the secret shown once, pausing and resuming, the delivery log and its
pages, a dead letter sent again with redeliver, deleting, and the error codes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from graphcdp.api.app import create_app
from graphcdp.settings import load_settings
from graphcdp.store.falkordb import FalkorDBStore
from graphcdp.wiring import Services, services_on
from tests.api.graphql_client import gql
from tests.service_process import AUTH_HEADERS, TEST_ADMIN_KEY
from tests.webhook_receiver import Receiver

CREATE = """mutation($u: String!, $k: [ChangeKind!]) { createDestination(url: $u, kinds: $k) {
  destination { id url secret kinds segments purpose channel status position } } }"""
DESTINATIONS = "{ destinations { id secret status kinds } }"
PAUSE = "mutation($id: ID!) { pauseDestination(id: $id) { id status } }"
RESUME = "mutation($id: ID!) { resumeDestination(id: $id) { id status } }"
DELETE = "mutation($id: ID!) { deleteDestination(id: $id) { id } }"
REDELIVER = "mutation($id: ID!) { redeliver(id: $id) { id status attempts } }"
DELIVERIES = """query($d: ID!, $s: DeliveryStatus, $a: String, $f: Int!) {
  deliveries(destinationId: $d, status: $s, after: $a, first: $f) {
    edges { cursor node { id destinationId sequence personId kind status attempts lastStatusCode lastError
                          nextAttemptAt deliveredAt } }
    pageInfo { hasNextPage endCursor } } }"""
UPSERT = "mutation($r: [RecordInput!]!) { upsertRecords(records: $r) { results { personId } errors { code } } }"
ROUNDS = 400  # a bound so a broken dispatcher fails the test instead of hanging it; not a measurement


@pytest.fixture
async def app(falkordb_store: FalkorDBStore, tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, Services]]:
    settings = load_settings(
        admin_key=SecretStr(TEST_ADMIN_KEY),
        rate_limit=0,
        data_dir=tmp_path,
        webhook_retry_first_seconds=0.01,
        webhook_retry_max_seconds=0.02,
        webhook_retry_hours=0.00002,  # 72 ms: the receiver being down dead-letters at once
    )
    async with services_on(falkordb_store, settings) as services:
        transport = httpx.ASGITransport(app=create_app(services=services))  # no lifespan: rounds run here
        async with httpx.AsyncClient(transport=transport, base_url="http://test", headers=AUTH_HEADERS) as http:
            yield http, services


async def ask(http: httpx.AsyncClient, document: str, **variables: Any) -> dict[str, Any]:
    body = await gql(http, document, **variables)
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


async def error_code(http: httpx.AsyncClient, document: str, **variables: Any) -> str:
    body = await gql(http, document, **variables)
    code: str = body["errors"][0]["extensions"]["code"]
    return code


async def settle(services: Services) -> None:
    for _ in range(ROUNDS):
        if not await services.webhooks.dispatcher.run_once():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the dispatcher did not settle")


def record(source_id: str, email: str, **traits: Any) -> dict[str, Any]:
    return {
        "source": "crm",
        "sourceId": source_id,
        "identifiers": [{"type": "email", "value": email}],
        "traits": traits,
    }


async def test_a_destination_over_graphql(app: tuple[httpx.AsyncClient, Services], receiver: Receiver) -> None:
    http, services = app
    created = (await ask(http, CREATE, u=receiver.url, k=["CREATED"]))["createDestination"]["destination"]
    assert created["secret"].startswith("whsec_") and created["status"] == "ACTIVE"
    assert (created["kinds"], created["segments"], created["purpose"]) == (["CREATED"], None, None)
    receiver.secret = created["secret"]
    dst = created["id"]
    assert (await ask(http, DESTINATIONS))["destinations"] == [
        {"id": dst, "secret": None, "status": "ACTIVE", "kinds": ["CREATED"]}
    ]

    assert (await ask(http, PAUSE, id=dst))["pauseDestination"]["status"] == "PAUSED"
    receiver.stop()  # and down
    await ask(http, UPSERT, r=[record(str(n), f"p{n}@example.com", n=n) for n in range(3)])
    await settle(services)
    page = (await ask(http, DELIVERIES, d=dst, f=10))["deliveries"]
    assert page["edges"] == []  # paused: nothing handed over
    assert (await ask(http, RESUME, id=dst))["resumeDestination"]["status"] == "ACTIVE"
    await settle(services)

    dead = (await ask(http, DELIVERIES, d=dst, s="DEAD_LETTER", f=10))["deliveries"]["edges"]
    assert len(dead) == 3  # one CREATED per person, none delivered within the window
    assert all(e["node"]["kind"] == "CREATED" and e["node"]["attempts"] >= 1 for e in dead)
    assert all("ConnectError" in e["node"]["lastError"] for e in dead)
    first = (await ask(http, DELIVERIES, d=dst, f=1))["deliveries"]
    assert first["pageInfo"]["hasNextPage"] and len(first["edges"]) == 1
    rest = (await ask(http, DELIVERIES, d=dst, a=first["pageInfo"]["endCursor"], f=10))["deliveries"]
    assert [e["node"]["id"] for e in first["edges"] + rest["edges"]] == [e["node"]["id"] for e in dead]

    receiver.start()
    again = (await ask(http, REDELIVER, id=dead[0]["node"]["id"]))["redeliver"]
    assert again["status"] == "PENDING"
    await settle(services)
    delivered = (await ask(http, DELIVERIES, d=dst, s="DELIVERED", f=10))["deliveries"]["edges"]
    assert [e["node"]["id"] for e in delivered] == [dead[0]["node"]["id"]]
    assert delivered[0]["node"]["lastStatusCode"] == 200 and delivered[0]["node"]["deliveredAt"]
    assert [(r.message_id, r.verified) for r in receiver.delivered()] == [(dead[0]["node"]["id"], True)]

    assert (await ask(http, DELETE, id=dst))["deleteDestination"]["id"] == dst
    assert (await ask(http, DESTINATIONS))["destinations"] == []
    assert await error_code(http, DELIVERIES, d=dst, f=10) == "DESTINATION_NOT_FOUND"
    assert await error_code(http, PAUSE, id=dst) == "DESTINATION_NOT_FOUND"
    assert await error_code(http, REDELIVER, id=dead[1]["node"]["id"]) == "DELIVERY_NOT_FOUND"  # went with it


async def test_a_destination_is_refused_with_its_code(app: tuple[httpx.AsyncClient, Services]) -> None:
    http, _ = app
    assert await error_code(http, CREATE, u="ftp://files.test/in") == "INVALID_DESTINATION"
    assert await error_code(http, DELIVERIES, d="dst_none", a="x", f=10) == "INVALID_CURSOR"
