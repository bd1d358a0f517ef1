"""forgetPerson, liftSuppression and exportPerson over GraphQL, against the real embedded database: the export
holds what was sent, the erasure answers what it removed, a replay answers SUPPRESSED until lifted."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from graphcdp.settings import load_settings
from graphcdp.store.falkordb import FalkorDBStore
from tests.api.graphql_client import asgi_client, gql

EMAIL = "grace.hqzx@example.com"
RECORDS = [
    {"source": "crm", "sourceId": "g1", "observedAt": "2024-01-02T03:04:05Z",
     "identifiers": [{"type": "email", "value": EMAIL}, {"type": "customer_id", "value": "g-1"}],
     "traits": {"firstName": "Grace", "lastName": "Hopper"}},
    {"source": "pos", "sourceId": "g2", "identifiers": [{"type": "phone", "value": "+1 202 555 0143"},
     {"type": "email", "value": EMAIL}]},
]  # fmt: skip
TOUCHPOINTS = [
    {"id": "o-g1", "type": "order", "occurredAt": "2024-02-01T00:00:00Z", "amount": 12.0, "currency": "USD",
     "identifiers": [{"type": "email", "value": EMAIL}]},
    {"id": "pv-g1", "type": "page_view", "occurredAt": "2024-02-02T00:00:00Z",
     "identifiers": [{"type": "cookie_id", "value": "ck-grace"}, {"type": "email", "value": EMAIL}]},
]  # fmt: skip
UPSERT = """mutation($r: [RecordInput!]!) {
  upsertRecords(records: $r) { results { index personId } errors { index code message } } }"""
TRACK = """mutation($t: [TouchpointInput!]!) {
  trackTouchpoints(touchpoints: $t) { results { index } errors { index code } } }"""
CONSENT = """mutation($s: ConsentStatus!) { setConsent(identifier: {type: "email", value: "GRACE.HQZX@example.com"},
  purpose: "marketing", channel: "email", status: $s, source: "web") { personId } }"""
EXPORT = "query($id: ID!) { exportPerson(id: $id) }"
FORGET = """mutation($id: ID!) { forgetPerson(id: $id) {
  personId records identifiers identifiersKept touchpoints consents pairs matchKeys tombstones personIds } }"""
LIFT = 'mutation { liftSuppression(identifier: {type: "email", value: "Grace.HQZX@example.com"}) }'
PROFILE = 'query { profile(identifier: {type: "email", value: "grace.hqzx@example.com"}) { id } }'


@pytest.fixture
async def client(falkordb_store: FalkorDBStore) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(falkordb_store, load_settings(erasure_compaction=0)) as http:
        yield http


async def test_export_forget_suppress_and_lift(client: httpx.AsyncClient) -> None:
    person = (await gql(client, UPSERT, r=RECORDS))["data"]["upsertRecords"]["results"][0]["personId"]
    assert not (await gql(client, TRACK, t=TOUCHPOINTS))["data"]["trackTouchpoints"]["errors"]
    await gql(client, CONSENT, s="GRANTED")
    await gql(client, CONSENT, s="REVOKED")

    exported = (await gql(client, EXPORT, id=person))["data"]["exportPerson"]
    assert {(r["source"], r["sourceId"]) for r in exported["records"]} >= {("crm", "g1"), ("pos", "g2")}
    assert {f"email:{EMAIL}", "phone:+12025550143", "customer_id:g-1", "cookie_id:ck-grace"} <= {
        i["key"] for i in exported["identifiers"]
    }
    assert {t["id"] for t in exported["touchpoints"]} == {"o-g1", "pv-g1"}
    assert len(exported["consents"]["history"]) == 2 and exported["segments"] == []

    erased = (await gql(client, FORGET, id=person))["data"]["forgetPerson"]
    assert erased["personId"] == person
    assert erased["identifiers"] == 4 and erased["identifiersKept"] == 0 and erased["tombstones"] == 4
    assert erased["touchpoints"] == 2 and erased["consents"] == 2 and erased["personIds"] == []
    assert (await gql(client, PROFILE))["data"]["profile"] is None
    gone = await gql(client, FORGET, id=person)
    assert gone["errors"][0]["extensions"]["code"] == "PERSON_NOT_FOUND"
    assert (await gql(client, EXPORT, id=person))["errors"][0]["extensions"]["code"] == "PERSON_NOT_FOUND"

    replay = (await gql(client, UPSERT, r=[*RECORDS, {"source": "crm", "sourceId": "n1", "identifiers": [
        {"type": "email", "value": "newcomer@example.com"}]}]))["data"]["upsertRecords"]  # fmt: skip
    assert [(e["index"], e["code"]) for e in replay["errors"]] == [(0, "SUPPRESSED"), (1, "SUPPRESSED")]
    assert EMAIL not in replay["errors"][0]["message"]
    assert [r["index"] for r in replay["results"]] == [2]
    tracked = (await gql(client, TRACK, t=TOUCHPOINTS))["data"]["trackTouchpoints"]
    assert [(e["index"], e["code"]) for e in tracked["errors"]] == [(0, "SUPPRESSED"), (1, "SUPPRESSED")]

    assert (await gql(client, LIFT))["data"]["liftSuppression"] is True
    assert (await gql(client, LIFT))["data"]["liftSuppression"] is False
    again = await gql(client, UPSERT, r=[RECORDS[0] | {"identifiers": [{"type": "email", "value": EMAIL}]}])
    assert again["data"]["upsertRecords"]["errors"] == []
    assert (await gql(client, PROFILE))["data"]["profile"] is not None
