"""A request's objects are freed when it is answered, not left to the cyclic garbage collector (whose full
collections, walking every request's leftovers, paused the service: graphcdp/api/execution.py)."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator

import httpx
import pytest

from graphcdp.api.context import Context
from graphcdp.model.profiles import CustomerContextRow
from graphcdp.settings import load_settings
from graphcdp.store.falkordb import FalkorDBStore
from tests.api.graphql_client import asgi_client, gql

UPSERT = """mutation($r: [RecordInput!]!) { upsertRecords(records: $r) { errors { code } } }"""
TRACK = """mutation($t: [TouchpointInput!]!) { trackTouchpoints(touchpoints: $t) { errors { code } } }"""
CONTEXT = """query {
  context(identifier: {type: "email", value: "ada@example.com"}, touchpoints: 5) {
    personId summary consents { purpose } metrics { orders } recentTouchpoints { id type }
  }
}"""


@pytest.fixture
async def client(falkordb_store: FalkorDBStore) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(falkordb_store, load_settings()) as http:
        record = {"source": "crm", "sourceId": "1", "identifiers": [{"type": "email", "value": "ada@example.com"}]}
        assert (await gql(http, UPSERT, r=[record]))["data"]["upsertRecords"]["errors"] == []
        touchpoint = {
            "id": "t1",
            "type": "order",
            "occurredAt": "2026-01-01T00:00:00Z",
            "identifiers": [{"type": "email", "value": "ada@example.com"}],
            "amount": 12.5,
        }
        assert (await gql(http, TRACK, t=[touchpoint]))["data"]["trackTouchpoints"]["errors"] == []
        yield http


async def test_a_context_lookup_leaves_nothing_to_the_cyclic_collector(client: httpx.AsyncClient) -> None:
    assert (await gql(client, CONTEXT))["data"]["context"]["metrics"]["orders"] == 1  # warm: caches filled
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)  # what a collection finds unreachable is kept in gc.garbage, to be looked at
    try:
        answer = await gql(client, CONTEXT)
        gc.collect()
        left = [o for o in gc.garbage if isinstance(o, Context | CustomerContextRow)]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert answer["data"]["context"]["recentTouchpoints"] == [{"id": "t1", "type": "order"}]
    assert left == []
