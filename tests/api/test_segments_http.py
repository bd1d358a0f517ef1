"""Segments over GraphQL on the real embedded database: every condition kind, nesting, segments of segments,
membership kept current after every mutation (read-your-writes), time passing, merges and splits, refused
definitions with their paths, members pages, explanations and deletion."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from graphcdp.api.app import create_app
from graphcdp.clock import now_ms
from graphcdp.ingest.bulk import import_file
from graphcdp.settings import load_settings
from graphcdp.store.falkordb import FalkorDBStore
from graphcdp.wiring import Services, services_on
from tests.api.graphql_client import gql
from tests.service_process import AUTH_HEADERS, TEST_ADMIN_KEY

DAY = 86_400_000

SAVE = """
mutation($key: String!, $definition: JSON!, $name: String, $description: String) {
  saveSegment(key: $key, definition: $definition, name: $name, description: $description) {
    segment { key name description definition size updatedAt }
    errors { index code message }
  }
}"""
DELETE = "mutation($key: String!) { deleteSegment(key: $key) }"
SEGMENT = """
query($key: String!, $first: Int!, $after: String) {
  segment(key: $key) {
    key name size
    members(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor node { id traits } }
    }
  }
}"""
SEGMENTS = "{ segments { key name size } }"
PERSON = "query($id: ID!) { person(id: $id) { id segments { since segment { key name } } history { kind detail } } }"
PREVIEW = "query($d: JSON!, $n: Int!) { previewSegment(definition: $d, sample: $n) { size sample { id } } }"
EXPLAIN = """
query($key: String!, $id: ID!) {
  explainSegment(key: $key, personId: $id) { member personId conditions { path held detail } }
}"""
CONTEXT = 'query($v: String!) { context(identifier: {type: "email", value: $v}) { personId segments } }'
UPSERT = """
mutation($records: [RecordInput!]!) {
  upsertRecords(records: $records) { results { personId action } errors { index code message } personsMerged }
}"""
TRACK = """
mutation($touchpoints: [TouchpointInput!]!) {
  trackTouchpoints(touchpoints: $touchpoints) { results { personId } errors { code message } personsMerged }
}"""
CONSENT = """
mutation($v: String!, $status: ConsentStatus!) {
  setConsent(identifier: {type: "email", value: $v}, purpose: "marketing", channel: "email", status: $status) {
    personId
  }
}"""
DETACH = "mutation($s: String!, $i: String!) { detachRecord(source: $s, sourceId: $i) { personIds } }"
DELETE_RECORD = "mutation($s: String!, $i: String!) { deleteRecord(source: $s, sourceId: $i) { personIds } }"
FORGET = "mutation($id: ID!) { forgetPerson(id: $id) { personId } }"


@dataclass
class Clock:
    """The segments' clock, moved by the tests to let days pass (epoch ms)."""

    now: int

    def __call__(self) -> int:
        return self.now


@dataclass
class App:
    http: httpx.AsyncClient
    services: Services
    clock: Clock


@pytest.fixture
async def app(falkordb_store: FalkorDBStore) -> AsyncIterator[App]:
    settings = load_settings(max_page_size=50, admin_key=SecretStr(TEST_ADMIN_KEY))
    async with services_on(falkordb_store, settings) as services:
        clock = Clock(now_ms())
        services.segments.clock = clock
        transport = httpx.ASGITransport(app=create_app(services=services))
        async with httpx.AsyncClient(transport=transport, base_url="http://test", headers=AUTH_HEADERS) as http:
            yield App(http, services, clock)


def ok(body: dict[str, Any]) -> dict[str, Any]:
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


async def upsert(app: App, source: str, source_id: str, email: str | None, **traits: Any) -> str:
    identifiers = [{"type": "email", "value": email}] if email else []
    if "phone" in traits:
        identifiers.append({"type": "phone", "value": traits.pop("phone")})
    if "loyalty" in traits:
        identifiers.append({"type": "loyalty_id", "value": traits.pop("loyalty")})
    record = {"source": source, "sourceId": source_id, "identifiers": identifiers, "traits": traits}
    result = ok(await gql(app.http, UPSERT, records=[record]))["upsertRecords"]
    assert result["errors"] == []
    person: str = result["results"][0]["personId"]
    return person


