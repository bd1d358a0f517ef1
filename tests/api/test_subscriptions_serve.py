"""Subscriptions over graphql-transport-ws against a real `graphcdp serve`, with a real websocket client: a
subscriber of personChanged receives the upsert that changed her and the merge that retired her id, then the
changes of the person she merged into; `changes` resumes from a cursor; the key is checked as over HTTP."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from graphcdp.api.auth import declared_scope
from graphcdp.api.schema import schema
from graphcdp.auth.scopes import Scope
from tests.service_process import AUTH_HEADERS, TEST_ADMIN_KEY, running_service

PROTOCOL = "graphql-transport-ws"
UPSERT = "mutation($r: [RecordInput!]!) { upsertRecords(records: $r) { results { personId } errors { code } } }"
CREATE_KEY = 'mutation($s: [String!]!) { createApiKey(name: "reader", scopes: $s) { secret } }'
RECEIVE_TIMEOUT = 30.0  # a bound so a broken subscription fails the test instead of hanging it; not a measurement


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_service(tmp_path_factory.mktemp("subscriptions")) as base:
        yield base


def ask(url: str, document: str, **variables: Any) -> dict[str, Any]:
    response = httpx.post(
        f"{url}/graphql", json={"query": document, "variables": variables}, headers=AUTH_HEADERS, timeout=30
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    return body


def upsert(url: str, source: str, source_id: str, *identifiers: tuple[str, str], **traits: Any) -> str:
    record = {
        "source": source,
        "sourceId": source_id,
        "identifiers": [{"type": t, "value": v} for t, v in identifiers],
        "traits": traits,
    }
    body = ask(url, UPSERT, r=[record])["data"]["upsertRecords"]
    assert body["errors"] == []
    person: str = body["results"][0]["personId"]
    return person


def last_cursor(url: str) -> str | None:
    page = ask(url, "{ changes(first: 100) { pageInfo { endCursor hasNextPage } } }")["data"]["changes"]["pageInfo"]
    cursor = page["endCursor"]
    while page["hasNextPage"]:
        query = "query($a: String) { changes(after: $a, first: 100) { pageInfo { endCursor hasNextPage } } }"
        page = ask(url, query, a=cursor)["data"]["changes"]["pageInfo"]
        cursor = page["endCursor"]
    return cursor


@asynccontextmanager
async def subscription(
    url: str, document: str, init: dict[str, Any] | None = None, **variables: Any
) -> AsyncIterator[ClientConnection]:
    """A connection that sent connection_init (with `init` as its payload) and one subscribe message."""
    async with connect(url.replace("http://", "ws://") + "/graphql", subprotocols=[PROTOCOL]) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": init or {}}))
        ack = json.loads(await ws.recv(decode=True))
        assert ack["type"] == "connection_ack", ack
        subscribe = {"id": "1", "type": "subscribe", "payload": {"query": document, "variables": variables}}
        await ws.send(json.dumps(subscribe))
        yield ws


async def receive(ws: ClientConnection) -> dict[str, Any]:
    async with asyncio.timeout(RECEIVE_TIMEOUT):
        message: dict[str, Any] = json.loads(await ws.recv(decode=True))
    return message


async def next_change(ws: ClientConnection) -> tuple[str, str, dict[str, Any]]:
    message = await receive(ws)
    assert message["type"] == "next", message
    field = next(iter(message["payload"]["data"].values()))
    return field["kind"], field["personId"], field["data"]


BEARER = {"Authorization": f"Bearer {TEST_ADMIN_KEY}"}
PERSON_CHANGED = """subscription($id: ID!, $after: String) {
  personChanged(id: $id, after: $after) { sequence kind personId data } }"""


async def test_person_changed_follows_an_upsert_and_a_merge(url: str) -> None:
    grace = upsert(url, "crm", "g1", ("phone", "+1 202 555 0143"))  # older: she survives the merge
    ada = upsert(url, "crm", "a1", ("email", "ada.sub@example.com"), firstName="Ada")
    cursor = last_cursor(url)
    async with subscription(url, PERSON_CHANGED, BEARER, id=ada, after=cursor) as ws:
        upsert(url, "crm", "a1", ("email", "ada.sub@example.com"), firstName="Augusta")
        assert await next_change(ws) == ("TRAITS_CHANGED", ada, {"keys": ["firstName"]})

        upsert(url, "web", "w1", ("email", "ada.sub@example.com"), ("phone", "+1 202 555 0143"))
        assert await next_change(ws) == ("MERGED", grace, {"from": ada, "into": grace})
        kind, person, _ = await next_change(ws)  # what the survivor gained; her changes from now on
        assert person == grace and kind in {"TRAITS_CHANGED", "IDENTIFIERS_CHANGED"}

        upsert(url, "crm", "g1", ("phone", "+1 202 555 0143"), city="London")
        while (change := await next_change(ws))[0] != "TRAITS_CHANGED":
            assert change[1] == grace
        assert change[1] == grace and "city" in change[2]["keys"]


async def test_changes_resumes_from_a_cursor_and_waits_for_new_ones(url: str) -> None:
    cursor = last_cursor(url)
    first = upsert(url, "pos", "p1", ("email", "one.sub@example.com"))  # written before the subscription starts
    document = """subscription($after: String) { changes(after: $after, kinds: [CREATED]) { sequence personId } }"""
    async with subscription(url, document, {"authorization": f"Bearer {TEST_ADMIN_KEY}"}, after=cursor) as ws:
        got = await receive(ws)
        assert got["payload"]["data"]["changes"]["personId"] == first
        second = upsert(url, "pos", "p2", ("email", "two.sub@example.com"))
        later = (await receive(ws))["payload"]["data"]["changes"]
        assert later["personId"] == second
        assert int(later["sequence"]) > int(got["payload"]["data"]["changes"]["sequence"])


def test_every_subscription_needs_changes_read() -> None:
    subscription_type = schema._schema.subscription_type
    assert subscription_type is not None
    fields = subscription_type.fields.items()
    scopes = {name: declared_scope(field.extensions["strawberry-definition"]) for name, field in fields}
    assert scopes == {name: (True, Scope.CHANGES_READ) for name in ("changes", "personChanged", "segmentMembership")}


async def test_a_subscription_needs_a_key_with_changes_read(url: str) -> None:
    for init in ({}, {"Authorization": "Bearer gcdp_not-a-key"}):
        async with connect(url.replace("http://", "ws://") + "/graphql", subprotocols=[PROTOCOL]) as ws:
            await ws.send(json.dumps({"type": "connection_init", "payload": init}))
            with pytest.raises(ConnectionClosed) as closed:
                await receive(ws)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403
    reader = ask(url, CREATE_KEY, s=["profiles:read"])["data"]["createApiKey"]["secret"]
    document = "subscription { changes { sequence } }"
    async with subscription(url, document, {"Authorization": f"Bearer {reader}"}) as ws:
        message = await receive(ws)
        assert message["type"] in {"error", "next"}, message
        errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
        assert [e["extensions"]["code"] for e in errors] == ["FORBIDDEN"]
        assert "changes:read" in errors[0]["message"]


SAVE_SEGMENT = """mutation($key: String!, $definition: JSON!) {
  saveSegment(key: $key, definition: $definition) { errors { code } } }"""
SEGMENT_MEMBERSHIP = """subscription($key: String!, $after: String) {
  segmentMembership(key: $key, after: $after) { sequence kind personId data } }"""


async def test_segment_membership_receives_the_enter_and_exit_a_mutation_makes(url: str) -> None:
    tiers = (("sub-gold", {"trait": "tier", "eq": "gold"}), ("sub-tiered", {"trait": "tier", "exists": True}))
    for key, definition in tiers:
        assert ask(url, SAVE_SEGMENT, key=key, definition=definition)["data"]["saveSegment"]["errors"] == []
    cursor = last_cursor(url)
    async with subscription(url, SEGMENT_MEMBERSHIP, BEARER, key="sub-gold", after=cursor) as ws:
        # She enters both segments; only sub-gold's event comes here.
        ada = upsert(url, "crm", "seg1", ("email", "ada.seg@example.com"), tier="gold")
        assert await next_change(ws) == ("SEGMENT_ENTERED", ada, {"segment": "sub-gold"})
        upsert(url, "crm", "seg1", ("email", "ada.seg@example.com"), tier="silver")
        assert await next_change(ws) == ("SEGMENT_EXITED", ada, {"segment": "sub-gold"})
