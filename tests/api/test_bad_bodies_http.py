"""Issue 17, findings 4 and 6: a request body the service cannot or will not read is a clear 4xx with a GraphQL
error and its code, logged without a traceback, and the service answers the next request as before. A body over
GRAPHCDP_MAX_REQUEST_BYTES is refused with 413 before it is read to the end; a large document is not kept in the
parser cache."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from strawberry.extensions.parser_cache import _get_parse_cache

from graphcdp.api.caches import CACHED_DOCUMENT_CHARS, CACHED_DOCUMENTS
from graphcdp.settings import load_settings
from graphcdp.store.falkordb import FalkorDBStore
from tests.api.graphql_client import asgi_client, logged

LIMIT = 64 * 1024
JSON = {"content-type": "application/json"}
GRAPHQL_RESPONSE = {**JSON, "accept": "application/graphql-response+json"}
NESTED = b'{"query": "{ version }", "variables": {"v": ' + b"[" * 1000 + b"]" * 1000 + b"}}"
NESTED_RECORD = (
    b'{"query": "mutation($r: [RecordInput!]!) { upsertRecords(records: $r) { errors { code } } }", '
    b'"variables": {"r": [{"source": "crm", "sourceId": "1", "traits": {"a": ' + b"[" * 900 + b"]" * 900 + b"}}]}}"
)

BAD_BODIES = {
    "invalid UTF-8": b'{"query": "{ version \xff\xfe }"}',
    "null": b"null",
    "a number": b"123",
    "a string": b'"x"',
    "an empty list": b"[]",
    "nested 1,000 deep in variables": NESTED,
    "nested 900 deep in a trait": NESTED_RECORD,
    "an integer of 5,001 digits": b'{"query": "{ version }", "variables": {"n": ' + b"7" * 5001 + b"}}",
    "a lone surrogate in operationName": b'{"query": "query A { version }", "operationName": "\\ud800"}',
}


@pytest.fixture
async def client(falkordb_store: FalkorDBStore) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(falkordb_store, load_settings(max_request_bytes=LIMIT)) as http:
        yield http


@pytest.fixture
def quiet(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    caplog.set_level(logging.INFO)
    yield caplog
    assert [r for r in logged(caplog) if r.levelno >= logging.WARNING or r.exc_info] == []


async def still_answers(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": "{ version }"})
    assert response.status_code == 200 and response.json()["data"]["version"]


@pytest.mark.parametrize("accept", ["application/json", "application/graphql-response+json"])
@pytest.mark.parametrize("body", BAD_BODIES.values(), ids=BAD_BODIES.keys())
async def test_an_unreadable_body_is_a_coded_400(
    client: httpx.AsyncClient, quiet: pytest.LogCaptureFixture, body: bytes, accept: str
) -> None:
    response = await client.post("/graphql", content=body, headers={**JSON, "accept": accept})
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith(accept)
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "BAD_REQUEST"}
    assert "Traceback" not in error["message"] and "Error" not in error["message"]
    await still_answers(client)


async def test_a_body_over_the_limit_is_refused_by_its_length(
    client: httpx.AsyncClient, quiet: pytest.LogCaptureFixture
) -> None:
    padding = " " * LIMIT
    response = await client.post("/graphql", json={"query": "{ version }" + padding}, headers=GRAPHQL_RESPONSE)
    assert response.status_code == 413
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "REQUEST_TOO_LARGE"}
    assert str(LIMIT) in error["message"]
    await still_answers(client)


async def test_a_body_over_the_limit_without_a_length_is_refused_while_it_streams(
    client: httpx.AsyncClient, quiet: pytest.LogCaptureFixture
) -> None:
    sent: list[int] = []

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"query": "{ version }", "variables": {"pad": "'
        for _ in range(100):  # 100 x 16 KB: far over the limit
            sent.append(1)
            yield b"x" * 16 * 1024
        yield b'"}}'

    response = await client.post("/graphql", content=chunks(), headers=GRAPHQL_RESPONSE)
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"] == {"code": "REQUEST_TOO_LARGE"}
    await still_answers(client)


async def test_a_body_within_the_limit_passes(client: httpx.AsyncClient) -> None:
    document = "{ version }" + " " * (LIMIT - 1024)
    response = await client.post("/graphql", json={"query": document}, headers=GRAPHQL_RESPONSE)
    assert response.status_code == 200 and response.json()["data"]["version"]


async def test_the_parser_cache_keeps_small_documents_only(client: httpx.AsyncClient) -> None:
    cache = _get_parse_cache(CACHED_DOCUMENTS)
    before = cache.cache_info()
    large = "{ version }" + " " * CACHED_DOCUMENT_CHARS
    assert (await client.post("/graphql", json={"query": large})).json()["data"]["version"]
    assert cache.cache_info()[:2] == before[:2]  # neither looked up nor stored
    small = "{ version } # a small document, new to the cache"
    assert (await client.post("/graphql", json={"query": small})).json()["data"]["version"]
    assert cache.cache_info().misses == before.misses + 1