async def track(app: App, email: str, type_: str, days_ago: float = 0, **extra: Any) -> str:
    touchpoint = {
        "type": type_,
        "occurredAt": now_ms() - int(days_ago * DAY),
        "identifiers": [{"type": "email", "value": email}],
        **extra,
    }
    result = ok(await gql(app.http, TRACK, touchpoints=[touchpoint]))["trackTouchpoints"]
    assert result["errors"] == []
    person: str = result["results"][0]["personId"]
    return person


async def save(app: App, key: str, definition: Any, **texts: str) -> dict[str, Any]:
    payload: dict[str, Any] = ok(await gql(app.http, SAVE, key=key, definition=definition, **texts))["saveSegment"]
    return payload


async def saved(app: App, key: str, definition: Any, **texts: str) -> dict[str, Any]:
    payload = await save(app, key, definition, **texts)
    assert payload["errors"] == [], payload["errors"]
    segment: dict[str, Any] = payload["segment"]
    return segment


async def members(app: App, key: str) -> set[str]:
    page = ok(await gql(app.http, SEGMENT, key=key, first=50))["segment"]
    ids = {edge["node"]["id"] for edge in page["members"]["edges"]}
    assert page["size"] == page["members"]["totalCount"] == len(ids)
    return ids


async def segments_of(app: App, person: str) -> list[str]:
    found = ok(await gql(app.http, PERSON, id=person))["person"]
    return [m["segment"]["key"] for m in found["segments"]]


async def errors_of(app: App, key: str, definition: Any) -> list[str]:
    payload = await save(app, key, definition)
    assert payload["segment"] is None
    assert {e["code"] for e in payload["errors"]} == {"INVALID_SEGMENT"}
    return [e["message"] for e in payload["errors"]]


# --- conditions ----------------------------------------------------------------------------------------


async def test_trait_operators(app: App) -> None:
    ada = await upsert(
        app, "crm", "1", "ada@example.com", address={"region": "CA"}, tier="gold", score=42, name="Ada Lovelace",
        tags=["shoes", "hats"],
    )  # fmt: skip
    bob = await upsert(app, "crm", "2", "bob@example.com", address={"region": "NY"}, tier="silver", score=7, name="Bob")
    cy = await upsert(app, "crm", "3", "cy@example.com", address={"region": "CA"}, score=100, name="Cy Young")
    cases: list[tuple[dict[str, Any], set[str]]] = [
        ({"trait": "address.region", "eq": "CA"}, {ada, cy}),
        ({"trait": "address.region", "ne": "CA"}, {bob}),
        ({"trait": "tier", "in": ["gold", "platinum"]}, {ada}),
        ({"trait": "name", "contains": "Young"}, {cy}),
        ({"trait": "name", "startsWith": "Bo"}, {bob}),
        ({"trait": "score", "gt": 42}, {cy}),
        ({"trait": "score", "gte": 42}, {ada, cy}),
        ({"trait": "score", "lt": 42}, {bob}),
        ({"trait": "score", "lte": 42}, {ada, bob}),
        ({"trait": "tier", "exists": True}, {ada, bob}),
        ({"trait": "tier", "exists": False}, {cy}),
        ({"trait": "tags", "eq": "hats"}, {ada}),
    ]
    for n, (definition, expected) in enumerate(cases):
        segment = await saved(app, f"t{n}", definition)
        assert segment["size"] == len(expected), definition
        assert await members(app, f"t{n}") == expected, definition


async def test_age_from_birth_date(app: App) -> None:
    adult = await upsert(app, "crm", "1", "old@example.com", birthDate="1980-05-01")
    await upsert(app, "crm", "2", "young@example.com", birthDate=f"{2026 - 10}-01-01")
    await upsert(app, "crm", "3", "unknown@example.com")
    await saved(app, "adults", {"age": {"gte": 18}})
    assert await members(app, "adults") == {adult}


