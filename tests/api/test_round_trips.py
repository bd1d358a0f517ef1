"""No N+1: a profile with its journey, metrics and consents costs a fixed number of database round trips,
however long the journey, and nested fields of several persons are batched (per-request DataLoaders).

The store is the real embedded one; the wrapper only counts the statements that reach it."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from graphcdp.settings import load_settings
from graphcdp.store.falkordb import FalkorDBStore
from tests.api.graphql_client import asgi_client, gql
from tests.api.test_profiles_http import DAY, SET_CONSENT, T0, TRACK, UPSERT, tp
from tests.counting_store import CountingStore

PROFILE_WITH_JOURNEY = """
query($value: String!) {
  profile(identifier: {type: "email", value: $value}) {
    id traits identifiers { key }
    journey(first: 10) { totalCount edges { node { id type occurredAt via } } }
    metrics { orders revenue engagementScore }
    consents { purpose status }
  }
}"""
THREE_PROFILES = """
query {
  a: profile(identifier: {type: "email", value: "p0@example.com"}) { ...full }
  b: profile(identifier: {type: "email", value: "p1@example.com"}) { ...full }
  c: profile(identifier: {type: "email", value: "p2@example.com"}) { ...full }
}
fragment full on Person {
  id journey(first: 5) { edges { node { id } } } metrics { orders } consents { status }
}"""


@pytest.fixture
async def counted(falkordb_store: FalkorDBStore) -> AsyncIterator[tuple[httpx.AsyncClient, CountingStore]]:
    counting = CountingStore(falkordb_store)
    async with asgi_client(counting, load_settings()) as http:  # type: ignore[arg-type] - counts, then delegates
        yield http, counting


async def _person_with_journey(client: httpx.AsyncClient, email: str, touchpoints: int) -> None:
    record = {"source": "crm", "sourceId": email, "observedAt": T0, "identifiers": [{"type": "email", "value": email}]}
    await gql(client, UPSERT, records=[record])
    events = [
        tp("order" if n % 3 == 0 else "page_view", T0 + n * DAY, ("email", email), id=f"{email}-{n}", amount=5.0)
        for n in range(touchpoints)
    ]
    for start in range(0, len(events), 500):
        body = await gql(client, TRACK, touchpoints=events[start : start + 500])
        assert body["data"]["trackTouchpoints"]["errors"] == []


async def _round_trips(client: httpx.AsyncClient, store: CountingStore, query: str, **variables: Any) -> Counter[str]:
    store.calls.clear()
    body = await gql(client, query, **variables)
    assert "errors" not in body, body
    return Counter(store.calls)


async def test_profile_with_journey_round_trips_do_not_grow_with_the_journey(
    counted: tuple[httpx.AsyncClient, CountingStore],
) -> None:
    client, store = counted
    await _person_with_journey(client, "short@example.com", 3)
    await _person_with_journey(client, "long@example.com", 600)
    short = await _round_trips(client, store, PROFILE_WITH_JOURNEY, value="short@example.com")
    long = await _round_trips(client, store, PROFILE_WITH_JOURNEY, value="long@example.com")
    assert short == long
    assert sum(long.values()) == 4  # the person, her journey page, her metrics, her consents
    body = await gql(client, PROFILE_WITH_JOURNEY, value="long@example.com")
    assert body["data"]["profile"]["journey"]["totalCount"] == 600
    assert body["data"]["profile"]["metrics"]["orders"] == 200


async def test_nested_fields_of_several_persons_are_batched(counted: tuple[httpx.AsyncClient, CountingStore]) -> None:
    client, store = counted
    for n in range(3):
        await _person_with_journey(client, f"p{n}@example.com", 4 + n)
    calls = await _round_trips(client, store, THREE_PROFILES)
    # The three profiles in one lookup; their journeys, metrics and consents each in one batched statement.
    assert calls == Counter(
        {"identity/person_by_identifier": 1, "profiles/journey": 1, "profiles/activity": 1, "privacy/consents": 1}
    )


SEGMENTS_OF_THREE = """
query {
  a: profile(identifier: {type: "email", value: "p0@example.com"}) { ...member }
  b: profile(identifier: {type: "email", value: "p1@example.com"}) { ...member }
  c: profile(identifier: {type: "email", value: "p2@example.com"}) { ...member }
}
fragment member on Person { id segments { since segment { key name size } } }"""

SAVE_SEGMENT = "mutation($k: String!, $d: JSON!) { saveSegment(key: $k, definition: $d) { errors { message } } }"


async def test_the_segments_of_several_persons_are_batched(counted: tuple[httpx.AsyncClient, CountingStore]) -> None:
    client, store = counted
    for n in range(3):
        await _person_with_journey(client, f"p{n}@example.com", 1 + 3 * n)
    for key, orders in (("buyer", 1), ("repeat", 2), ("loyal", 3)):
        body = await gql(client, SAVE_SEGMENT, k=key, d={"metric": "orders", "gte": orders})
        assert body["data"]["saveSegment"]["errors"] == []
    calls = await _round_trips(client, store, SEGMENTS_OF_THREE)
    # Memberships of the three in one statement, the segments they name in one, their sizes in one.
    assert calls == Counter(
        {
            "identity/person_by_identifier": 1,
            "segments/memberships": 1,
            "segments/segments_by_key": 1,
            "segments/segment_sizes": 1,
        }
    )
    body = await gql(client, SEGMENTS_OF_THREE)
    assert [[m["segment"]["key"] for m in body["data"][k]["segments"]] for k in "abc"] == [
        ["buyer"],
        ["buyer", "repeat"],
        ["buyer", "loyal", "repeat"],
    ]


CHATBOT_CONTEXT = """
query($value: String!) {
  context(identifier: {type: "email", value: $value}, touchpoints: 4) {
    personId traits summary identifiers { key } segments
    consents { purpose channel status }
    metrics { orders revenue netRevenue lastSeenAt engagementScore }
    recentTouchpoints { id type occurredAt amount }
    person {
      id journey(first: 4) { totalCount edges { node { id via } } } metrics { orders } consents { status }
      segments { since }
    }
  }
}"""
# The same parts read one by one through `profile`: what the context must equal.
PARTS = """
query($value: String!) {
  profile(identifier: {type: "email", value: $value}) {
    id traits identifiers { key }
    consents { purpose channel status }
    metrics { orders revenue netRevenue lastSeenAt engagementScore }
    journey(first: 4) { totalCount edges { node { id type occurredAt amount via } } }
    segments { since segment { key } }
  }
}"""


async def test_a_chatbot_context_is_one_statement_and_equals_its_parts(
    counted: tuple[httpx.AsyncClient, CountingStore],
) -> None:
    client, store = counted
    await _person_with_journey(client, "bot@example.com", 9)
    consent = {"type": "email", "value": "bot@example.com", "purpose": "marketing", "channel": "email"}
    given = await gql(client, SET_CONSENT, **consent, status="GRANTED", at=T0)
    assert "errors" not in given, given
    for key, orders in (("buyer", 1), ("repeat", 2), ("whale", 50)):
        body = await gql(client, SAVE_SEGMENT, k=key, d={"metric": "orders", "gte": orders})
        assert body["data"]["saveSegment"]["errors"] == []

    calls = await _round_trips(client, store, CHATBOT_CONTEXT, value="bot@example.com")
    assert calls == Counter({"profiles/customer_context": 1})  # person, metrics, consents, journey, segments

    context = (await gql(client, CHATBOT_CONTEXT, value="bot@example.com"))["data"]["context"]
    parts = (await gql(client, PARTS, value="bot@example.com"))["data"]["profile"]
    assert context["personId"] == parts["id"] == context["person"]["id"]
    assert (context["traits"], context["identifiers"]) == (parts["traits"], parts["identifiers"])
    assert (
        context["consents"] == parts["consents"] == [{"purpose": "marketing", "channel": "email", "status": "GRANTED"}]
    )
    assert context["metrics"] == parts["metrics"]
    assert context["metrics"]["orders"] == 3
    journey = parts["journey"]
    assert context["person"]["journey"] == {
        "totalCount": 9,
        "edges": [{"node": {"id": e["node"]["id"], "via": e["node"]["via"]}} for e in journey["edges"]],
    }
    assert context["recentTouchpoints"] == [
        {key: e["node"][key] for key in ("id", "type", "occurredAt", "amount")} for e in journey["edges"]
    ]
    assert [t["id"] for t in context["recentTouchpoints"]] == [f"bot@example.com-{n}" for n in (8, 7, 6, 5)]
    assert context["segments"] == [m["segment"]["key"] for m in parts["segments"]] == ["buyer", "repeat"]
    assert context["person"]["segments"] == [{"since": m["since"]} for m in parts["segments"]]


async def test_a_context_asking_who_only_reads_the_person_alone(
    counted: tuple[httpx.AsyncClient, CountingStore],
) -> None:
    client, store = counted
    await _person_with_journey(client, "who@example.com", 2)
    query = 'query { context(identifier: {type: "email", value: "who@example.com"}) { personId identifiers { key } } }'
    assert await _round_trips(client, store, query) == Counter({"identity/person_by_identifier": 1})
    unknown = 'query { context(identifier: {type: "email", value: "nobody@example.com"}) { personId summary } }'
    assert await _round_trips(client, store, unknown) == Counter({"profiles/customer_activity": 1})
    assert (await gql(client, unknown))["data"]["context"] is None


# The chatbot's context without `person`: read without her history and records.
CHATBOT_ACTIVITY = CHATBOT_CONTEXT.replace(
    """    person {
      id journey(first: 4) { totalCount edges { node { id via } } } metrics { orders } consents { status }
      segments { since }
    }
""",
    "",
)


async def test_a_context_without_person_reads_no_history_and_answers_the_same(
    counted: tuple[httpx.AsyncClient, CountingStore],
) -> None:
    client, store = counted
    await _person_with_journey(client, "lean@example.com", 6)
    saved = await gql(client, SAVE_SEGMENT, k="buyer", d={"metric": "orders", "gte": 1})
    assert saved["data"]["saveSegment"]["errors"] == []
    assert CHATBOT_ACTIVITY != CHATBOT_CONTEXT

    calls = await _round_trips(client, store, CHATBOT_ACTIVITY, value="lean@example.com")
    assert calls == Counter({"profiles/customer_activity": 1})
    lean = (await gql(client, CHATBOT_ACTIVITY, value="lean@example.com"))["data"]["context"]
    whole = (await gql(client, CHATBOT_CONTEXT, value="lean@example.com"))["data"]["context"]
    assert lean == {field: value for field, value in whole.items() if field != "person"}
    assert lean["segments"] == ["buyer"] and len(lean["recentTouchpoints"]) == 4
