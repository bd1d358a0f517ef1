"""The change feed over GraphQL, on the real embedded database: each kind of change appears after the mutation
that made it, in order, once; pages resume from a cursor; `kinds` filters; retention answers CHANGES_EXPIRED for
a cursor older than what it kept."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from graphcdp.api.app import create_app
from graphcdp.clock import now_ms
from graphcdp.feed.reader import CHANGES as CHANGES_READ
from graphcdp.feed.retention import Retention
from graphcdp.settings import load_settings
from graphcdp.store.falkordb import FalkorDBStore
from graphcdp.wiring import Services, services_on
from tests.api.graphql_client import gql
from tests.service_process import AUTH_HEADERS, TEST_ADMIN_KEY

UPSERT = """mutation($r: [RecordInput!]!) {
  upsertRecords(records: $r) { results { personId action } errors { code message } } }"""
CHANGES = """query($after: String, $first: Int!, $kinds: [ChangeKind!]) {
  changes(after: $after, first: $first, kinds: $kinds) {
    edges { cursor node { sequence kind personId at data } } pageInfo { hasNextPage endCursor } } }"""
CONSENT = """mutation($v: String!, $s: ConsentStatus!, $at: DateTime) {
  setConsent(identifier: {type: "email", value: $v}, purpose: "marketing", channel: "email", status: $s, at: $at) {
    personId } }"""
DELETE = "mutation($s: String!, $id: String!) { deleteRecord(source: $s, sourceId: $id) { personIds } }"
DETACH = "mutation($s: String!, $id: String!) { detachRecord(source: $s, sourceId: $id) { personIds } }"
FORGET = "mutation($id: ID!) { forgetPerson(id: $id) { personId } }"
PERSON = "query($id: ID!) { person(id: $id) { id } }"


def record(source: str, source_id: str, *identifiers: tuple[str, str], **traits: Any) -> dict[str, Any]:
    return {
        "source": source,
        "sourceId": source_id,
        "observedAt": "2024-01-02T03:04:05Z",
        "identifiers": [{"type": t, "value": v} for t, v in identifiers],
        "traits": traits,
    }


@pytest.fixture
async def app(falkordb_store: FalkorDBStore) -> AsyncIterator[tuple[httpx.AsyncClient, Services]]:
    settings = load_settings(admin_key=SecretStr(TEST_ADMIN_KEY), erasure_compaction=0, rate_limit=0)
    async with services_on(falkordb_store, settings) as services:
        transport = httpx.ASGITransport(app=create_app(services=services))
        async with httpx.AsyncClient(transport=transport, base_url="http://test", headers=AUTH_HEADERS) as http:
            yield http, services


async def upsert(http: httpx.AsyncClient, *records: dict[str, Any]) -> list[str]:
    body = await gql(http, UPSERT, r=list(records))
    assert body["data"]["upsertRecords"]["errors"] == [], body
    return [r["personId"] for r in body["data"]["upsertRecords"]["results"]]


async def changes(
    http: httpx.AsyncClient, after: str | None = None, first: int = 100, kinds: list[str] | None = None
) -> dict[str, Any]:
    body = await gql(http, CHANGES, after=after, first=first, kinds=kinds)
    assert "errors" not in body, body
    connection: dict[str, Any] = body["data"]["changes"]
    return connection


async def new_events(http: httpx.AsyncClient, after: str | None) -> tuple[list[tuple[str, str, Any]], str | None]:
    """The events after `after`, as (kind, personId, data), and the cursor to resume from."""
    page = await changes(http, after)
    assert page["pageInfo"]["hasNextPage"] is False
    events = [(e["node"]["kind"], e["node"]["personId"], e["node"]["data"]) for e in page["edges"]]
    return events, page["pageInfo"]["endCursor"]


async def test_each_kind_appears_after_its_mutation_in_order(app: tuple[httpx.AsyncClient, Services]) -> None:
    http, _ = app
    assert (await changes(http))["edges"] == []

    [ada] = await upsert(http, record("crm", "a1", ("email", "ada@example.com"), firstName="Ada"))
    events, cursor = await new_events(http, None)
    assert events == [("CREATED", ada, {"traits": ["firstName"], "identifiers": ["email"]})]

    await upsert(http, record("crm", "a1", ("email", "ada@example.com"), firstName="Ada"))  # the same again
    assert (await new_events(http, cursor))[0] == []

    await upsert(http, record("crm", "a1", ("email", "ada@example.com"), firstName="Augusta", city="London"))
    events, cursor = await new_events(http, cursor)
    assert events == [("TRAITS_CHANGED", ada, {"keys": ["city", "firstName"]})]

    [other] = await upsert(http, record("pos", "b1", ("phone", "+1 202 555 0143")))
    events, cursor = await new_events(http, cursor)
    assert events == [("CREATED", other, {"traits": [], "identifiers": ["phone"]})]

    # One record holding both: the younger person merges into Ada, who gains a phone.
    [joined] = await upsert(http, record("web", "c1", ("email", "ada@example.com"), ("phone", "+1 202 555 0143")))
    assert joined == ada
    events, cursor = await new_events(http, cursor)
    assert events == [
        ("MERGED", ada, {"from": other, "into": ada}),
        ("IDENTIFIERS_CHANGED", ada, {"added": ["phone"], "removed": []}),
    ]

    assert (await gql(http, CONSENT, v="ada@example.com", s="GRANTED", at="2024-03-01T00:00:00Z"))["data"]
    events, cursor = await new_events(http, cursor)
    assert events == [("CONSENT_CHANGED", ada, {"purpose": "marketing", "channel": "email", "status": "GRANTED"})]
    await gql(http, CONSENT, v="ada@example.com", s="GRANTED", at="2024-03-01T00:00:00Z")  # the same statement
    assert (await new_events(http, cursor))[0] == []

    # Without the record that joined them, the phone's record splits off into a new person.
    await gql(http, DELETE, s="web", id="c1")
    events, cursor = await new_events(http, cursor)
    assert events[0] == ("RECORD_REMOVED", ada, {"source": "web", "how": "DELETED"})
    assert [kind for kind, _, _ in events[1:]] == ["CREATED", "SPLIT", "IDENTIFIERS_CHANGED"]
    split_off = events[1][1]
    assert split_off not in (ada, other)
    assert events[1][2] == {"traits": [], "identifiers": ["phone"], "splitFrom": [ada]}
    assert events[2] == ("SPLIT", ada, {"into": [split_off]})
    assert events[3] == ("IDENTIFIERS_CHANGED", ada, {"added": [], "removed": ["phone"]})

    await gql(http, DETACH, s="pos", id="b1")
    events, cursor = await new_events(http, cursor)
    assert events == [("RECORD_REMOVED", split_off, {"source": "pos", "how": "DETACHED"})]

    await gql(http, FORGET, id=ada)
    events, cursor = await new_events(http, cursor)
    assert events == [("ERASED", ada, {"ids": sorted([ada, other])})]  # her id and the one merged into her
    assert (await gql(http, PERSON, id=ada))["data"]["person"] is None

    # Her events left the feed with her, and her ids the events of others: ERASED is the one that names her.
    nodes = [e["node"] for e in (await changes(http))["edges"]]
    assert [n["kind"] for n in nodes if ada in json.dumps(n) or other in json.dumps(n)] == ["ERASED"]
    created = next(n for n in nodes if n["kind"] == "CREATED" and n["personId"] == split_off)
    assert created["data"]["splitFrom"] == ["erased"]
    sequences = [int(n["sequence"]) for n in nodes]
    assert sequences == sorted(set(sequences)) and sequences[-1] == int(cursor)  # in order, nothing twice


async def test_pages_resume_from_a_cursor_and_kinds_filter(app: tuple[httpx.AsyncClient, Services]) -> None:
    http, _ = app
    persons = await upsert(http, *(record("crm", f"r{n}", ("email", f"p{n}@example.com")) for n in range(7)))
    await upsert(http, record("crm", "r0", ("email", "p0@example.com"), ("email", "p1@example.com")))  # a merge
    every = (await changes(http))["edges"]
    assert [e["node"]["kind"] for e in every] == ["CREATED"] * 7 + ["MERGED", "IDENTIFIERS_CHANGED"]
    assert [e["node"]["personId"] for e in every[:7]] == persons

    seen: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = await changes(http, cursor, first=2)
        seen += page["edges"]
        cursor = page["pageInfo"]["endCursor"]
        if not page["pageInfo"]["hasNextPage"]:
            break
        assert len(page["edges"]) == 2
    assert seen == every
    assert (await changes(http, cursor))["edges"] == []  # caught up
    assert (await changes(http, cursor))["pageInfo"]["endCursor"] == cursor

    merged = await changes(http, kinds=["MERGED", "SPLIT"])
    assert [e["node"]["kind"] for e in merged["edges"]] == ["MERGED"]
    after_third = await changes(http, every[2]["cursor"], first=3, kinds=["CREATED"])
    assert [e["node"]["personId"] for e in after_third["edges"]] == persons[3:6]
    assert after_third["pageInfo"]["hasNextPage"] is True
    rest = await changes(http, after_third["pageInfo"]["endCursor"], kinds=["CREATED"])
    assert [e["node"]["personId"] for e in rest["edges"]] == persons[6:]
    assert rest["pageInfo"]["hasNextPage"] is False


async def test_a_cursor_the_feed_did_not_give_is_refused(app: tuple[httpx.AsyncClient, Services]) -> None:
    http, _ = app
    await upsert(http, record("crm", "r1", ("email", "p1@example.com")))
    assert [e["cursor"] for e in (await changes(http))["edges"]] == ["1"]
    for cursor in ("abc", "-1", "1.5", "", "99999999999999999999", "2"):  # "2": past the newest event
        body = await gql(http, CHANGES, after=cursor, first=10, kinds=None)
        assert body["errors"][0]["extensions"]["code"] == "INVALID_CURSOR", cursor
    body = await gql(http, CHANGES, after=None, first=0, kinds=None)
    assert body["errors"][0]["extensions"]["code"] == "PAGE_SIZE_OUT_OF_RANGE"


async def test_retention_removes_the_oldest_and_an_older_cursor_is_expired(
    app: tuple[httpx.AsyncClient, Services],
) -> None:
    http, services = app
    await upsert(http, *(record("crm", f"r{n}", ("email", f"p{n}@example.com")) for n in range(5)))
    every = (await changes(http))["edges"]
    written_at = max(int(e["node"]["sequence"]) for e in every)
    assert written_at == 5

    # By count: keep the newest 3.
    services.changes.retention = Retention(days=7, max_events=3)
    assert await services.changes.prune() == 2
    kept = (await changes(http))["edges"]
    assert [e["node"]["sequence"] for e in kept] == ["3", "4", "5"]
    assert (await changes(http, "2"))["edges"] == kept  # the last one removed: nothing missed
    expired = await gql(http, CHANGES, after="1", first=10, kinds=None)
    assert expired["errors"][0]["extensions"]["code"] == "CHANGES_EXPIRED"
    assert expired["data"] is None

    # By age: a day later, with one day's retention, everything written before goes.
    services.changes.retention = Retention(days=1, max_events=1000)
    assert await services.changes.prune() == 0  # written today: kept
    day_later = max(_ms(e["node"]["at"]) for e in kept) + 86_400_001
    assert await services.changes.prune(now=day_later) == 3
    assert (await changes(http))["edges"] == []
    [person] = await upsert(http, record("crm", "new", ("email", "new@example.com")))
    after = (await changes(http, "5"))["edges"]
    assert [(e["node"]["sequence"], e["node"]["personId"]) for e in after] == [("6", person)]


async def test_retention_of_a_young_feed_reads_only_its_oldest_event(
    app: tuple[httpx.AsyncClient, Services],
) -> None:
    # Retention runs every minute: a feed whose oldest event is young has nothing to remove by age, and reading the
    # whole window of 10,000 events to learn that took 170 to 200 ms on a feed of 200,000.
    http, services = app
    await upsert(http, *(record("crm", f"r{n}", ("email", f"p{n}@example.com")) for n in range(5)))
    limits: list[int] = []
    store = services.changes.store
    real = store.run

    async def noting(query: Any, params: Any = None) -> Any:
        if query is CHANGES_READ:
            limits.append(params["limit"])
        return await real(query, params)

    store.run = noting  # type: ignore[method-assign]
    try:
        services.changes.retention = Retention(days=1, max_events=1000)
        assert await services.changes.prune() == 0
        assert limits == [1]
        limits.clear()
        day_later = now_ms() + 86_400_001  # all old now: the window is read to find the first young one
        assert await services.changes.prune(now=day_later) == 5
        assert max(limits) > 1
    finally:
        del store.run


def _ms(iso: str) -> int:
    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000)
