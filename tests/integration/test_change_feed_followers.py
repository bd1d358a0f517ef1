"""The subscriptions' resolvers on the real embedded database, through the schema (the websocket transport is
tests/api/test_subscriptions_serve.py): another write statement emits changes with the fragment and
segmentMembership receives them; personChanged ends after ERASED."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from graphcdp.api.context import Context
from graphcdp.api.loaders import make_loaders
from graphcdp.api.schema import schema
from graphcdp.api.subscription_slots import SubscriptionSlots
from graphcdp.auth.keys import Principal
from graphcdp.auth.scopes import ALL_SCOPES
from graphcdp.clock import now_ms
from graphcdp.identity.input import parse_record_item
from graphcdp.identity.service import UPSERT_RECORDS, record_param
from graphcdp.model.feed import ChangeKind, change_for_statement
from graphcdp.model.identity import ItemError
from graphcdp.settings import load_settings
from graphcdp.store.cypher import DEFAULT_ROOT, Query, StatementName
from graphcdp.store.falkordb import FalkorDBStore
from graphcdp.wiring import Services, services_on
from tests.conftest import TEST_CYPHER
from tests.identity_helpers import rec

ENTER_SEGMENT = Query(StatementName("test/enter_segment"), dict)


@pytest.fixture
async def services(falkordb_store: FalkorDBStore) -> AsyncIterator[Services]:
    async with services_on(falkordb_store, load_settings(erasure_compaction=0)) as opened:
        yield opened


async def subscribe(
    services: Services, document: str, slots: SubscriptionSlots | None = None, **variables: Any
) -> AsyncIterator[Any]:
    context = Context(
        request=None,  # no transport: the resolvers only
        response=None,
        services=services,
        loaders=make_loaders(services.identity, services.profiles, services.segments),
        principal=Principal("test", ALL_SCOPES),
        subscriptions=slots or SubscriptionSlots(32),
    )
    stream = await schema.subscribe(document, variable_values=variables, context_value=context)
    assert not hasattr(stream, "errors") or stream.errors is None, stream
    try:
        async for result in stream:
            assert result.errors is None, result.errors
            yield next(iter(result.data.values()))
    finally:  # as the websocket transport does when a client completes: the resolver's generator ends
        await stream.aclose()


async def enter(services: Services, segment: str, *persons: str) -> int:
    change = change_for_statement(ChangeKind.SEGMENT_ENTERED, {"segment": segment})
    params = {"ids": list(persons), "segment": segment, "now": now_ms(), "change": change}
    rows = await services.store.run(ENTER_SEGMENT, params)
    return int(rows[0]["entered"]) if rows else 0


async def test_another_statement_emits_with_the_fragment_and_segment_membership_sees_it(services: Services) -> None:
    fragment = (DEFAULT_ROOT / "feed" / "emit.fragment").read_text(encoding="utf-8")
    assert fragment in (TEST_CYPHER / "test" / "enter_segment.cypher").read_text(encoding="utf-8")
    out = await services.identity.upsert_records(
        [rec("crm", "1", 1000, ("email", "ada@example.com")), rec("crm", "2", 1000, ("email", "bob@example.com"))]
    )
    ada, bob = (r.person_id for r in out.results)
    start = (await services.changes.page(None, 100)).last

    assert await enter(services, "vip", ada) == 1
    assert await enter(services, "other", bob) == 1
    assert await enter(services, "vip", ada, bob) == 1  # Ada is in already: only Bob enters, only he is told

    document = """subscription($after: String) {
      segmentMembership(key: "vip", after: $after) { sequence kind personId data } }"""
    stream = subscribe(services, document, after=str(start))
    seen = [await anext(stream), await anext(stream)]
    await stream.aclose()
    assert [(c["kind"], c["personId"], c["data"]) for c in seen] == [
        ("SEGMENT_ENTERED", ada, {"segment": "vip"}),
        ("SEGMENT_ENTERED", bob, {"segment": "vip"}),
    ]
    page = await services.changes.page(start, 100, [ChangeKind.SEGMENT_ENTERED])
    assert [(c.person_id, c.data["segment"]) for c in page.changes] == [(ada, "vip"), (bob, "other"), (bob, "vip")]


async def test_person_changed_ends_with_her_erasure(services: Services) -> None:
    out = await services.identity.upsert_records([rec("crm", "1", 1000, ("email", "ada@example.com"), firstName="Ada")])
    ada = out.results[0].person_id
    start = (await services.changes.page(None, 100)).last
    await services.identity.upsert_records([rec("crm", "1", 2000, ("email", "ada@example.com"), firstName="Augusta")])
    await services.privacy.forget_person(ada)

    document = """subscription($id: ID!, $after: String) { personChanged(id: $id, after: $after) { kind personId } }"""
    seen = [change async for change in subscribe(services, document, id=ada, after=str(start))]
    # Her TRAITS_CHANGED left the feed with her erasure; the stream ends after ERASED instead of waiting.
    assert seen == [{"kind": "ERASED", "personId": ada}]


async def test_a_key_holds_a_bounded_number_of_subscriptions_open(services: Services) -> None:
    start = (await services.changes.page(None, 100)).last
    await services.identity.upsert_records([rec("crm", "1", 1000, ("email", "ada@example.com"))])
    document = "subscription($after: String) { changes(after: $after) { sequence kind } }"
    slots = SubscriptionSlots(2)
    held = [subscribe(services, document, slots, after=str(start)) for _ in range(2)]
    for stream in held:
        assert (await anext(stream))["kind"] == "CREATED"  # running: each holds a slot of the key
    assert slots.open("test") == 2

    with pytest.raises(AssertionError, match="GRAPHCDP_MAX_SUBSCRIPTIONS_PER_KEY"):
        await anext(subscribe(services, document, slots, after=str(start)))
    assert slots.open("test") == 2

    await held[0].aclose()  # a completed subscription gives its slot back
    assert slots.open("test") == 1
    again = subscribe(services, document, slots, after=str(start))
    assert (await anext(again))["kind"] == "CREATED"
    await again.aclose()
    await held[1].aclose()
    assert slots.open("test") == 0


async def test_the_followers_wake_when_a_write_appends_to_the_feed_not_before(services: Services) -> None:
    # An upsert writes its record, its match keys and links, then commits its resolution with its events: only
    # the commit wakes a waiting subscription (and the webhook dispatcher, which reads the destinations).
    store, identity = services.store, services.identity
    parsed = parse_record_item(0, {"source": "crm", "sourceId": "1", "traits": {"firstName": "Bo"}}, identity.policy)
    assert not isinstance(parsed, ItemError)
    token = store.writes.token()
    await store.run(UPSERT_RECORDS, {"now": now_ms(), "records": [record_param(parsed)], "firstHop": False})
    assert not token.is_set()
    token = store.writes.token()
    outcome = await identity.upsert_records([rec("crm", "2", 1000, ("email", "ada@example.com"), firstName="Ada")])
    assert outcome.errors == [] and token.is_set()
    assert [c.kind for c in (await services.changes.page(None, 10)).changes][-1:] == [ChangeKind.CREATED]
