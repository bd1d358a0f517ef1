"""What is learnt once per parsed document (graphcdp/api/caches.py: its validation, its string literals, its
measure) never lets a later request with the same document through on an earlier request's variables or
settings: each request is still refused or answered on its own."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from graphcdp.settings import load_settings
from graphcdp.store.falkordb import FalkorDBStore
from tests.api.graphql_client import asgi_client

GRAPHQL_RESPONSE = {"Accept": "application/graphql-response+json"}
PAGES = (
    'query($n: Int!) { searchPersons(query: "example", first: $n) '
    "{ edges { node { journey(first: $n) { totalCount } } } } }"
)
BATCHES = (
    "mutation($a: [RecordInput!]!, $b: [RecordInput!]!) "
    "{ a: upsertRecords(records: $a) { errors { code } } b: upsertRecords(records: $b) { errors { code } } }"
)
TEXT = 'query($s: String!) { record(source: $s, sourceId: "1") { sourceId } }'
BAD_LITERAL = '{ record(source: "a\\u0000", sourceId: "1") { sourceId } }'
INTROSPECTION = "{ __schema { queryType { name } } }"


@pytest.fixture
async def client(falkordb_store: FalkorDBStore) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(falkordb_store, load_settings()) as http:
        yield http


async def ask(client: httpx.AsyncClient, document: str, variables: dict[str, Any] | None = None) -> httpx.Response:
    return await client.post(
        "/graphql", json={"query": document, "variables": variables or {}}, headers=GRAPHQL_RESPONSE
    )


def code(response: httpx.Response) -> str | None:
    errors = response.json().get("errors") or []
    return errors[0]["extensions"]["code"] if errors else None


def records(first: int, count: int) -> list[dict[str, Any]]:
    return [
        {"source": "crm", "sourceId": str(n), "identifiers": [{"type": "email", "value": f"m{n}@example.com"}]}
        for n in range(first, first + count)
    ]


async def test_the_same_document_is_measured_with_each_requests_variables(client: httpx.AsyncClient) -> None:
    assert code(await ask(client, PAGES, {"n": 10})) is None
    refused = await ask(client, PAGES, {"n": 100_000})
    assert refused.status_code == 400 and code(refused) == "QUERY_TOO_COSTLY"
    assert "costs 20000300000;" in refused.json()["errors"][0]["message"]
    assert code(await ask(client, PAGES, {"n": 10})) is None


async def test_the_same_batch_document_counts_each_requests_items(client: httpx.AsyncClient) -> None:
    passed = await ask(client, BATCHES, {"a": records(0, 2), "b": records(2, 2)})
    assert passed.status_code == 200 and passed.json()["data"]["a"]["errors"] == []
    refused = await ask(client, BATCHES, {"a": records(10, 600), "b": records(610, 600)})
    assert refused.status_code == 400 and code(refused) == "BATCH_TOO_LARGE"
    assert refused.json()["errors"][0]["message"].startswith("1200 records and touchpoints in one request")


async def test_the_same_document_checks_each_requests_strings(client: httpx.AsyncClient) -> None:
    assert code(await ask(client, TEXT, {"s": "crm"})) is None
    refused = await ask(client, TEXT, {"s": "crm\u0000"})
    assert refused.status_code == 400 and refused.json()["errors"][0]["extensions"]["argument"] == "$s"
    assert code(await ask(client, TEXT, {"s": "crm"})) is None


async def test_a_document_with_a_bad_literal_is_refused_every_time(client: httpx.AsyncClient) -> None:
    for _ in range(2):
        refused = await ask(client, BAD_LITERAL)
        assert refused.status_code == 400 and code(refused) == "INVALID_TEXT"
        assert refused.json()["errors"][0]["extensions"]["argument"] == "record.source"


async def test_a_document_validated_with_introspection_on_is_refused_once_it_is_off(
    falkordb_store: FalkorDBStore,
) -> None:
    async with asgi_client(falkordb_store, load_settings()) as http:
        assert (await ask(http, INTROSPECTION)).json()["data"]["__schema"]["queryType"]["name"] == "Query"
    async with asgi_client(falkordb_store, load_settings(introspection=False)) as http:
        refused = await ask(http, INTROSPECTION)
        assert refused.status_code == 400 and code(refused) == "GRAPHQL_VALIDATION_FAILED"
