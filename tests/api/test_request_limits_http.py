"""Issue 17, findings 1 and 5: a small document cannot make the service work for long. Depth and cost are measured
before anything runs, each fragment once (a fragment bomb is refused in milliseconds), and every refusal names its
code; the service answers the next request as before."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from graphcdp.settings import load_settings
from graphcdp.store.falkordb import FalkorDBStore
from tests.api.graphql_client import asgi_client

GRAPHQL_RESPONSE = {"Accept": "application/graphql-response+json"}


def fragment_bomb(levels: int) -> str:
    """`{ ...F<levels> }`, each fragment spreading the previous one twice: 2**levels `version` fields, about 1 KB."""
    fragments = ["fragment F0 on Query { version }"]
    fragments += [f"fragment F{i} on Query {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, levels + 1)]
    return f"{{ ...F{levels} }} " + " ".join(fragments)


def record(number: int) -> dict[str, Any]:
    return {
        "source": "crm",
        "sourceId": str(number),
        "observedAt": 1_700_000_000_000,
        "identifiers": [{"type": "email", "value": f"p{number}@example.com"}],
    }


@pytest.fixture
async def client(falkordb_store: FalkorDBStore) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(falkordb_store, load_settings()) as http:
        yield http


async def post(client: httpx.AsyncClient, document: str, variables: dict[str, Any] | None = None) -> httpx.Response:
    body = {"query": document, "variables": variables or {}}
    return await asyncio.wait_for(client.post("/graphql", json=body, headers=GRAPHQL_RESPONSE), timeout=10)


async def still_answers(client: httpx.AsyncClient) -> None:
    response = await post(client, "{ version }")
    assert response.status_code == 200 and response.json()["data"]["version"]


@pytest.mark.timeout(30)  # today's strawberry depth limiter would walk 2**30 spreads
async def test_a_fragment_bomb_is_refused_at_once_by_its_cost(client: httpx.AsyncClient) -> None:
    document = fragment_bomb(30)
    assert len(document) < 1500
    started = time.monotonic()
    response = await post(client, document)
    assert time.monotonic() - started < 2
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "QUERY_TOO_COSTLY"}
    assert error["message"] == "'anonymous' costs 1073741824; the limit is 100000"
    await still_answers(client)


@pytest.mark.timeout(30)
async def test_a_deep_fragment_chain_is_measured_once_per_fragment_and_refused_as_too_deep(
    client: httpx.AsyncClient,
) -> None:
    # Each fragment nests the previous one twice inside a field: deep and exponentially wide (refused before
    # validation, which would also refuse the made-up field).
    fragments = ["fragment D0 on Person { id }"]
    fragments += [
        f"fragment D{i} on Person {{ a: mergedInto {{ ...D{i - 1} }} b: mergedInto {{ ...D{i - 1} }} }}"
        for i in range(1, 41)
    ]
    document = '{ person(id: "x") { ...D40 } } ' + " ".join(fragments)
    started = time.monotonic()
    response = await post(client, document)
    assert time.monotonic() - started < 2
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "QUERY_TOO_DEEP"}
    assert error["message"] == "'anonymous' exceeds maximum operation depth of 12"
    await still_answers(client)


async def test_a_thousand_aliased_identity_graphs_are_refused_with_their_cost(client: httpx.AsyncClient) -> None:
    aliases = " ".join(
        f'g{i}: identityGraph(identifier: {{type: "email", value: "a@example.com"}}, depth: 6) {{ depth }}'
        for i in range(1000)
    )
    response = await post(client, f"query Wide {{ {aliases} }}")
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "QUERY_TOO_COSTLY"}
    assert error["message"] == "'Wide' costs 120000; the limit is 100000"
    await still_answers(client)


async def test_aliased_batches_together_may_not_pass_the_batch_limit_and_store_nothing(
    client: httpx.AsyncClient,
) -> None:
    calls = " ".join(f"u{i}: upsertRecords(records: $r{i}) {{ errors {{ code }} }}" for i in range(5))
    declared = ", ".join(f"$r{i}: [RecordInput!]!" for i in range(5))
    variables = {f"r{i}": [record(i * 1000 + n) for n in range(1000)] for i in range(5)}
    response = await post(client, f"mutation({declared}) {{ {calls} }}", variables)
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "BATCH_TOO_LARGE"}
    assert error["message"].startswith("5000 records and touchpoints in one request; the limit is 1000")
    looked_up = await post(client, '{ profile(identifier: {type: "email", value: "p1@example.com"}) { id } }')
    assert looked_up.json()["data"]["profile"] is None


async def test_a_full_batch_and_ordinary_pages_pass(client: httpx.AsyncClient) -> None:
    response = await post(
        client,
        "mutation($r: [RecordInput!]!) { upsertRecords(records: $r) { errors { code } } }",
        {"r": [record(n) for n in range(1000)]},
    )
    assert response.status_code == 200 and response.json()["data"]["upsertRecords"]["errors"] == []
    page = await post(
        client,
        '{ searchPersons(query: "example", first: 100) { edges { node { id '
        "journey(first: 100) { edges { node { id } } } } } } }",
    )
    assert page.status_code == 200 and "errors" not in page.json(), page.text
