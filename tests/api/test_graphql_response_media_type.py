"""application/graphql-response+json: request errors answer 400 without `data`; application/json keeps 200."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from graphcdp.api.graphql_view import APPLICATION_JSON, GRAPHQL_RESPONSE_JSON, response_media_type
from graphcdp.settings import load_settings
from graphcdp.store.falkordb import FalkorDBStore
from tests.api.graphql_client import asgi_client

ACCEPT_GRAPHQL_RESPONSE = {"accept": f"{GRAPHQL_RESPONSE_JSON}, {APPLICATION_JSON};q=0.9"}


@pytest.fixture
async def client(falkordb_store: FalkorDBStore) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(falkordb_store, load_settings()) as http:
        yield http


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, APPLICATION_JSON),
        ("", APPLICATION_JSON),
        ("*/*", APPLICATION_JSON),
        ("application/json", APPLICATION_JSON),
        ("application/graphql-response+json", GRAPHQL_RESPONSE_JSON),
        ("Application/GraphQL-Response+JSON; charset=utf-8", GRAPHQL_RESPONSE_JSON),
        ("application/graphql-response+json, application/json", GRAPHQL_RESPONSE_JSON),
        ("application/json, application/graphql-response+json", GRAPHQL_RESPONSE_JSON),
        ("application/graphql-response+json;q=0.5, application/json", APPLICATION_JSON),
        ("application/graphql-response+json;q=0", APPLICATION_JSON),
        ("application/graphql-response+json;q=oops", APPLICATION_JSON),
        ("application/json;q=0.1, application/graphql-response+json;q=0.2", GRAPHQL_RESPONSE_JSON),
    ],
)
def test_response_media_type_follows_accept(accept: str | None, expected: str) -> None:
    assert response_media_type(accept) == expected


@pytest.mark.parametrize(
    ("document", "variables", "message"),
    [
        ("{", {}, "Syntax Error"),  # does not parse
        ("{ nosuchfield }", {}, "Cannot query field 'nosuchfield'"),  # does not validate
        ("query($n: Int!) { version @include(if: true) n: version }", {}, "never used"),  # does not validate
        ("query($limit: Boolean!) { version @include(if: $limit) }", {"limit": "yes"}, "Boolean"),  # no coercion
    ],
)
async def test_a_request_error_answers_400_without_data(
    client: httpx.AsyncClient, document: str, variables: dict[str, object], message: str
) -> None:
    payload = {"query": document, "variables": variables}
    response = await client.post("/graphql", json=payload, headers=ACCEPT_GRAPHQL_RESPONSE)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE_JSON)
    body = response.json()
    assert "data" not in body
    assert message in body["errors"][0]["message"]


async def test_application_json_keeps_200_and_null_data_on_a_request_error(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": "{"}, headers={"accept": APPLICATION_JSON})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(APPLICATION_JSON)
    assert response.json()["data"] is None


async def test_a_successful_query_is_200_in_the_media_type_asked_for(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": "{ __typename }"}, headers=ACCEPT_GRAPHQL_RESPONSE)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE_JSON)
    assert response.json() == {"data": {"__typename": "Query"}}


async def test_a_field_error_was_executed_so_it_is_200_with_data(client: httpx.AsyncClient) -> None:
    # A valid document whose resolver rejects its argument: a field error, even though the non-null field
    # nulls the whole `data`. Only request errors lose the data entry.
    document = '{ version searchPersons(query: "a") { pageInfo { hasNextPage } } }'
    response = await client.post("/graphql", json={"query": document}, headers=ACCEPT_GRAPHQL_RESPONSE)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["data"] is None
    assert body["errors"][0]["path"] == ["searchPersons"]


async def test_a_bad_request_is_a_graphql_error_for_graphql_response_clients(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql", content=b"{not json", headers={**ACCEPT_GRAPHQL_RESPONSE, "content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE_JSON)
    assert response.json() == {
        "errors": [{"message": "Unable to parse request body as JSON", "extensions": {"code": "BAD_REQUEST"}}]
    }

    no_query = await client.post("/graphql", json={"variables": {}}, headers=ACCEPT_GRAPHQL_RESPONSE)
    assert no_query.status_code == 400
    assert "data" not in no_query.json() and no_query.json()["errors"][0]["message"]


async def test_a_bad_request_stays_plain_text_for_application_json(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql", content=b"{not json", headers={"accept": APPLICATION_JSON, "content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text == "Unable to parse request body as JSON"
