"""Touchpoints, journeys, metrics, consent and the chatbot context over GraphQL, on the real embedded database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from graphcdp.settings import load_settings
from graphcdp.store.falkordb import FalkorDBStore
from tests.api.graphql_client import asgi_client, gql

DAY = 86_400_000
T0 = 1_700_000_000_000  # 2023-11-14

TRACK = """
mutation($touchpoints: [TouchpointInput!]!) {
  trackTouchpoints(touchpoints: $touchpoints) {
    results { index id personId action }
    errors { index code message }
    personsCreated personsMerged
  }
}"""
UPSERT = """
mutation($records: [RecordInput!]!) {
  upsertRecords(records: $records) { results { personId action } errors { index code message } personsMerged }
}"""
JOURNEY = """
query($type: String!, $value: String!, $first: Int!, $after: String, $types: [String!], $channels: [String!],
      $from: DateTime, $to: DateTime) {
  profile(identifier: {type: $type, value: $value}) {
    id
    journey(first: $first, after: $after, types: $types, channels: $channels, from: $from, to: $to) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor node { id type channel occurredAt via amount properties } }
    }
  }
}"""
CONTEXT = """
query($type: String!, $value: String!, $n: Int) {
  context(identifier: {type: $type, value: $value}, touchpoints: $n) {
    identifier personId traits summary
    identifiers { key }
    consents { purpose channel status }
    metrics { orders revenue returns netRevenue averageOrderValue lastOrderAt daysSinceLastActivity engagementScore }
    recentTouchpoints { id type occurredAt }
  }
}"""


@pytest.fixture
async def client(falkordb_store: FalkorDBStore) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(falkordb_store, load_settings(max_page_size=50)) as http:
        yield http


def tp(type_: str, at: int, *ids: tuple[str, str], **extra: Any) -> dict[str, Any]:
    return {"type": type_, "occurredAt": at, "identifiers": [{"type": t, "value": v} for t, v in ids], **extra}


async def test_anonymous_cookie_journey_joins_the_known_profile_after_login(client: httpx.AsyncClient) -> None:
    known = await gql(
        client,
        UPSERT,
        records=[
            {
                "source": "crm",
                "sourceId": "1",
                "observedAt": T0,
                "identifiers": [{"type": "email", "value": "ada@example.com"}],
                "traits": {"firstName": "Ada"},
            }
        ],
    )
    ada = known["data"]["upsertRecords"]["results"][0]["personId"]
    anonymous = await gql(
        client,
        TRACK,
        touchpoints=[
            tp("page_view", T0 + 1 * DAY, ("cookie_id", "ck-1"), channel="web", id="pv1"),
            tp("search", T0 + 2 * DAY, ("cookie_id", "ck-1"), channel="web", id="s1", properties={"q": "boots"}),
        ],
    )
    payload = anonymous["data"]["trackTouchpoints"]
    assert payload["errors"] == []
    cookie_person = payload["results"][0]["personId"]
    assert cookie_person and cookie_person != ada
    assert payload["personsCreated"] == [cookie_person]
    assert [r["action"] for r in payload["results"]] == ["CREATED", "CREATED"]

    before = await gql(client, JOURNEY, type="cookie_id", value="ck-1", first=10)
    assert before["data"]["profile"]["id"] == cookie_person
    assert [e["node"]["id"] for e in before["data"]["profile"]["journey"]["edges"]] == ["s1", "pv1"]

    login = await gql(
        client,
        TRACK,
        touchpoints=[tp("login", T0 + 3 * DAY, ("cookie_id", "ck-1"), ("email", "ADA@example.com"), id="l1")],
    )
    merged = login["data"]["trackTouchpoints"]
    assert merged["results"][0]["personId"] == ada  # the CRM person is older: she keeps her id
    assert merged["personsMerged"] == [cookie_person]

    after = await gql(client, JOURNEY, type="email", value="ada@example.com", first=10)
    journey = after["data"]["profile"]["journey"]
    assert after["data"]["profile"]["id"] == ada
    assert [e["node"]["id"] for e in journey["edges"]] == ["l1", "s1", "pv1"]
    assert journey["edges"][0]["node"]["via"] == ["cookie_id:ck-1", "email:ada@example.com"]
    assert journey["edges"][2]["node"]["via"] == ["cookie_id:ck-1"]
    assert journey["edges"][1]["node"]["properties"] == {"q": "boots"}
    # The retired anonymous id still answers, with the merged journey.
    again = await gql(
        client,
        TRACK,
        touchpoints=[tp("login", T0 + 3 * DAY, ("cookie_id", "ck-1"), ("email", "ADA@example.com"), id="l1")],
    )
    assert again["data"]["trackTouchpoints"]["results"][0]["action"] == "UNCHANGED"


async def _three_identifier_person(client: httpx.AsyncClient) -> str:
    """One person with an email, a phone and a cookie (linked by a CRM record), and 12 touchpoints across them."""
    body = await gql(
        client,
        UPSERT,
        records=[
            {
                "source": "crm",
                "sourceId": "7",
                "observedAt": T0,
                "identifiers": [
                    {"type": "email", "value": "bo@example.com"},
                    {"type": "phone", "value": "+14155552671"},
                ],
            },
            {
                "source": "web",
                "sourceId": "w7",
                "observedAt": T0,
                "identifiers": [{"type": "email", "value": "bo@example.com"}, {"type": "cookie_id", "value": "ck-bo"}],
            },
        ],
    )
    person: str = body["data"]["upsertRecords"]["results"][0]["personId"]
    through = [("email", "bo@example.com", "email"), ("phone", "+1 415 555 2671", "sms"), ("cookie_id", "ck-bo", "web")]
    touchpoints = []
    for n in range(12):
        type_, value, channel = through[n % 3]
        kind = "order" if n % 4 == 0 else "email_open" if channel == "email" else "page_view"
        touchpoints.append(
            tp(
                kind,
                T0 + n * DAY,
                (type_, value),
                channel=channel,
                id=f"t{n:02d}",
                amount=10.0 if kind == "order" else None,
            )
        )
    tracked = await gql(client, TRACK, touchpoints=touchpoints)
    assert tracked["data"]["trackTouchpoints"]["errors"] == []
    assert {r["personId"] for r in tracked["data"]["trackTouchpoints"]["results"]} == {person}
    return person


async def test_journey_pages_newest_first_across_three_identifiers(client: httpx.AsyncClient) -> None:
    await _three_identifier_person(client)
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        body = await gql(client, JOURNEY, type="phone", value="(415) 555-2671", first=5, after=after)
        journey = body["data"]["profile"]["journey"]
        assert journey["totalCount"] == 12
        seen += [e["node"]["id"] for e in journey["edges"]]
        pages += 1
        if not journey["pageInfo"]["hasNextPage"]:
            break
        after = journey["pageInfo"]["endCursor"]
        assert after == journey["edges"][-1]["cursor"]
    assert pages == 3
    assert seen == [f"t{n:02d}" for n in reversed(range(12))]


async def test_journey_filters_by_type_channel_and_time(client: httpx.AsyncClient) -> None:
    await _three_identifier_person(client)

    async def ids(**filters: Any) -> list[str]:
        body = await gql(client, JOURNEY, type="cookie_id", value="ck-bo", first=50, **filters)
        assert "errors" not in body, body
        return [e["node"]["id"] for e in body["data"]["profile"]["journey"]["edges"]]

    assert await ids(types=["order"]) == ["t08", "t04", "t00"]
    assert await ids(channels=["sms"]) == ["t10", "t07", "t04", "t01"]
    assert await ids(types=["order"], channels=["sms"]) == ["t04"]
    assert await ids(**{"from": T0 + 3 * DAY, "to": "2023-11-20T22:13:20Z"}) == ["t06", "t05", "t04", "t03"]
    assert await ids(types=["survey_response"]) == []


async def test_journey_limits_and_bad_arguments_are_clear_errors(client: httpx.AsyncClient) -> None:
    await _three_identifier_person(client)
    too_many = await gql(client, JOURNEY, type="email", value="bo@example.com", first=51)
    assert too_many["errors"][0]["extensions"]["code"] == "PAGE_SIZE_OUT_OF_RANGE"
    assert "first: must be between 1 and 50" in too_many["errors"][0]["message"]
    bad_cursor = await gql(client, JOURNEY, type="email", value="bo@example.com", first=5, after="nonsense")
    assert bad_cursor["errors"][0]["extensions"]["code"] == "INVALID_CURSOR"
    bad_time = await gql(client, JOURNEY, type="email", value="bo@example.com", first=5, **{"from": "yesterday"})
    assert "from" in bad_time["errors"][0]["message"] and bad_time["errors"][0]["extensions"]["code"] == "INVALID_DATE"
    unknown = await gql(client, JOURNEY, type="email", value="nobody@example.com", first=5)
    assert unknown == {"data": {"profile": None}}
    malformed = await gql(client, JOURNEY, type="email", value="not-an-email", first=5)
    assert malformed["errors"][0]["message"].startswith("identifier:")
    assert malformed["errors"][0]["extensions"]["code"] == "INVALID_EMAIL"


async def test_bad_touchpoints_are_item_errors_and_the_rest_is_stored(client: httpx.AsyncClient) -> None:
    body = await gql(
        client,
        TRACK,
        touchpoints=[
            tp("page_view", T0, ("cookie_id", "ck-9"), id="ok1"),
            tp("page_view", T0, id="no-ids"),
            tp("page_view", "last tuesday", ("cookie_id", "ck-9"), id="bad-time"),
            tp("order", T0, ("cookie_id", "ck-9"), id="bad-money", amount=12.5, currency="euros"),
            tp("page_view", T0, ("email", "nope@"), id="bad-email"),
            tp("order", T0 + 1, ("cookie_id", "ck-9"), amount=12.5, currency="eur"),
        ],
    )
    payload = body["data"]["trackTouchpoints"]
    assert {e["index"]: e["code"] for e in payload["errors"]} == {
        1: "MISSING_IDENTIFIERS",
        2: "INVALID_DATE",
        3: "INVALID_CURRENCY",
        4: "INVALID_EMAIL",
    }
    assert "occurredAt" in payload["errors"][1]["message"]
    assert [r["index"] for r in payload["results"]] == [0, 5]
    assert payload["results"][1]["id"].startswith("h:")  # no id sent: a content hash
    replay = await gql(
        client, TRACK, touchpoints=[tp("order", T0 + 1, ("cookie_id", "ck-9"), amount=12.5, currency="EUR")]
    )
    assert replay["data"]["trackTouchpoints"]["results"][0]["action"] == "UNCHANGED"
    journey = await gql(client, JOURNEY, type="cookie_id", value="ck-9", first=10)
    assert journey["data"]["profile"]["journey"]["totalCount"] == 2


SET_CONSENT = """
mutation($type: String!, $value: String!, $purpose: String!, $channel: String!, $status: ConsentStatus!,
         $at: DateTime) {
  setConsent(identifier: {type: $type, value: $value}, purpose: $purpose, channel: $channel, status: $status, at: $at) {
    personId consent { status at identifier } effective { status at }
  }
}"""
CONSENTS = """
query($type: String!, $value: String!) {
  profile(identifier: {type: $type, value: $value}) {
    id consents { purpose channel status identifier } consentHistory { status at }
  }
}"""
DETACH = "mutation($s: String!, $id: String!) { detachRecord(source: $s, sourceId: $id) { personIds } }"


async def consents_of(client: httpx.AsyncClient, type_: str, value: str) -> dict[tuple[str, str], str]:
    body = await gql(client, CONSENTS, type=type_, value=value)
    return {(c["purpose"], c["channel"]): c["status"] for c in body["data"]["profile"]["consents"]}


async def test_consent_follows_its_identifier_through_a_merge_and_a_split(client: httpx.AsyncClient) -> None:
    # Consent given through a newsletter email nobody knew yet: an anonymous person holds it.
    given = await gql(
        client,
        SET_CONSENT,
        type="email",
        value="Cy@Example.com",
        purpose="marketing",
        channel="email",
        status="GRANTED",
        at=T0,
    )
    assert given["data"]["setConsent"]["consent"] == {
        "status": "GRANTED",
        "at": "2023-11-14T22:13:20.000Z",
        "identifier": "email:cy@example.com",
    }
    crm = await gql(
        client,
        UPSERT,
        records=[
            {
                "source": "crm",
                "sourceId": "c1",
                "observedAt": T0 - DAY,
                "identifiers": [{"type": "phone", "value": "+14155550001"}],
            }
        ],
    )
    phone_person = crm["data"]["upsertRecords"]["results"][0]["personId"]
    assert await consents_of(client, "phone", "+14155550001") == {}

    # A record links phone and email: the merged person has the consent.
    link = await gql(
        client,
        UPSERT,
        records=[
            {
                "source": "shop",
                "sourceId": "s1",
                "observedAt": T0 + DAY,
                "identifiers": [
                    {"type": "phone", "value": "+14155550001"},
                    {"type": "email", "value": "cy@example.com"},
                ],
            }
        ],
    )
    # The anonymous person was created first, so hers is the id that survives.
    assert link["data"]["upsertRecords"]["results"][0]["personId"] == given["data"]["setConsent"]["personId"]
    assert link["data"]["upsertRecords"]["personsMerged"] == [phone_person]
    assert await consents_of(client, "phone", "+14155550001") == {("marketing", "email"): "GRANTED"}

    # A later DENIED wins; the history keeps both, oldest first.
    await gql(
        client,
        SET_CONSENT,
        type="email",
        value="cy@example.com",
        purpose="marketing",
        channel="email",
        status="DENIED",
        at=T0 + 2 * DAY,
    )
    # An older statement sent late does not override the newer one.
    late = await gql(
        client,
        SET_CONSENT,
        type="email",
        value="cy@example.com",
        purpose="marketing",
        channel="email",
        status="GRANTED",
        at=T0 + DAY,
    )
    assert late["data"]["setConsent"]["effective"]["status"] == "DENIED"
    body = await gql(client, CONSENTS, type="phone", value="+14155550001")
    assert [c["status"] for c in body["data"]["profile"]["consentHistory"]] == ["GRANTED", "GRANTED", "DENIED"]
    assert await consents_of(client, "phone", "+14155550001") == {("marketing", "email"): "DENIED"}

    # Split: the linking record leaves; the consent stays with the email's person, not the phone's.
    await gql(client, DETACH, s="shop", id="s1")
    assert await consents_of(client, "phone", "+14155550001") == {}
    assert await consents_of(client, "email", "cy@example.com") == {("marketing", "email"): "DENIED"}


async def test_consent_errors_name_the_field(client: httpx.AsyncClient) -> None:
    bad = await gql(
        client, SET_CONSENT, type="email", value="nope@", purpose="marketing", channel="email", status="GRANTED"
    )
    assert bad["errors"][0]["message"].startswith("identifier:")
    empty = await gql(client, SET_CONSENT, type="email", value="a@b.co", purpose=" ", channel="email", status="GRANTED")
    assert empty["errors"][0]["extensions"]["code"] == "INVALID_CONSENT" and "purpose" in empty["errors"][0]["message"]
    blocked = await gql(
        client, SET_CONSENT, type="email", value="test@test.com", purpose="m", channel="email", status="GRANTED"
    )
    assert "placeholder" in blocked["errors"][0]["message"]


async def test_context_answers_everything_a_chatbot_needs_by_any_identifier(client: httpx.AsyncClient) -> None:
    await gql(
        client,
        UPSERT,
        records=[
            {
                "source": "crm",
                "sourceId": "d1",
                "observedAt": T0,
                "identifiers": [{"type": "email", "value": "di@example.com"}, {"type": "loyalty_id", "value": "L-42"}],
                "traits": {"firstName": "Di", "lastName": "Prince"},
            }
        ],
    )
    await gql(
        client,
        TRACK,
        touchpoints=[
            tp("order", T0 + DAY, ("loyalty_id", "L-42"), id="o1", amount=100.0, currency="EUR", channel="store"),
            tp("order", T0 + 2 * DAY, ("email", "di@example.com"), id="o2", amount=50.0, currency="EUR", channel="web"),
            tp("return", T0 + 3 * DAY, ("loyalty_id", "L-42"), id="r1", amount=50.0, currency="EUR", channel="store"),
            tp("page_view", T0 + 4 * DAY, ("email", "di@example.com"), id="p1", channel="web"),
        ],
    )
    await gql(
        client, SET_CONSENT, type="loyalty_id", value="L-42", purpose="marketing", channel="sms", status="GRANTED"
    )
    body = await gql(client, CONTEXT, type="loyalty_id", value=" L-42 ", n=2)
    context = body["data"]["context"]
    assert context["identifier"] == "loyalty_id:L-42"
    assert context["traits"] == {"firstName": "Di", "lastName": "Prince"}
    assert {i["key"] for i in context["identifiers"]} == {"email:di@example.com", "loyalty_id:L-42"}
    assert context["consents"] == [{"purpose": "marketing", "channel": "sms", "status": "GRANTED"}]
    metrics = context["metrics"]
    assert (metrics["orders"], metrics["revenue"], metrics["returns"], metrics["netRevenue"]) == (2, 150.0, 1, 100.0)
    assert metrics["averageOrderValue"] == 75.0
    assert metrics["lastOrderAt"] == "2023-11-16T22:13:20.000Z"
    assert [t["id"] for t in context["recentTouchpoints"]] == ["p1", "r1"]
    assert context["summary"].startswith("Di Prince; 2 orders, 100.00 net revenue; last active")
    assert context["summary"].endswith("consent: marketing/sms")
    assert (await gql(client, CONTEXT, type="email", value="who@example.com")) == {"data": {"context": None}}


async def test_queries_nested_too_deep_are_refused_before_they_run(client: httpx.AsyncClient) -> None:
    nested = "id " + "records { person { " * 6 + "id" + " } }" * 6
    body = await gql(client, 'query { person(id: "x") { ' + nested + " } }")
    assert "exceeds maximum operation depth of 12" in body["errors"][0]["message"]
    assert "data" not in body or body["data"] is None


async def test_an_oversized_touchpoint_batch_is_refused_whole(falkordb_store: FalkorDBStore) -> None:
    async with asgi_client(falkordb_store, load_settings(max_batch_size=2)) as small:
        body = await gql(small, TRACK, touchpoints=[tp("page_view", T0 + n, ("cookie_id", "ck-x")) for n in range(3)])
        assert body["errors"][0]["extensions"]["code"] == "BATCH_TOO_LARGE"
        assert "3 touchpoints in one trackTouchpoints call; the limit is 2" in body["errors"][0]["message"]
        journey = await gql(small, JOURNEY, type="cookie_id", value="ck-x", first=5)
        assert journey == {"data": {"profile": None}}