async def test_identifier_conditions_normalize_the_value(app: App) -> None:
    ada = await upsert(app, "crm", "1", "ada@example.com", phone="+14155550100")
    bob = await upsert(app, "crm", "2", "bob@example.com")
    await saved(app, "reachable", {"identifier": "phone"})
    await saved(app, "ada", {"identifier": "email", "eq": "  ADA@Example.COM "})
    assert await members(app, "reachable") == {ada}
    assert await members(app, "ada") == {ada}
    assert bob not in await members(app, "reachable")


async def test_metric_and_touchpoint_conditions(app: App) -> None:
    ada = await upsert(app, "crm", "1", "ada@example.com")
    bob = await upsert(app, "crm", "2", "bob@example.com")
    for days in (1, 2, 3):
        await track(app, "ada@example.com", "page_view", days, channel="web", properties={"category": "shoes"})
    await track(app, "ada@example.com", "order", 5, amount=80.0, currency="EUR")
    await track(app, "ada@example.com", "order", 6, amount=40.0, currency="EUR")
    await track(app, "bob@example.com", "page_view", 40, channel="web", properties={"category": "shoes"})
    await track(app, "bob@example.com", "page_view", 1, channel="web", properties={"category": "hats"})
    await track(app, "bob@example.com", "order", 2, amount=500.0, currency="EUR")
    viewed_shoes = {"touchpoint": {"type": "page_view", "channel": "web", "properties": {"category": "shoes"}}}
    cases: list[tuple[dict[str, Any], set[str]]] = [
        ({"metric": "orders", "gte": 2}, {ada}),
        ({"metric": "revenue", "gt": 200}, {bob}),
        ({**viewed_shoes, "withinDays": 30, "count": {"gte": 3}}, {ada}),
        ({**viewed_shoes, "withinDays": 30}, {ada}),
        (viewed_shoes, {ada, bob}),  # all time, at least one
        ({"touchpoint": {"type": "order"}, "sum": {"gte": 100}}, {ada, bob}),
        ({"touchpoint": {"type": "order"}, "sum": {"gte": 200}}, {bob}),
        ({"touchpoint": {"type": "order"}, "count": {"eq": 2}}, {ada}),
    ]
    for n, (definition, expected) in enumerate(cases):
        await saved(app, f"b{n}", definition)
        assert await members(app, f"b{n}") == expected, definition


async def test_consent_condition_and_nesting(app: App) -> None:
    ada = await upsert(app, "crm", "1", "ada@example.com", address={"region": "CA"}, tier="gold")
    bob = await upsert(app, "crm", "2", "bob@example.com", address={"region": "CA"})
    cy = await upsert(app, "crm", "3", "cy@example.com", address={"region": "NY"}, tier="gold")
    await gql(app.http, CONSENT, v="ada@example.com", status="GRANTED")
    await gql(app.http, CONSENT, v="bob@example.com", status="REVOKED")
    await saved(app, "mail", {"consent": {"purpose": "marketing", "channel": "email"}})
    assert await members(app, "mail") == {ada}
    nested = {
        "any": [
            {"all": [{"trait": "address.region", "eq": "CA"}, {"not": {"trait": "tier", "exists": True}}]},
            {"all": [{"trait": "tier", "eq": "gold"}, {"not": {"trait": "address.region", "eq": "CA"}}]},
        ]
    }
    await saved(app, "nested", nested)
    assert await members(app, "nested") == {bob, cy}
    await saved(app, "not-mail", {"not": {"segment": "mail"}})
    assert await members(app, "not-mail") == {bob, cy}


