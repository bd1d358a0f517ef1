"""Errors over GraphQL through the real app: every error carries an ErrorCode in `extensions.code`; a request's
mistake is logged once at INFO, with its code and field path and no input value; a service fault is logged once at
ERROR with its traceback, and the client sees the catalogue's message, not the fault's internals."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator
from typing import Any, NamedTuple

import httpx
import pytest
import strawberry
from redis.asyncio import Redis

from graphcdp.api.errors import Schema
from graphcdp.errors import ErrorCode, GraphCDPError
from graphcdp.settings import load_settings
from graphcdp.store.embedded import EmbeddedFalkorDB
from graphcdp.store.falkordb import FalkorDBStore
from tests.api.graphql_client import asgi_client, logged, request_records
from tests.conftest import catalog

SECRET = "ada.secret@example.com"  # an input value: it may be in a response, never in a log line
PROFILE = 'query($value: String!) { profile(identifier: {type: "email", value: $value}) { id } }'
RECORD = {
    "source": "crm",
    "sourceId": "1",
    "observedAt": 1_700_000_000_000,
    "identifiers": [{"type": "email", "value": SECRET}],
}


class Bad(NamedTuple):
    wrong: str
    document: str
    variables: dict[str, Any]
    code: ErrorCode
    message: str  # how it starts


BAD_REQUESTS: list[Bad] = [
    Bad("syntax", "{ version ", {}, ErrorCode.GRAPHQL_PARSE_FAILED, "Syntax Error"),
    Bad("unknown field", "{ nope }", {}, ErrorCode.GRAPHQL_VALIDATION_FAILED, "Cannot query field 'nope'"),
    Bad(
        "variable type",
        'query($first: Int!) { searchPersons(query: "ada", first: $first) { pageInfo { hasNextPage } } }',
        {"first": "ten"},
        ErrorCode.GRAPHQL_VALIDATION_FAILED,
        "Variable '$first'",
    ),
    Bad(
        "too deep",
        '{ searchPersons(query: "ada") { edges { node { journey { edges { node { id } } } } } } }',
        {},
        ErrorCode.QUERY_TOO_DEEP,
        "'anonymous' exceeds maximum operation depth of 5",
    ),
    Bad("identifier", PROFILE, {"value": "ada@"}, ErrorCode.INVALID_EMAIL, "identifier: email 'ada@' is not"),
    Bad(
        "identifier, no such argument",
        'query($value: String!) { explainLink(a: {type: "email", value: $value}, '
        'b: {type: "email", value: "b@example.com"}) { linked } }',
        {"value": "ada@"},
        ErrorCode.INVALID_EMAIL,
        "email 'ada@' is not",
    ),
    Bad(
        "page size",
        '{ searchPersons(query: "ada", first: 0) { pageInfo { hasNextPage } } }',
        {},
        ErrorCode.PAGE_SIZE_OUT_OF_RANGE,
        "first: must be between 1 and 10",
    ),
    Bad(
        "cursor",
        '{ searchPersons(query: "ada", after: "nope") { pageInfo { hasNextPage } } }',
        {},
        ErrorCode.INVALID_CURSOR,
        "after: not a cursor",
    ),
    Bad(
        "search text",
        '{ searchPersons(query: " a ") { pageInfo { hasNextPage } } }',
        {},
        ErrorCode.INVALID_SEARCH_QUERY,
        "query: must be at least 2 characters",
    ),
    Bad(
        "date",
        'query($value: String!) { profile(identifier: {type: "email", value: $value}) '
        '{ journey(first: 5, from: "yesterday") { totalCount } } }',
        {"value": SECRET},
        ErrorCode.INVALID_DATE,
        "from 'yesterday' is not an ISO-8601 date-time",
    ),
    Bad(
        "depth, not given: the default is over the limit",
        '{ identityGraph(identifier: {type: "email", value: "b@example.com"}) { depth } }',
        {},
        ErrorCode.INVALID_DEPTH,
        "depth: must be between 1 and 1",
    ),
    Bad(
        "batch",
        "mutation($records: [RecordInput!]!) { upsertRecords(records: $records) { errors { code } } }",
        {"records": [RECORD, {**RECORD, "sourceId": "2"}, {**RECORD, "sourceId": "3"}]},
        ErrorCode.BATCH_TOO_LARGE,
        "records: 3 records in one upsertRecords call; the limit is 2",
    ),
    Bad(
        "record",
        'mutation { detachRecord(source: "crm", sourceId: "nobody") { personIds } }',
        {},
        ErrorCode.RECORD_NOT_FOUND,
        "no record ",
    ),
    Bad(
        "match", 'mutation { resolveMatch(id: "zz", accept: true) { accepted } }', {}, ErrorCode.MATCH_NOT_FOUND, "id: "
    ),
    Bad(
        "model",
        "mutation { setMatchingModel(model: [1, 2]) { version } }",
        {},
        ErrorCode.CONFIGURATION_ERROR,
        "model: invalid matching model (setMatchingModel): ",
    ),
]


async def post(client: httpx.AsyncClient, document: str, variables: dict[str, Any]) -> dict[str, Any]:
    """The response body, whatever the status (request errors may answer 4xx under graphql-response+json)."""
    response = await client.post("/graphql", json={"query": document, "variables": variables})
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture
async def client(falkordb_store: FalkorDBStore) -> AsyncIterator[httpx.AsyncClient]:
    settings = load_settings(max_page_size=10, max_query_depth=5, graph_max_depth=1, max_batch_size=2)
    async with asgi_client(falkordb_store, settings) as http:
        stored = await post(
            http, "mutation($r: [RecordInput!]!) { upsertRecords(records: $r) { errors { code } } }", {"r": [RECORD]}
        )
        assert stored["data"]["upsertRecords"]["errors"] == []
        yield http


@pytest.mark.parametrize("bad", BAD_REQUESTS, ids=[bad.wrong for bad in BAD_REQUESTS])
async def test_a_bad_request_has_its_code_and_one_info_line_without_input_values(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture, bad: Bad
) -> None:
    caplog.set_level(logging.INFO)
    body = await post(client, bad.document, bad.variables)

    [error] = body["errors"]
    assert error["extensions"] == {"code": bad.code.value}
    assert error["message"].startswith(bad.message), error["message"]
    assert [r for r in logged(caplog) if r.levelno >= logging.WARNING or r.exc_info] == []
    [line] = [r for r in logged(caplog) if r.name.startswith("graphcdp")]
    assert line.levelno == logging.INFO and bad.code.value in line.getMessage()
    for record in caplog.records:
        assert SECRET not in record.getMessage() and "ada@" not in record.getMessage()


async def test_a_cached_validation_error_is_coded_the_same_the_second_time(client: httpx.AsyncClient) -> None:
    first, second = [await post(client, "{ nope }", {}) for _ in range(2)]
    assert first == second and first["errors"][0]["extensions"] == {"code": "GRAPHQL_VALIDATION_FAILED"}


async def test_a_failing_statement_is_one_error_line_with_its_traceback_and_no_internals_for_the_client(
    embedded_falkordb: EmbeddedFalkorDB, caplog: pytest.LogCaptureFixture
) -> None:
    # The graph's key holds a string: FalkorDB refuses every statement on it (a real WRONGTYPE error).
    name = f"test_{uuid.uuid4().hex[:12]}"
    redis = Redis(host="127.0.0.1", port=embedded_falkordb.port, password=embedded_falkordb.password)
    store = await FalkorDBStore.connect(embedded_falkordb.url, name, catalog("falkordb"))
    try:
        async with asgi_client(store, load_settings()) as client:  # started on a sound graph, then broken
            await redis.set(name, "not a graph")
            caplog.set_level(logging.INFO)
            body = await post(client, PROFILE, {"value": SECRET})
    finally:
        await redis.delete(name)
        await redis.aclose()
        await store.close()

    [error] = body["errors"]
    assert error["extensions"] == {"code": "QUERY_ERROR"}
    assert error["message"] == ErrorCode.QUERY_ERROR.meaning
    assert "WRONGTYPE" not in str(body)
    [line] = [r for r in request_records(caplog) if r.levelno >= logging.WARNING]
    assert line.levelno == logging.ERROR and "QUERY_ERROR at profile" in line.getMessage()
    assert line.exc_info is not None and isinstance(line.exc_info[1], GraphCDPError)
    assert "WRONGTYPE" in str(line.exc_info[1])  # the detail is for the operator
    assert [r for r in request_records(caplog) if r.exc_info] == [line]


@strawberry.type
class _Broken:
    @strawberry.field
    def boom(self) -> int:
        raise RuntimeError("connection string postgres://user:hunter2@db")


async def test_an_unexpected_exception_is_internal_error_with_a_generic_message(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    result = await Schema(query=_Broken).execute("{ boom }")

    assert result.errors is not None
    [error] = [e.formatted for e in result.errors]
    assert error["extensions"] == {"code": "INTERNAL_ERROR"}
    assert error["message"] == ErrorCode.INTERNAL_ERROR.meaning and "hunter2" not in str(error)
    [line] = caplog.records
    assert line.levelno == logging.ERROR and line.getMessage() == "GraphQL error INTERNAL_ERROR at boom"
    assert line.exc_info is not None and isinstance(line.exc_info[1], RuntimeError)
