"""Record keys are unambiguous (issue 17, finding 9): source `crm:eu` with id `42` and source `crm` with id `eu:42`
are two records, and records an older build stored under the ambiguous key are re-keyed at start-up."""

from __future__ import annotations

from typing import Any

import httpx

from graphcdp.identity.repair import PARKING
from graphcdp.identity.startup import REKEYED
from graphcdp.model.node_ref import record_key
from graphcdp.settings import load_settings
from graphcdp.store import Query, StatementName
from graphcdp.store.falkordb import FalkorDBStore
from tests.api.graphql_client import asgi_client, gql
from tests.identity_helpers import RECORD_CLUSTERS
from tests.run_helpers import forget_migrations

SET_RECORD_KEY = Query(StatementName("test/set_record_key"), dict)

UPSERT = """
mutation($records: [RecordInput!]!) {
  upsertRecords(records: $records) { results { index personId action } errors { index code message } }
}"""
PROFILE = """
query($value: String!) {
  profile(identifier: {type: "email", value: $value}) { id identifiers { value } records { source sourceId } }
}"""
RECORD = """
query($source: String!, $sourceId: String!) {
  record(source: $source, sourceId: $sourceId) { source sourceId person { id identifiers { value } } }
}"""

VICTIM = {"source": "crm:eu", "sourceId": "42", "identifiers": [{"type": "email", "value": "victim@example.com"}]}
PROBE = {"source": "crm", "sourceId": "eu:42", "identifiers": [{"type": "email", "value": "probe@example.com"}]}


async def _record(http: httpx.AsyncClient, source: str, source_id: str) -> dict[str, Any] | None:
    found: dict[str, Any] | None = (await gql(http, RECORD, source=source, sourceId=source_id))["data"]["record"]
    return found


async def test_a_source_with_a_colon_and_an_id_with_a_colon_are_two_records(falkordb_store: FalkorDBStore) -> None:
    async with asgi_client(falkordb_store, load_settings()) as http:
        victim = (await gql(http, UPSERT, records=[VICTIM]))["data"]["upsertRecords"]
        probe = (await gql(http, UPSERT, records=[PROBE]))["data"]["upsertRecords"]
        assert victim["errors"] == probe["errors"] == []
        assert probe["results"][0]["action"] == "CREATED"
        assert victim["results"][0]["personId"] != probe["results"][0]["personId"]

        for email, source, source_id in (("victim@example.com", "crm:eu", "42"), ("probe@example.com", "crm", "eu:42")):
            profile = (await gql(http, PROFILE, value=email))["data"]["profile"]
            assert profile["identifiers"] == [{"value": email}]
            assert profile["records"] == [{"source": source, "sourceId": source_id}]
            found = await _record(http, source, source_id)
            assert found is not None
            assert (found["source"], found["sourceId"]) == (source, source_id)
            assert found["person"] == {"id": profile["id"], "identifiers": [{"value": email}]}

    keys = sorted(row["record"] for row in await falkordb_store.run(RECORD_CLUSTERS, {}))
    assert keys == ["crm:eu:42", "crm\\:eu:42"]


def test_the_key_escapes_only_the_source() -> None:
    assert record_key("crm", "42") == "crm:42"  # ordinary sources keep today's key
    assert record_key("crm", "eu:42") == "crm:eu:42"
    assert record_key("crm:eu", "42") == "crm\\:eu:42"
    assert record_key("a\\", ":b") == "a\\\\::b"
    assert record_key("a\\:", "b") != record_key("a\\", ":b")


async def test_a_start_re_keys_records_stored_under_the_old_key(falkordb_store: FalkorDBStore) -> None:
    odd = {"source": "a\\b", "sourceId": "7", "identifiers": [{"type": "email", "value": "odd@example.com"}]}
    plain = {"source": "crm", "sourceId": "1", "identifiers": [{"type": "email", "value": "plain@example.com"}]}
    async with asgi_client(falkordb_store, load_settings()) as http:
        body = await gql(http, UPSERT, records=[VICTIM, odd, plain])
        assert body["data"]["upsertRecords"]["errors"] == []
    # As an older build stored them: `source:sourceId`, nothing escaped.
    for item in (VICTIM, odd):
        old = f"{item['source']}:{item['sourceId']}"
        new = record_key(str(item["source"]), str(item["sourceId"]))
        assert await falkordb_store.run(SET_RECORD_KEY, {"key": new, "old": old}) == [{"key": old}]

    await forget_migrations(falkordb_store, REKEYED)  # an older build's graph had no record of it
    async with asgi_client(falkordb_store, load_settings()) as http:  # the start is the migration
        keys = sorted(row["record"] for row in await falkordb_store.run(RECORD_CLUSTERS, {}))
        assert keys == sorted(["crm\\:eu:42", "a\\\\b:7", "crm:1"])
        for item in (VICTIM, odd, plain):
            found = await _record(http, str(item["source"]), str(item["sourceId"]))
            assert found is not None
            assert found["person"]["identifiers"] == [{"value": item["identifiers"][0]["value"]}]


async def test_re_keying_a_chain_of_old_keys_does_not_trip_the_uniqueness_constraint(
    falkordb_store: FalkorDBStore,
) -> None:
    # Old keys `a\:x` (source `a\`) and `a\\:x` (source `a\\`): the first's new key is the second's old key.
    # Stored in an order that re-keys the first before the second unless the migration orders its work.
    items = [
        {"source": "a" + "\\" * n, "sourceId": "x", "identifiers": [{"type": "cookie_id", "value": f"c{n}"}]}
        for n in (1, 2, 4, 3)
    ]
    async with asgi_client(falkordb_store, load_settings()) as http:
        assert (await gql(http, UPSERT, records=items))["data"]["upsertRecords"]["errors"] == []
    for item in sorted(items, key=lambda i: len(str(i["source"]))):  # shortest first: each old key is free
        old = f"{item['source']}:{item['sourceId']}"
        new = record_key(str(item["source"]), str(item["sourceId"]))
        assert await falkordb_store.run(SET_RECORD_KEY, {"key": new, "old": old}) == [{"key": old}]

    await forget_migrations(falkordb_store, REKEYED)
    async with asgi_client(falkordb_store, load_settings()) as http:
        keys = sorted(row["record"] for row in await falkordb_store.run(RECORD_CLUSTERS, {}))
        assert keys == sorted(record_key(str(i["source"]), "x") for i in items)
        for item in items:
            found = await _record(http, str(item["source"]), "x")
            assert found is not None
            assert found["person"]["identifiers"] == [{"value": item["identifiers"][0]["value"]}]


async def test_a_start_finishes_a_migration_interrupted_after_parking(falkordb_store: FalkorDBStore) -> None:
    async with asgi_client(falkordb_store, load_settings()) as http:
        assert (await gql(http, UPSERT, records=[VICTIM]))["data"]["upsertRecords"]["errors"] == []
    parked = f"{PARKING}crm:eu:42"  # where the first step left it
    assert await falkordb_store.run(SET_RECORD_KEY, {"key": "crm\\:eu:42", "old": parked}) == [{"key": parked}]

    await forget_migrations(falkordb_store, REKEYED)  # interrupted: never recorded as done
    async with asgi_client(falkordb_store, load_settings()) as http:
        assert [row["record"] for row in await falkordb_store.run(RECORD_CLUSTERS, {})] == ["crm\\:eu:42"]
        found = await _record(http, "crm:eu", "42")
        assert found is not None and found["person"]["identifiers"] == [{"value": "victim@example.com"}]