async def test_the_issue_audience(app: App) -> None:
    """California, 2+ orders, viewed shoes three times this month, allows email."""
    ada = await upsert(app, "crm", "1", "ada@example.com", address={"region": "CA"})
    await upsert(app, "crm", "2", "bob@example.com", address={"region": "CA"})
    for who in ("ada@example.com", "bob@example.com"):
        for days in (1, 2):
            await track(app, who, "order", days, amount=30.0, currency="USD")
        for days in (3, 4, 5):
            await track(app, who, "page_view", days, channel="web", properties={"category": "shoes"})
    await gql(app.http, CONSENT, v="ada@example.com", status="GRANTED")
    audience = {
        "all": [
            {"trait": "address.region", "eq": "CA"},
            {"metric": "orders", "gte": 2},
            {
                "touchpoint": {"type": "page_view", "properties": {"category": "shoes"}},
                "withinDays": 30,
                "count": {"gte": 3},
            },
            {"consent": {"purpose": "marketing", "channel": "email"}},
        ]
    }
    segment = await saved(app, "ca-shoe-buyers", audience, name="CA shoe buyers")
    assert segment.pop("updatedAt").endswith("Z")
    assert segment == {
        "key": "ca-shoe-buyers",
        "name": "CA shoe buyers",
        "description": None,
        "definition": audience,
        "size": 1,
    }
    assert await members(app, "ca-shoe-buyers") == {ada}
    # Bob allows email: he enters as the consent is stored, before setConsent returns.
    await gql(app.http, CONSENT, v="bob@example.com", status="GRANTED")
    assert len(await members(app, "ca-shoe-buyers")) == 2
    # Replaced without a name: the name stays; with a description: it is set.
    replaced = await saved(app, "ca-shoe-buyers", {"all": audience["all"][:2]}, description="CA, 2+ orders")
    assert (replaced["name"], replaced["description"], replaced["size"]) == ("CA shoe buyers", "CA, 2+ orders", 2)


# --- segments of segments ------------------------------------------------------------------------------


async def test_segment_of_segment_follows_its_base_and_cycles_are_refused(app: App) -> None:
    ada = await upsert(app, "crm", "1", "ada@example.com", tier="gold", address={"region": "CA"})
    bob = await upsert(app, "crm", "2", "bob@example.com", tier="gold", address={"region": "NY"})
    await saved(app, "vip", {"trait": "tier", "eq": "gold"})
    await saved(app, "vip-ca", {"all": [{"segment": "vip"}, {"trait": "address.region", "eq": "CA"}]})
    await saved(app, "vip-ca-fans", {"segment": "vip-ca"})
    assert await members(app, "vip-ca-fans") == {ada}
    # Redefining the base re-evaluates what is built on it, transitively.
    await saved(app, "vip", {"trait": "tier", "eq": "silver"})
    assert await members(app, "vip-ca") == set() and await members(app, "vip-ca-fans") == set()
    # A trait change flows through the chain in the same mutation.
    await upsert(app, "crm", "1", "ada@example.com", tier="silver", address={"region": "CA"})
    assert await members(app, "vip-ca-fans") == {ada}
    assert await segments_of(app, ada) == ["vip", "vip-ca", "vip-ca-fans"]
    assert await segments_of(app, bob) == []

    [cycle] = await errors_of(app, "vip", {"segment": "vip-ca-fans"})
    assert cycle.startswith("segment: ") and "vip -> vip-ca-fans -> vip-ca -> vip" in cycle
    [itself] = await errors_of(app, "loop", {"not": {"segment": "loop"}})
    assert itself.startswith("segment: ") and "loop -> loop" in itself
    [unknown] = await errors_of(app, "x", {"segment": "nope"})
    assert unknown == "segment: no segment 'nope'"
    # Nothing refused was stored, and the base still defines the chain.
    assert [s["key"] for s in ok(await gql(app.http, SEGMENTS))["segments"]] == ["vip", "vip-ca", "vip-ca-fans"]


async def test_delete_segment(app: App) -> None:
    ada = await upsert(app, "crm", "1", "ada@example.com", tier="gold")
    await saved(app, "vip", {"trait": "tier", "eq": "gold"})
    await saved(app, "vip-too", {"segment": "vip"})
    refused = await gql(app.http, DELETE, key="vip")
    assert refused["errors"][0]["extensions"]["code"] == "SEGMENT_IN_USE"
    assert "'vip-too'" in refused["errors"][0]["message"]
    assert ok(await gql(app.http, DELETE, key="vip-too")) == {"deleteSegment": True}
    assert ok(await gql(app.http, DELETE, key="vip")) == {"deleteSegment": True}
    assert ok(await gql(app.http, DELETE, key="vip")) == {"deleteSegment": False}
    assert ok(await gql(app.http, SEGMENTS)) == {"segments": []}
    assert await segments_of(app, ada) == []
    assert ok(await gql(app.http, SEGMENT, key="vip", first=5)) == {"segment": None}


