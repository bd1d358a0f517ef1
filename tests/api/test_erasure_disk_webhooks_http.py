"""Gone from disk with a webhook destination, too: a destination that received her events (a real receiver on
loopback), then forgetPerson over GraphQL on the real embedded database (GRAPHCDP_ERASURE_COMPACTION=0), and
none of her values is in any file of the data directory, read as bytes (tests/disk_search.py); Bob's still are,
which shows the search finds what is there. The dispatcher's rounds run here, one by one."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import redis.asyncio as aioredis
from pydantic import SecretStr

from graphcdp.api.app import create_app
from graphcdp.settings import load_settings
from graphcdp.store.falkordb import FalkorDBStore, query_log_key
from graphcdp.wiring import Services, open_services
from tests.api.test_webhooks_http import ask, settle
from tests.disk_search import files_holding
from tests.service_process import AUTH_HEADERS, TEST_ADMIN_KEY
from tests.webhook_receiver import Receiver

ADA_EMAIL = "ada.hookzq@example.com"
ADA_PHONE = "+44 20 7946 0877"
ADA_VALUES = [ADA_EMAIL, "+442079460877", "Adalwebhooka", "cust-hook-ada"]
BOB_EMAIL = "bob.hookzq@example.com"
RECORDS = [
    {"source": "crm", "sourceId": "cust-hook-ada", "observedAt": "2024-01-02T03:04:05Z",
     "identifiers": [{"type": "email", "value": ADA_EMAIL}, {"type": "customer_id", "value": "cust-hook-ada"}],
     "traits": {"firstName": "Adalwebhooka"}},
    {"source": "pos", "sourceId": "pos-hook-ada", "identifiers": [{"type": "phone", "value": ADA_PHONE},
     {"type": "email", "value": ADA_EMAIL}], "traits": {"city": "London"}},
    {"source": "crm", "sourceId": "cust-hook-bob", "identifiers": [{"type": "email", "value": BOB_EMAIL}],
     "traits": {"firstName": "Bob"}},
]  # fmt: skip
UPSERT = "mutation($r: [RecordInput!]!) { upsertRecords(records: $r) { results { personId } errors { code } } }"
TRACK = "mutation($t: [TouchpointInput!]!) { trackTouchpoints(touchpoints: $t) { errors { code } } }"
CONSENT = """mutation { setConsent(identifier: {type: "email", value: "ADA.HOOKZQ@example.com"},
  purpose: "marketing", channel: "email", status: GRANTED, source: "web") { personId } }"""
CREATE = "mutation($u: String!) { createDestination(url: $u) { destination { id secret } } }"
DELIVERIES = """query($d: ID!) { deliveries(destinationId: $d, first: 100) {
  edges { node { personId kind status } } } }"""
FORGET = "mutation($id: ID!) { forgetPerson(id: $id) { personId } }"
QUERY_LOG_WAITS = 30  # tenths of a second: the query log is written about once a second


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, Services]]:
    settings = load_settings(
        backend="embedded",
        data_dir=tmp_path / "data",
        admin_key=SecretStr(TEST_ADMIN_KEY),
        rate_limit=0,
        erasure_compaction=0,
    )
    async with open_services(settings) as services:
        transport = httpx.ASGITransport(app=create_app(services=services))  # no lifespan: rounds run here
        async with httpx.AsyncClient(transport=transport, base_url="http://test", headers=AUTH_HEADERS) as http:
            yield http, services


async def query_log_written(services: Services) -> None:
    """Give FalkorDB the time to write its query log (CMD_INFO: the last queries with their parameters, about
    once a second) when it keeps one, as it did before the fix; it does not any more: the bound is waited."""
    assert isinstance(services.store, FalkorDBStore) and services.store.embedded is not None
    embedded = services.store.embedded
    database = aioredis.Redis(host="127.0.0.1", port=embedded.port, password=embedded.password)
    try:
        for _ in range(QUERY_LOG_WAITS):
            if await database.exists(query_log_key(services.settings.graph)):
                return
            await asyncio.sleep(0.1)
    finally:
        await database.aclose()


async def test_a_destination_that_received_her_events_keeps_none_of_her_values_on_disk(
    app: tuple[httpx.AsyncClient, Services], receiver: Receiver, tmp_path: Path
) -> None:
    http, services = app
    data_dir = tmp_path / "data"
    created = (await ask(http, CREATE, u=receiver.url))["createDestination"]["destination"]
    receiver.secret = created["secret"]
    results = (await ask(http, UPSERT, r=RECORDS))["upsertRecords"]["results"]
    ada = results[0]["personId"]
    touchpoint = {"id": "order-hook-ada", "type": "order", "occurredAt": "2024-02-01T00:00:00Z", "amount": 9.5,
                  "currency": "GBP", "identifiers": [{"type": "email", "value": ADA_EMAIL}]}  # fmt: skip
    assert not (await ask(http, TRACK, t=[touchpoint]))["trackTouchpoints"]["errors"]
    await ask(http, CONSENT)
    await settle(services)
    hers = [r for r in receiver.delivered() if r.person_id == ada]
    assert hers and all(r.verified for r in hers), "the receiver got her events"
    await query_log_written(services)
    await services.store.compact()  # the ingest is in the file's base now: a real test
    assert files_holding(data_dir, ADA_EMAIL), "her email should be on disk before the erasure"

    assert (await ask(http, FORGET, id=ada))["forgetPerson"]["personId"] == ada
    await settle(services)  # ERASED goes out, too
    assert [r.body["type"] for r in receiver.delivered() if r.person_id == ada][-1:] == ["person.erased"]
    log = (await ask(http, DELIVERIES, d=created["id"]))["deliveries"]["edges"]
    assert [e["node"]["kind"] for e in log if e["node"]["personId"] == ada] == ["ERASED"]
    assert not services.privacy.compaction.pending
    for value in ADA_VALUES:
        assert files_holding(data_dir, value) == [], value
    assert files_holding(data_dir, BOB_EMAIL), "Bob's email is on disk: the search reads the files"
