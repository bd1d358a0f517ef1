"""Identity mutations and queries over GraphQL, against the real embedded database."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from graphcdp.settings import load_settings
from graphcdp.store.falkordb import FalkorDBStore
from tests.api.graphql_client import asgi_client, gql

UPSERT = """
mutation($records: [RecordInput!]!, $dryRun: Boolean) {
  upsertRecords(records: $records, dryRun: $dryRun) {
    results { index personId action }
    errors { index code message }
    personsMerged
  }
}"""
PROFILE = """
query($type: String!, $value: String!) {
  profile(identifier: {type: $type, value: $value}) {
    id traits identifiers { type value } records { source sourceId observedAt } history { kind at detail }
  }
}"""


@pytest.fixture
async def client(falkordb_store: FalkorDBStore) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(falkordb_store, load_settings(max_batch_size=5)) as http:
        yield http


async def test_each_bad_item_is_its_own_error_and_the_rest_is_stored(client: httpx.AsyncClient) -> None:
    records = [
        {"source": "crm", "sourceId": "ok1", "identifiers": [{"type": "email", "value": "Ada@Example.com"}]},
        {"source": "crm", "sourceId": "e1", "identifiers": [{"type": "email", "value": "ada@@example"}]},
        {"source": "crm", "sourceId": "e2", "identifiers": [{"type": "phone", "value": "12"}]},
        {"source": "crm", "sourceId": "e3", "identifiers": [], "traits": None},
        {"source": "crm", "sourceId": "e4", "identifiers": [{"type": "shoe_size", "value": "42"}]},
    ]
    body = await gql(client, UPSERT, records=records)
    payload = body["data"]["upsertRecords"]
    assert [r["index"] for r in payload["results"]] == [0]
    codes = {e["index"]: e["code"] for e in payload["errors"]}
    assert codes == {1: "INVALID_EMAIL", 2: "INVALID_PHONE", 3: "EMPTY_RECORD", 4: "UNKNOWN_IDENTIFIER_TYPE"}
    assert "ada@@example" in payload["errors"][0]["message"]

    more = [
        {"source": "crm", "sourceId": "t1", "identifiers": [], "traits": ["not", "an", "object"]},
        {"source": "crm", "sourceId": "d1", "observedAt": "yesterday-ish", "identifiers": [], "traits": {"a": 1}},
        {"source": "crm", "sourceId": "b1", "identifiers": [], "traits": {"birthDate": "1990-13-45"}},
        {
            "source": "crm",
            "sourceId": "ok2",
            "observedAt": "2024-05-01T10:00:00Z",
            "identifiers": [],
            "traits": {"a": 2},
        },
    ]
    payload = (await gql(client, UPSERT, records=more))["data"]["upsertRecords"]
    assert {e["index"]: e["code"] for e in payload["errors"]} == {0: "INVALID_TRAITS", 1: "INVALID_DATE"}
    # A birth date that is no date is a warning (tests/api/test_trait_warnings_http.py): the record is stored.
    assert [(r["index"], r["action"]) for r in payload["results"]] == [(2, "CREATED"), (3, "CREATED")]


async def test_oversized_batch_is_a_clear_error(client: httpx.AsyncClient) -> None:
    records = [{"source": "s", "sourceId": str(i), "identifiers": [], "traits": {"x": i}} for i in range(6)]
    body = await gql(client, UPSERT, records=records)
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "BATCH_TOO_LARGE"
    assert "limit is 5" in body["errors"][0]["message"]


async def test_profile_by_any_spelling_with_history_and_traits(client: httpx.AsyncClient) -> None:
    records = [
        {
            "source": "crm",
            "sourceId": "1",
            "observedAt": "2024-01-01T00:00:00Z",
            "identifiers": [{"type": "email", "value": "ada@example.com"}],
            "traits": {"firstName": "Ada", "lastName": "Byron"},
        },
        {
            "source": "web",
            "sourceId": "2",
            "observedAt": "2024-02-01T00:00:00Z",
            "identifiers": [{"type": "phone", "value": "+1 650 253 0000"}],
            "traits": {"lastName": "Lovelace"},
        },
    ]
    await gql(client, UPSERT, records=records)
    link = [
        {
            "source": "pos",
            "sourceId": "3",
            "observedAt": "2024-03-01T00:00:00Z",
            "identifiers": [
                {"type": "email", "value": " ADA@example.com"},
                {"type": "phone", "value": "(650) 253-0000"},
            ],
        }
    ]
    merged = (await gql(client, UPSERT, records=link))["data"]["upsertRecords"]
    assert merged["results"][0]["action"] == "MERGED"
    profile = (await gql(client, PROFILE, type="phone", value="6502530000"))["data"]["profile"]
    assert profile["id"] == merged["results"][0]["personId"]
    assert profile["traits"] == {"firstName": "Ada", "lastName": "Lovelace"}  # most recent non-empty wins
    assert [r["observedAt"] for r in profile["records"]] == [
        "2024-01-01T00:00:00.000Z",
        "2024-02-01T00:00:00.000Z",
        "2024-03-01T00:00:00.000Z",
    ]
    kinds = [e["kind"] for e in profile["history"]]
    assert "created" in kinds and "merged_from" in kinds
    unknown = await gql(client, PROFILE, type="email", value="nobody@example.com")
    assert unknown["data"]["profile"] is None
    malformed = await gql(client, PROFILE, type="email", value="not-an-email")
    assert malformed["errors"][0]["message"].startswith("identifier: email 'not-an-email'")


async def test_retired_id_redirects_and_explain_link(client: httpx.AsyncClient) -> None:
    first = await gql(client, UPSERT, records=[{"source": "a", "sourceId": "1", "observedAt": 1,
                                                "identifiers": [{"type": "email", "value": "x@y.com"}]}])  # fmt: skip
    second = await gql(client, UPSERT, records=[{"source": "b", "sourceId": "2", "observedAt": 2,
                                                 "identifiers": [{"type": "cookie_id", "value": "k"}]}])  # fmt: skip
    young = second["data"]["upsertRecords"]["results"][0]["personId"]
    old = first["data"]["upsertRecords"]["results"][0]["personId"]
    await gql(client, UPSERT, records=[{"source": "c", "sourceId": "3", "observedAt": 3, "identifiers": [
        {"type": "email", "value": "x@y.com"}, {"type": "cookie_id", "value": "k"}]}])  # fmt: skip
    body = await gql(client, "query($id: ID!) { person(id: $id) { id } }", id=young)
    assert body["data"]["person"]["id"] == old
    body = await gql(
        client,
        """{ explainLink(a: {type: "email", value: "X@Y.com"}, b: {type: "cookie_id", value: "k"}) {
              linked hops { from to source sourceId at } } }""",
    )
    explained = body["data"]["explainLink"]
    assert explained["linked"] is True
    assert explained["hops"][0] == {
        "from": "email:x@y.com",
        "to": "record:c:3",
        "source": "c",
        "sourceId": "3",
        "at": "1970-01-01T00:00:00.003Z",
    }
    record = await gql(client, '{ record(source: "b", sourceId: "2") { sourceId person { id } } }')
    assert record["data"]["record"]["person"]["id"] == old
    split = await gql(client, 'mutation { detachRecord(source: "c", sourceId: "3") { personIds } }')
    assert len(split["data"]["detachRecord"]["personIds"]) == 3