# --- invalid definitions -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("definition", "path"),
    [
        ({"all": [{"trait": "tier", "eq": "gold"}, {"bogus": 1}]}, "$.all[1]"),
        ({"trait": "tier", "between": [1, 2]}, "$"),
        ({"any": [{"not": {"metric": "wealth", "gte": 1}}]}, "$.any[0].not"),
        ({"trait": "a..b", "eq": 1}, "$.trait"),
        ({"touchpoint": {"type": "order", "colour": "red"}}, "$.touchpoint"),
        ("not an object", "$"),
    ],
)
async def test_invalid_definitions_name_their_path(app: App, definition: Any, path: str) -> None:
    messages = await errors_of(app, "bad", definition)
    assert any(m.startswith(path) for m in messages), messages
    assert ok(await gql(app.http, SEGMENTS)) == {"segments": []}


async def test_every_problem_is_listed(app: App) -> None:
    messages = await errors_of(app, "bad key!", {"all": [{"bogus": 1}, {"metric": "wealth", "gte": 1}]})
    assert messages[0].startswith("key: ")
    assert any(m.startswith("$.all[0]") for m in messages) and any(m.startswith("$.all[1].metric") for m in messages)


# --- read-your-writes after every mutation -------------------------------------------------------------


async def test_upsert_track_and_consent_move_persons_in_and_out_before_they_return(app: App) -> None:
    await saved(app, "ca", {"trait": "address.region", "eq": "CA"})
    await saved(app, "buyers", {"metric": "orders", "gte": 1})
    await saved(app, "mail", {"consent": {"purpose": "marketing", "channel": "email"}})
    # The segments' clock moves a millisecond between changes: her history is in time order, and events of one
    # millisecond have no order between them.
    ada = await upsert(app, "crm", "1", "ada@example.com", address={"region": "CA"})
    assert await segments_of(app, ada) == ["ca"]
    app.clock.now += 1
    await upsert(app, "crm", "1", "ada@example.com", address={"region": "NY"})
    assert await segments_of(app, ada) == []
    app.clock.now += 1
    await track(app, "ada@example.com", "order", amount=10.0, currency="EUR")
    assert await segments_of(app, ada) == ["buyers"]
    app.clock.now += 1
    await gql(app.http, CONSENT, v="ada@example.com", status="GRANTED")
    assert await segments_of(app, ada) == ["buyers", "mail"]
    app.clock.now += 1
    await gql(app.http, CONSENT, v="ada@example.com", status="REVOKED")
    assert await segments_of(app, ada) == ["buyers"]
    assert ok(await gql(app.http, CONTEXT, v="ada@example.com"))["context"] == {"personId": ada, "segments": ["buyers"]}
    # Enter and exit are events of her history, with the segment.
    events = [
        (e["kind"], e["detail"].get("segment"))
        for e in ok(await gql(app.http, PERSON, id=ada))["person"]["history"]
        if e["kind"].startswith("segment_")
    ]
    assert events == [
        ("segment_entered", "ca"),
        ("segment_exited", "ca"),
        ("segment_entered", "buyers"),
        ("segment_entered", "mail"),
        ("segment_exited", "mail"),
    ]


async def test_a_merge_unions_the_evidence_and_retired_ids_are_never_members(app: App) -> None:
    definition = {"all": [{"trait": "address.region", "eq": "CA"}, {"identifier": "phone"}]}
    await saved(app, "ca-phone", definition)
    await saved(app, "ca", {"trait": "address.region", "eq": "CA"})
    ada = await upsert(app, "crm", "1", "ada@example.com", address={"region": "CA"})
    other = await upsert(app, "pos", "9", None, phone="+14155550100", loyalty="L1")
    assert await members(app, "ca-phone") == set() and await members(app, "ca") == {ada}
    # A record carrying both identifiers merges them: the survivor holds the region and the phone.
    merged = await upsert(app, "shop", "5", "ada@example.com", phone="+14155550100")
    assert {merged} == {ada} or {merged} == {other}
    retired = other if merged == ada else ada
    assert await members(app, "ca-phone") == {merged}
    assert await members(app, "ca") == {merged}
    assert retired not in await members(app, "ca")
    # The retired id answers with the survivor, and explains for it.
    explained = ok(await gql(app.http, EXPLAIN, key="ca-phone", id=retired))["explainSegment"]
    assert explained["member"] is True and explained["personId"] == merged


