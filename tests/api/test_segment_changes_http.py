"""Segment membership in the change feed, over GraphQL on the real embedded database: every enter and exit made by
saveSegment, a mutation, the sweep or deleteSegment is a SEGMENT_ENTERED / SEGMENT_EXITED event with the segment's
key only, written by the statement that moved the person (so the feed and her history always agree); a person
retired by a merge leaves her segments without an exit event (the MERGED event says it)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from graphcdp.api.app import create_app
from graphcdp.clock import now_ms
from graphcdp.feed.reader import bounds
from graphcdp.feed.retention import Retention, prune
from graphcdp.settings import load_settings
from graphcdp.store.falkordb import FalkorDBStore
from graphcdp.wiring import services_on
from tests.api.graphql_client import gql
from tests.api.test_segments_http import (
    DAY,
    DELETE,
    FORGET,
    PERSON,
    App,
    Clock,
    members,
    ok,
    saved,
    track,
    upsert,
)
from tests.service_process import AUTH_HEADERS, TEST_ADMIN_KEY

CHANGES = """query($after: String, $kinds: [ChangeKind!]) {
  changes(after: $after, first: 50, kinds: $kinds) {
    edges { node { sequence kind personId data } } pageInfo { hasNextPage endCursor } } }"""
PAGE = """query($after: String, $first: Int!) {
  changes(after: $after, first: $first) {
    edges { node { sequence kind personId } } pageInfo { hasNextPage endCursor } } }"""
SEGMENT_KINDS = ["SEGMENT_ENTERED", "SEGMENT_EXITED"]
Event = tuple[str, str, dict[str, Any]]


@pytest.fixture
async def app(falkordb_store: FalkorDBStore) -> AsyncIterator[App]:
    settings = load_settings(max_page_size=50, admin_key=SecretStr(TEST_ADMIN_KEY))
    async with services_on(falkordb_store, settings) as services:
        clock = Clock(now_ms())
        services.segments.clock = clock
        transport = httpx.ASGITransport(app=create_app(services=services))
        async with httpx.AsyncClient(transport=transport, base_url="http://test", headers=AUTH_HEADERS) as http:
            yield App(http, services, clock)


async def cursor(app: App) -> str | None:
    """The newest sequence now: events after it are those of what the test does next."""
    after: str | None = None
    while True:
        page = ok(await gql(app.http, CHANGES, after=after))["changes"]
        after = page["pageInfo"]["endCursor"]
        if not page["pageInfo"]["hasNextPage"]:
            return after


async def segment_events(app: App, after: str | None, kinds: list[str] = SEGMENT_KINDS) -> list[Event]:
    page = ok(await gql(app.http, CHANGES, after=after, kinds=kinds))["changes"]
    assert not page["pageInfo"]["hasNextPage"]
    return [(e["node"]["kind"], e["node"]["personId"], e["node"]["data"]) for e in page["edges"]]


def entered(person: str, segment: str) -> Event:
    return ("SEGMENT_ENTERED", person, {"segment": segment})


def exited(person: str, segment: str) -> Event:
    return ("SEGMENT_EXITED", person, {"segment": segment})


async def test_save_segment_appends_an_entered_event_per_member(app: App) -> None:
    gold = {await upsert(app, "crm", str(n), f"g{n}@example.com", tier="gold") for n in range(3)}
    await upsert(app, "crm", "s", "s@example.com", tier="silver")
    start = await cursor(app)
    await saved(app, "vip", {"trait": "tier", "eq": "gold"})
    events = await segment_events(app, start, ["SEGMENT_ENTERED"])
    assert sorted(events) == sorted(entered(p, "vip") for p in gold)
    assert await members(app, "vip") == gold
    # Saving it again with the same members moves nobody: no event.
    after_save = await cursor(app)
    await saved(app, "vip", {"trait": "tier", "in": ["gold", "platinum"]})
    assert await segment_events(app, after_save) == []


async def test_mutations_append_the_enter_and_exit_they_cause_as_her_history_records_them(app: App) -> None:
    await saved(app, "ca", {"trait": "address.region", "eq": "CA"})
    await saved(app, "buyers", {"metric": "orders", "gte": 1})
    start = await cursor(app)
    ada = await upsert(app, "crm", "1", "ada@example.com", address={"region": "CA"})
    await upsert(app, "crm", "1", "ada@example.com", address={"region": "NY"})
    await track(app, "ada@example.com", "order", amount=10.0, currency="EUR")
    await upsert(app, "crm", "1", "ada@example.com", address={"region": "NY"}, name="Ada")  # moves nobody
    events = await segment_events(app, start)
    assert events == [entered(ada, "ca"), exited(ada, "ca"), entered(ada, "buyers")]
    # The same statement wrote both: the feed and her history say the same.
    history = ok(await gql(app.http, PERSON, id=ada))["person"]["history"]
    recorded = [
        (e["kind"].upper(), ada, {"segment": e["detail"]["segment"]}) for e in history if "segment" in e["kind"]
    ]
    assert recorded == events


async def test_a_merge_moves_the_survivor_and_the_retired_id_leaves_without_an_exit(app: App) -> None:
    await saved(app, "ca", {"trait": "address.region", "eq": "CA"})
    await saved(app, "phone", {"identifier": "phone"})
    ada = await upsert(app, "crm", "1", "ada@example.com", address={"region": "CA"})
    other = await upsert(app, "pos", "9", None, phone="+14155550100", address={"region": "CA"})
    assert await members(app, "ca") == {ada, other}
    start = await cursor(app)
    survivor = await upsert(app, "shop", "5", "ada@example.com", phone="+14155550100")
    retired = other if survivor == ada else ada
    events = await segment_events(app, start)
    assert events == ([] if survivor == other else [entered(ada, "phone")])
    assert all(person != retired for _, person, _ in events)
    merged = await segment_events(app, start, ["MERGED"])
    assert [(kind, person) for kind, person, _ in merged] == [("MERGED", survivor)]


async def test_the_sweep_appends_the_exits_time_makes(app: App) -> None:
    await upsert(app, "crm", "1", "ada@example.com")
    ada = await track(app, "ada@example.com", "page_view", days_ago=1)
    await saved(app, "active-week", {"touchpoint": {"type": "page_view"}, "withinDays": 7})
    start = await cursor(app)
    app.clock.now += 10 * DAY
    await app.services.segments.sweep()
    assert await segment_events(app, start) == [exited(ada, "active-week")]


async def test_delete_segment_appends_an_exit_per_live_member(app: App) -> None:
    gold = {await upsert(app, "crm", str(n), f"g{n}@example.com", tier="gold") for n in range(2)}
    await upsert(app, "crm", "s", "s@example.com", tier="silver")
    await saved(app, "vip", {"trait": "tier", "eq": "gold"})
    await saved(app, "nobody", {"trait": "tier", "eq": "bronze"})
    start = await cursor(app)
    assert ok(await gql(app.http, DELETE, key="vip")) == {"deleteSegment": True}
    assert sorted(await segment_events(app, start)) == sorted(exited(p, "vip") for p in gold)
    # An empty segment, or one that is not there, appends nothing.
    after_delete = await cursor(app)
    assert ok(await gql(app.http, DELETE, key="nobody")) == {"deleteSegment": True}
    assert ok(await gql(app.http, DELETE, key="vip")) == {"deleteSegment": False}
    assert await segment_events(app, after_delete) == []


async def every_event(app: App, after: str | None, first: int) -> list[tuple[int, str, str]]:
    """(sequence, kind, personId) of every event after the cursor, read `first` at a time."""
    found: list[tuple[int, str, str]] = []
    while True:
        page = ok(await gql(app.http, PAGE, after=after, first=first))["changes"]
        found += [(int(e["node"]["sequence"]), e["node"]["kind"], e["node"]["personId"]) for e in page["edges"]]
        after = page["pageInfo"]["endCursor"] or after
        if not page["pageInfo"]["hasNextPage"]:
            return found


async def test_segment_events_and_the_others_read_as_one_feed_in_sequence_order(app: App) -> None:
    # Segment evaluations write their events as SegmentChange nodes, numbered by the same counter as the others:
    # a reader sees one run of sequences, in the order the writes happened, however it pages.
    gold = {await upsert(app, "crm", str(n), f"g{n}@example.com", tier="gold") for n in range(2)}
    start = await cursor(app)
    await saved(app, "vip", {"trait": "tier", "eq": "gold"})
    cy = await upsert(app, "crm", "cy", "cy@example.com", tier="gold")
    dee = await upsert(app, "crm", "dee", "dee@example.com", tier="silver")
    events = await every_event(app, start, 50)
    sequences = [sequence for sequence, _, _ in events]
    assert sequences == list(range(sequences[0], sequences[0] + len(events)))
    for first in (1, 2, 3):
        assert await every_event(app, start, first) == events
    kinds = [(kind, person) for _, kind, person in events]
    assert set(kinds[:2]) == {("SEGMENT_ENTERED", person) for person in gold}
    assert kinds[2:] == [("CREATED", cy), ("SEGMENT_ENTERED", cy), ("CREATED", dee)]
    selected = await segment_events(app, start, ["SEGMENT_ENTERED"])
    assert sorted(selected) == sorted(entered(p, "vip") for p in {*gold, cy})


async def test_forget_person_removes_her_segment_events(app: App) -> None:
    ada = await upsert(app, "crm", "ada", "ada@example.com", tier="gold")
    bob = await upsert(app, "crm", "bob", "bob@example.com", tier="gold")
    start = await cursor(app)
    await saved(app, "vip", {"trait": "tier", "eq": "gold"})
    assert sorted(await segment_events(app, start)) == sorted([entered(ada, "vip"), entered(bob, "vip")])
    assert ok(await gql(app.http, FORGET, id=ada))["forgetPerson"]["personId"] == ada
    assert await segment_events(app, start) == [entered(bob, "vip")]
    assert [kind for _, kind, person in await every_event(app, start, 50) if person == ada] == ["ERASED"]


async def test_retention_removes_segment_events_with_the_others(app: App) -> None:
    await upsert(app, "crm", "ada", "ada@example.com", tier="gold")
    await saved(app, "vip", {"trait": "tier", "eq": "gold"})
    await upsert(app, "crm", "bob", "bob@example.com", tier="gold")  # CREATED, then her SEGMENT_ENTERED
    before = await bounds(app.services.store)
    removed = await prune(app.services.store, Retention(days=3650, max_events=1), now_ms())
    # Every event but the newest went, segment events included; the newest is bob's SEGMENT_ENTERED.
    assert removed == before.last - before.first
    left = ok(await gql(app.http, CHANGES, after=None, kinds=None))["changes"]["edges"]
    assert [(e["node"]["kind"], e["node"]["sequence"]) for e in left] == [("SEGMENT_ENTERED", str(before.last))]