async def test_a_split_re_evaluates_both_sides(app: App) -> None:
    await saved(app, "ca", {"trait": "address.region", "eq": "CA"})
    await saved(app, "phone", {"identifier": "phone"})
    ada = await upsert(app, "crm", "1", "ada@example.com", address={"region": "CA"})
    await upsert(app, "pos", "2", "ada@example.com", phone="+14155550100")
    assert await members(app, "phone") == {ada}
    split = ok(await gql(app.http, DETACH, s="pos", i="2"))["detachRecord"]["personIds"]
    assert len(split) == 2 and ada in split
    other = next(p for p in split if p != ada)
    # The crm record (with the region) and the pos record (with the phone) are two persons again.
    ca_side, phone_side = await members(app, "ca"), await members(app, "phone")
    assert len(ca_side) == 1 and len(phone_side) == 1
    assert ca_side | phone_side == {ada, other}


async def test_delete_record_and_forget_person(app: App) -> None:
    await saved(app, "ca", {"trait": "address.region", "eq": "CA"})
    ada = await upsert(app, "crm", "1", "ada@example.com", address={"region": "CA"})
    await upsert(app, "web", "2", "ada@example.com")
    assert await members(app, "ca") == {ada}
    ok(await gql(app.http, DELETE_RECORD, s="crm", i="1"))
    assert await members(app, "ca") == set()
    bob = await upsert(app, "crm", "3", "bob@example.com", address={"region": "CA"})
    assert await members(app, "ca") == {bob}
    ok(await gql(app.http, FORGET, id=bob))
    assert await members(app, "ca") == set()
    assert ok(await gql(app.http, SEGMENTS))["segments"][0]["size"] == 0


async def test_a_review_decision_merges_into_the_segment(app: App) -> None:
    await saved(app, "gold-email", {"all": [{"trait": "tier", "eq": "gold"}, {"identifier": "email"}]})
    await upsert(app, "crm", "1", "anna@example.com", firstName="Anna", lastName="Ramirez")
    await upsert(app, "pos", "2", None, loyalty="L2", firstName="Anna", lastName="Ramirez", tier="gold")
    assert await members(app, "gold-email") == set()
    queue = ok(await gql(app.http, "{ reviewQueue { edges { node { id } } } }"))["reviewQueue"]["edges"]
    [pair] = queue
    accepted = ok(
        await gql(
            app.http,
            "mutation($id: ID!) { resolveMatch(id: $id, accept: true) { personIds } }",
            id=pair["node"]["id"],
        )
    )
    [anna] = accepted["resolveMatch"]["personIds"]
    assert await members(app, "gold-email") == {anna}


# --- time ----------------------------------------------------------------------------------------------


async def test_membership_resting_on_a_window_expires_with_the_sweep(app: App) -> None:
    await upsert(app, "crm", "1", "ada@example.com")
    ada = await track(app, "ada@example.com", "page_view", days_ago=1)
    await saved(app, "active-week", {"touchpoint": {"type": "page_view"}, "withinDays": 7})
    await saved(app, "lapsed", {"metric": "daysSinceLastActivity", "gte": 30})
    assert await members(app, "active-week") == {ada} and await members(app, "lapsed") == set()
    app.clock.now += 5 * DAY
    await app.services.segments.sweep()
    assert await members(app, "active-week") == {ada}
    app.clock.now += 30 * DAY  # 36 days after her visit
    assert await members(app, "active-week") == {ada}  # nothing happens before the sweep
    await app.services.segments.sweep()
    assert await members(app, "active-week") == set()
    assert await members(app, "lapsed") == {ada}


async def test_the_app_lifespan_runs_the_sweep(falkordb_store: FalkorDBStore) -> None:
    settings = load_settings(admin_key=SecretStr(TEST_ADMIN_KEY), segment_sweep_interval=0.01)
    async with services_on(falkordb_store, settings) as services:
        clock = Clock(now_ms())
        services.segments.clock = clock
        application = create_app(services=services)
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://test", headers=AUTH_HEADERS) as http:
            app = App(http, services, clock)
            ada = await upsert(app, "crm", "1", "ada@example.com")
            await track(app, "ada@example.com", "page_view", days_ago=1)
            await saved(app, "active-week", {"touchpoint": {"type": "page_view"}, "withinDays": 7})
            assert await members(app, "active-week") == {ada}
            clock.now += 10 * DAY
            async with application.router.lifespan_context(application):
                for _ in range(500):  # the sweep runs every 10 ms: wait for its next pass, not for a time
                    if not await segment_size(app, "active-week"):
                        break
                    await _yield_to_the_sweep()
            assert await members(app, "active-week") == set()  # the sweep stopped with the app


async def _yield_to_the_sweep() -> None:
    import asyncio

    await asyncio.sleep(0.01)


# --- members, preview, explain -------------------------------------------------------------------------


async def test_members_pages(app: App) -> None:
    persons = {await upsert(app, "crm", str(n), f"p{n}@example.com", tier="gold") for n in range(5)}
    await upsert(app, "crm", "x", "x@example.com", tier="silver")
    await saved(app, "gold", {"trait": "tier", "eq": "gold"})
    seen: list[str] = []
    after = None
    for _ in range(3):
        page = ok(await gql(app.http, SEGMENT, key="gold", first=2, after=after))["segment"]["members"]
        assert page["totalCount"] == 5
        seen += [e["node"]["id"] for e in page["edges"]]
        after = page["pageInfo"]["endCursor"]
        if not page["pageInfo"]["hasNextPage"]:
            break
    assert seen == sorted(persons) and len(seen) == 5
    bad = await gql(app.http, SEGMENT, key="gold", first=2, after="garbage!")
    assert bad["errors"][0]["extensions"]["code"] == "INVALID_CURSOR"
    too_many = await gql(app.http, SEGMENT, key="gold", first=51)
    assert too_many["errors"][0]["extensions"]["code"] == "PAGE_SIZE_OUT_OF_RANGE"


CONSENTING_MEMBERS = """
query($key: String!, $first: Int!, $after: String, $purpose: String, $channel: String) {
  segment(key: $key) {
    members(first: $first, after: $after, purpose: $purpose, channel: $channel) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { id } }
    }
  }
}"""


async def consenting_members(app: App, key: str, first: int, **consent: str) -> list[str]:
    """Every member a consent-filtered paging hands out, page after page until hasNextPage is false."""
    seen: list[str] = []
    after = None
    for _ in range(20):
        page = ok(await gql(app.http, CONSENTING_MEMBERS, key=key, first=first, after=after, **consent))
        members = page["segment"]["members"]
        assert len(members["edges"]) <= first
        seen += [e["node"]["id"] for e in members["edges"]]
        if not members["pageInfo"]["hasNextPage"]:
            return seen
        after = members["pageInfo"]["endCursor"]
    raise AssertionError("the pages never ended")


async def test_members_filtered_by_consent_like_an_export(app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    persons = [await upsert(app, "crm", str(n), f"p{n}@example.com", tier="gold") for n in range(7)]
    granted = {persons[n] for n in (1, 4, 6)}
    for n in range(7):
        status = "GRANTED" if persons[n] in granted else "DENIED" if n % 2 else None
        if status:
            ok(await gql(app.http, CONSENT, v=f"p{n}@example.com", status=status))
    await saved(app, "gold", {"trait": "tier", "eq": "gold"})
    assert await consenting_members(app, "gold", 2, purpose="marketing") == sorted(granted)
    assert await consenting_members(app, "gold", 2, purpose=" Marketing ", channel="email") == sorted(granted)
    assert await consenting_members(app, "gold", 2, purpose="marketing", channel="sms") == []
    assert await consenting_members(app, "gold", 2, purpose="analytics") == []
    # A page reads a bounded number of members, so a sparse audience answers short pages that resume.
    monkeypatch.setattr("graphcdp.segments.service.CONSENT_SCAN_PAGE", 1)
    monkeypatch.setattr("graphcdp.segments.service.MAX_SCANNED", 2)
    assert await consenting_members(app, "gold", 3, purpose="marketing") == sorted(granted)
    # Four members read, three at most consenting: the first page comes back short, and says more may follow.
    page = ok(await gql(app.http, CONSENTING_MEMBERS, key="gold", first=4, purpose="marketing"))
    assert page["segment"]["members"]["totalCount"] == 7  # the segment's size, before the consent filter
    assert len(page["segment"]["members"]["edges"]) < 4 and page["segment"]["members"]["pageInfo"]["hasNextPage"]
    refused = await gql(app.http, CONSENTING_MEMBERS, key="gold", first=2, channel="email")
    assert refused["errors"][0]["extensions"]["code"] == "INVALID_CONSENT"


async def test_preview_stores_nothing(app: App) -> None:
    persons = {await upsert(app, "crm", str(n), f"p{n}@example.com", tier="gold") for n in range(3)}
    preview = ok(await gql(app.http, PREVIEW, d={"trait": "tier", "eq": "gold"}, n=2))["previewSegment"]
    assert preview["size"] == 3
    assert len(preview["sample"]) == 2 and {p["id"] for p in preview["sample"]} <= persons
    assert ok(await gql(app.http, SEGMENTS)) == {"segments": []}
    refused = await gql(app.http, PREVIEW, d={"trait": "tier", "gt": []}, n=2)
    assert refused["errors"][0]["extensions"]["code"] == "INVALID_SEGMENT"


async def test_explain_segment(app: App) -> None:
    ada = await upsert(app, "crm", "1", "ada@example.com", address={"region": "CA"})
    await track(app, "ada@example.com", "order", 1, amount=20.0, currency="EUR")
    definition = {"all": [{"trait": "address.region", "eq": "CA"}, {"metric": "orders", "gte": 2}]}
    await saved(app, "ca-buyers", definition)
    explained = ok(await gql(app.http, EXPLAIN, key="ca-buyers", id=ada))["explainSegment"]
    assert explained["member"] is False and explained["personId"] == ada
    by_path = {c["path"]: c for c in explained["conditions"]}
    assert by_path["$"]["held"] is False
    assert by_path["$.all[0]"]["held"] is True and "CA" in (by_path["$.all[0]"]["detail"] or "")
    assert by_path["$.all[1]"]["held"] is False and "1" in (by_path["$.all[1]"]["detail"] or "")
    unknown = await gql(app.http, EXPLAIN, key="nope", id=ada)
    assert unknown["errors"][0]["extensions"]["code"] == "SEGMENT_NOT_FOUND"
    nobody = await gql(app.http, EXPLAIN, key="ca-buyers", id="no-such-person")
    assert nobody["errors"][0]["extensions"]["code"] == "PERSON_NOT_FOUND"


async def test_a_bulk_import_keeps_segments_current(app: App, tmp_path: Path) -> None:
    """`graphcdp import` feeds the same services: its batches move persons in before the import returns."""
    await saved(app, "ca", {"trait": "address.region", "eq": "CA"})
    await saved(app, "buyers", {"metric": "orders", "gte": 1})
    records = tmp_path / "records.jsonl"
    records.write_text(
        "\n".join(
            json.dumps({"source": "crm", "sourceId": str(n), "identifiers": [{"type": "email", "value": f"p{n}@x.com"}],
                        "traits": {"address": {"region": "CA" if n % 2 else "NY"}}})
            for n in range(6)
        ) + "\n",
        encoding="utf-8",
    )  # fmt: skip
    report = await import_file(app.services.identity, records, progress=False, batch_size=4)
    assert report.stored == 6
    assert (await segment_size(app, "ca"), await segment_size(app, "buyers")) == (3, 0)
    touchpoints = tmp_path / "touchpoints.jsonl"
    order = {"type": "order", "occurredAt": now_ms() - DAY, "amount": 10.0, "currency": "EUR"}
    touchpoints.write_text(
        json.dumps({**order, "identifiers": [{"type": "email", "value": "p0@x.com"}]}) + "\n", encoding="utf-8"
    )
    await import_file(app.services.touchpoint_sink, touchpoints, progress=False)
    assert await segment_size(app, "buyers") == 1


async def segment_size(app: App, key: str) -> int:
    size: int = ok(await gql(app.http, "query($k: String!) { segment(key: $k) { size } }", k=key))["segment"]["size"]
    return size
