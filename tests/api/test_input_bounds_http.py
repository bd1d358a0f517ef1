"""Bounds on what goes in (issue 17, findings 2, 3, 7 and 8), over GraphQL on the real embedded database: a value
out of bounds is its own item's error, the rest of the batch is stored, the database stays up, and a stored
value out of bounds never breaks a read."""

from __future__ import annotations

import json
import math
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from graphcdp.settings import load_settings
from graphcdp.store.cypher import Query, StatementName
from graphcdp.store.embedded import EmbeddedFalkorDB
from graphcdp.store.falkordb import FalkorDBStore
from tests.api.graphql_client import asgi_client, gql
from tests.conftest import _falkordb_store

T0 = 1_700_000_000_000  # 2023-11-14
SET_TOUCHPOINT = Query(StatementName("test/set_touchpoint"), dict)
SET_RECORD_OBSERVED = Query(StatementName("test/set_record_observed"), dict)
PERSON_STATES = Query(StatementName("test/person_states"), dict)
RECORD_CLUSTERS = Query(StatementName("test/record_clusters"), dict)

UPSERT = """
mutation($records: [RecordInput!]!) {
  upsertRecords(records: $records) { results { index personId action } errors { index code message } }
}"""
TRACK = """
mutation($touchpoints: [TouchpointInput!]!) {
  trackTouchpoints(touchpoints: $touchpoints) { results { index id personId } errors { index code message } }
}"""
PROFILE = """
query($type: String!, $value: String!) {
  profile(identifier: {type: $type, value: $value}) {
    id traits
    records { source sourceId observedAt }
    metrics { orders revenue netRevenue averageOrderValue firstSeenAt lastSeenAt lastOrderAt monetaryScore }
    journey(first: 10) { edges { node { id occurredAt amount } } }
  }
}"""


def record(source_id: str, email: str, **extra: Any) -> dict[str, Any]:
    return {
        "source": "crm",
        "sourceId": source_id,
        "observedAt": T0,
        "identifiers": [{"type": "email", "value": email}],
        "traits": {"firstName": "Ada", "lastName": "Lovelace", "birthDate": "1815-12-10"},
        **extra,
    }


def touchpoint(id_: str, cookie: str, **extra: Any) -> dict[str, Any]:
    return {"id": id_, "type": "order", "occurredAt": T0, "identifiers": [{"type": "cookie_id", "value": cookie}]} | (
        extra
    )


@pytest.fixture
async def client(falkordb_store: FalkorDBStore) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(falkordb_store, load_settings()) as http:
        yield http


async def send(client: httpx.AsyncClient, document: str, **variables: Any) -> dict[str, Any]:
    """A GraphQL call written by Python's JSON encoder, as the probe sent it: NaN and Infinity as bare tokens,
    a lone surrogate as its escape (httpx refuses both)."""
    content = json.dumps({"query": document, "variables": variables})
    response = await client.post("/graphql", content=content, headers={"content-type": "application/json"})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def upsert(client: httpx.AsyncClient, records: list[dict[str, Any]]) -> dict[str, Any]:
    body = await send(client, UPSERT, records=records)
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"]["upsertRecords"]
    return payload


async def track(client: httpx.AsyncClient, touchpoints: list[dict[str, Any]]) -> dict[str, Any]:
    body = await send(client, TRACK, touchpoints=touchpoints)
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"]["trackTouchpoints"]
    return payload


def codes(payload: dict[str, Any]) -> dict[int, str]:
    return {e["index"]: e["code"] for e in payload["errors"]}


# --- finding 2: a 5,000-character trait crashed the database ---------------------------------------------


@pytest.fixture
async def private_database(tmp_path: Path) -> AsyncIterator[EmbeddedFalkorDB]:
    """A database of its own: on a build without the bound, this test crashes it, and must crash no other."""
    server = EmbeddedFalkorDB(tmp_path / "falkordb")
    await server.start()
    yield server
    await server.stop()


async def test_a_5000_character_trait_is_an_item_error_and_the_database_stays_up(
    private_database: EmbeddedFalkorDB,
) -> None:
    store = await _falkordb_store(private_database)
    await store.ensure_schema()
    try:
        async with asgi_client(store, load_settings()) as http:
            long = "Zoë" * 1667  # 5,001 characters (and more bytes)
            payload = await upsert(
                http,
                [
                    record("long-first", "a@example.com", traits={"firstName": long, "lastName": "X"}),
                    record("long-last", "b@example.com", traits={"firstName": "Y", "lastName": long}),
                    record("long-postal", "c@example.com", traits={"address": {"postalCode": long}}),
                    record("fine", "d@example.com"),
                ],
            )
            assert codes(payload) == {0: "TRAIT_TOO_LONG", 1: "TRAIT_TOO_LONG", 2: "TRAIT_TOO_LONG"}
            assert "Zoë" not in str(payload["errors"])  # the value is not echoed
            assert [r["index"] for r in payload["results"]] == [3]
            # The database is up and answers; the item that was fine is stored.
            stored = await gql(http, PROFILE, type="email", value="d@example.com")
            assert stored["data"]["profile"]["traits"]["lastName"] == "Lovelace"
            # A trait of exactly the limit (1,000 four-byte characters: 4,000 bytes) is stored.
            at_limit = "😀" * 1000
            fits = await upsert(
                http, [record("limit", "e@example.com", traits={"firstName": at_limit, "lastName": at_limit})]
            )
            assert fits["errors"] == []
            again = await gql(http, PROFILE, type="email", value="e@example.com")
            assert again["data"]["profile"]["traits"]["firstName"] == at_limit
    finally:
        await store.destroy()
        await store.close()
    assert "Lovelace" not in private_database.log_path.read_text(errors="replace")


async def test_long_traits_allowed_by_the_setting_never_reach_a_unique_key_whole(
    private_database: EmbeddedFalkorDB,
) -> None:
    """With the bound raised, 5,000-character names and postal codes are stored: the match keys built from them
    are hashed below the length at which the embedded database's uniqueness check crashes."""
    store = await _falkordb_store(private_database)
    await store.ensure_schema()
    long_first, long_last, long_postal = ("é" * 4999 + c for c in "abc")
    traits = {"firstName": long_first, "lastName": long_last, "address": {"postalCode": long_postal}}
    try:
        async with asgi_client(store, load_settings(max_trait_length=5000)) as http:
            payload = await upsert(
                http, [record("a", "a@example.com", traits=traits), record("b", "b@example.com", traits=traits)]
            )
            assert payload["errors"] == [] and len(payload["results"]) == 2
            stored = await gql(http, PROFILE, type="email", value="b@example.com")
            assert stored["data"]["profile"]["traits"]["lastName"] == long_last
    finally:
        await store.destroy()
        await store.close()


async def test_traits_too_large_or_too_deep_are_item_errors(client: httpx.AsyncClient) -> None:
    many = {f"k{n}": "v" * 900 for n in range(60)}  # 54 KB as JSON
    deep: dict[str, Any] = {"leaf": 1}
    for _ in range(40):
        deep = {"x": deep}
    payload = await upsert(
        client,
        [
            record("big", "a@example.com", traits=many),
            record("deep", "b@example.com", traits={"custom": deep}),
            record("long-key", "c@example.com", traits={"k" * 2000: 1}),
            record("fine", "d@example.com"),
        ],
    )
    assert codes(payload) == {0: "TRAITS_TOO_LARGE", 1: "TRAITS_TOO_LARGE", 2: "TRAIT_TOO_LONG"}
    assert [r["index"] for r in payload["results"]] == [3]
    long_property = await track(
        client,
        [touchpoint("t1", "ck-1", properties={"q": "x" * 1001}), touchpoint("t2", "ck-2", properties={"q": "x"})],
    )
    assert codes(long_property) == {0: "TRAIT_TOO_LONG"}
    assert [r["id"] for r in long_property["results"]] == ["t2"]


# --- finding 3: 200 identifiers per record --------------------------------------------------------------


async def test_more_identifiers_than_the_limit_is_an_item_error(client: httpx.AsyncClient) -> None:
    cookies = [{"type": "cookie_id", "value": f"ck-{n}"} for n in range(51)]
    payload = await upsert(client, [record("many", "a@example.com", identifiers=cookies), record("f", "b@x.com")])
    assert codes(payload) == {0: "TOO_MANY_IDENTIFIERS"}
    assert [r["index"] for r in payload["results"]] == [1]
    tracked = await track(client, [touchpoint("t1", "c", identifiers=cookies), touchpoint("t2", "ck-2")])
    assert codes(tracked) == {0: "TOO_MANY_IDENTIFIERS"}


async def test_records_at_the_identifier_limit_resolve_in_bounded_time(client: httpx.AsyncClient) -> None:
    records = [
        record(
            f"r{r}", f"p{r}@example.com", identifiers=[{"type": "cookie_id", "value": f"ck-{r}-{n}"} for n in range(50)]
        )
        for r in range(40)
    ]
    started = time.monotonic()
    payload = await upsert(client, records)
    elapsed = time.monotonic() - started
    assert payload["errors"] == []
    assert len({r["personId"] for r in payload["results"]}) == 40  # every record has its person
    assert elapsed < 30, f"40 records of 50 identifiers took {elapsed:.1f} s"


UPSERT_REJECTING = """
mutation($records: [RecordInput!]!) {
  upsertRecords(records: $records) {
    results { index personId } errors { index code } linksRejected { record identifier reason }
  }
}"""
LOOKUP = """
query($value: String!) {
  profile(identifier: {type: "email", value: $value}) { id identifiers { key } records { sourceId } }
}"""
AROUND = """
query($value: String!, $kept: String!) {
  identityGraph(identifier: {type: "email", value: $value}, depth: 1) { nodes { id } edges { source target type } }
  explainLink(a: {type: "email", value: $value}, b: {type: "email", value: $kept}) { linked reason }
}"""


async def test_identifiers_over_their_type_limit_make_no_person_without_a_record(
    client: httpx.AsyncClient, falkordb_store: FalkorDBStore
) -> None:
    """The probe's 300 records of 200 cookie ids left 45,000 persons of one refused cookie and no record. Here 30
    records of 8 emails each (limit 5, under GRAPHCDP_MAX_IDENTIFIERS_PER_RECORD): each record has its person
    with 5 emails, the 3 refused links are told, and no person is without a record. A refused email belongs to
    no person (profile answers null) until a record carrying it alone comes; then it is that record's person's."""
    emails = {r: [f"r{r}-{n}@example.com" for n in range(8)] for r in range(30)}
    items = [
        record(f"many-{r}", values[0], identifiers=[{"type": "email", "value": v} for v in values])
        for r, values in emails.items()
    ]
    body = await send(client, UPSERT_REJECTING, records=items)
    assert "errors" not in body, body
    payload = body["data"]["upsertRecords"]
    assert payload["errors"] == []
    persons = {r["index"]: r["personId"] for r in payload["results"]}
    assert len(set(persons.values())) == 30
    # (the records share a name and birth date: probabilistic matches between them are refused too, for the emails)
    refused = {(link["record"], link["identifier"]) for link in payload["linksRejected"] if "@" in link["identifier"]}
    assert refused == {(f"crm:many-{r}", f"email:{v}") for r, values in emails.items() for v in values[5:]}

    live = await falkordb_store.run(PERSON_STATES, {})
    assert [p for p in live if not p["records"]] == []  # the old code: 90 persons of one email, no record
    assert len(live) == 30
    assert all(row["person"] for row in await falkordb_store.run(RECORD_CLUSTERS, {}))

    kept = (await gql(client, LOOKUP, value=emails[0][0]))["data"]["profile"]
    assert kept["id"] == persons[0]
    assert sorted(i["key"] for i in kept["identifiers"]) == [f"email:{v}" for v in emails[0][:5]]
    assert (await gql(client, LOOKUP, value=emails[0][6]))["data"]["profile"] is None
    around = (await gql(client, AROUND, value=emails[0][6], kept=emails[0][0]))["data"]
    edges = {(e["source"], e["target"], e["type"]) for e in around["identityGraph"]["edges"]}
    assert ("record:crm:many-0", f"identifier:email:{emails[0][6]}", "HAS") in edges  # still the record's evidence
    assert ("record:crm:many-0", f"person:{persons[0]}", "OF") in edges
    assert not any(e[0] == f"identifier:email:{emails[0][6]}" and e[2] == "OF" for e in edges)
    assert around["explainLink"] == {"linked": False, "reason": f"email:{emails[0][6]} belongs to no person"}

    alone = await upsert(client, [record("alone", emails[0][6])])
    assert alone["errors"] == []
    [later] = alone["results"]
    assert later["personId"] != persons[0]
    found = (await gql(client, LOOKUP, value=emails[0][6]))["data"]["profile"]
    assert found["id"] == later["personId"] and [r["sourceId"] for r in found["records"]] == ["alone"]
    assert (await gql(client, LOOKUP, value=emails[0][7]))["data"]["profile"] is None

    # A touchpoint's identifiers link like a record's (through an evidence record): the same holds.
    tracked = await track(
        client, [touchpoint("t8", "", identifiers=[{"type": "email", "value": f"t{n}@x.com"} for n in range(8)])]
    )
    assert tracked["errors"] == [] and tracked["results"][0]["personId"]
    assert (await gql(client, LOOKUP, value="t7@x.com"))["data"]["profile"] is None
    assert [p for p in await falkordb_store.run(PERSON_STATES, {}) if not p["records"]] == []


# --- finding 7: one bad item failed the whole batch -------------------------------------------------------


async def test_control_characters_and_lone_surrogates_are_item_errors(client: httpx.AsyncClient) -> None:
    payload = await upsert(
        client,
        [
            record("nul\x00id", "a@example.com"),
            record("surrogate\ud800", "b@example.com"),
            record("nul-trait", "c@example.com", traits={"firstName": "Ada\x00Lovelace"}),
            record("surrogate-trait", "d@example.com", traits={"address": {"city": "Paris\udc00"}}),
            record("fine", "e@example.com", traits={"note": "tabs\tand\nnewlines are fine"}),
        ],
    )
    assert codes(payload) == {0: "INVALID_TEXT", 1: "INVALID_TEXT", 2: "INVALID_TEXT", 3: "INVALID_TEXT"}
    assert [r["index"] for r in payload["results"]] == [4]
    tracked = await track(
        client,
        [
            touchpoint("nul\x00", "ck-1"),
            touchpoint("t2", "ck-2", channel="web\ud800"),
            touchpoint("t3", "ck-3", properties={"q": "a\x00b"}),
            touchpoint("t4", "ck-4\x00"),
            touchpoint("t5", "ck-5"),
        ],
    )
    assert codes(tracked) == {0: "INVALID_TEXT", 1: "INVALID_TEXT", 2: "INVALID_TEXT", 3: "INVALID_IDENTIFIER"}
    assert [r["id"] for r in tracked["results"]] == ["t5"]


async def test_dates_that_are_not_finite_are_item_errors(client: httpx.AsyncClient) -> None:
    payload = await upsert(
        client,
        [
            record("nan", "a@example.com", observedAt=math.nan),
            record("inf", "b@example.com", observedAt=math.inf),
            record("fine", "c@example.com"),
        ],
    )
    assert codes(payload) == {0: "INVALID_DATE", 1: "INVALID_DATE"}
    assert [r["index"] for r in payload["results"]] == [2]
    tracked = await track(
        client,
        [
            touchpoint("t1", "ck-1", occurredAt=-math.inf),
            touchpoint("t2", "ck-2", occurredAt=math.nan),
            touchpoint("t3", "c"),
        ],
    )
    assert codes(tracked) == {0: "INVALID_DATE", 1: "INVALID_DATE"}
    assert [r["id"] for r in tracked["results"]] == ["t3"]


# --- finding 8: poisoned values -----------------------------------------------------------------------


async def test_dates_and_amounts_out_of_range_are_item_errors(client: httpx.AsyncClient) -> None:
    year_10000 = 253_402_300_800_000
    payload = await upsert(
        client,
        [
            record("huge", "a@example.com", observedAt=1e20),
            record("y10k", "b@example.com", observedAt="+10000-01-01T00:00:00Z"),
            record("ancient", "c@example.com", observedAt="1850-01-01T00:00:00Z"),
            record("future", "d@example.com", observedAt=int(time.time() * 1000) + 2 * 86_400_000),
            record("fine", "e@example.com"),
        ],
    )
    assert codes(payload) == {0: "DATE_OUT_OF_RANGE", 1: "INVALID_DATE", 2: "DATE_OUT_OF_RANGE", 3: "DATE_OUT_OF_RANGE"}
    assert [r["index"] for r in payload["results"]] == [4]
    tracked = await track(
        client,
        [
            touchpoint("y10k", "ck-1", occurredAt=year_10000),
            touchpoint("big1", "ck-2", amount=1e308),
            touchpoint("big2", "ck-2", amount=-1e13),
            touchpoint("fine", "ck-2", amount=99.5),
        ],
    )
    assert codes(tracked) == {0: "DATE_OUT_OF_RANGE", 1: "INVALID_AMOUNT", 2: "INVALID_AMOUNT"}
    assert [r["id"] for r in tracked["results"]] == ["fine"]


async def test_a_profile_holding_poisoned_values_still_reads(
    client: httpx.AsyncClient, falkordb_store: FalkorDBStore
) -> None:
    """Values an older build stored (or a hand edit): a year-10000 touchpoint, an observedAt of 1e20 and two
    orders of 1e308 whose sum is infinite. The profile still reads, with finite figures."""
    assert (
        await upsert(
            client,
            [
                record(
                    "r1",
                    "ada@example.com",
                    identifiers=[{"type": "email", "value": "ada@example.com"}, {"type": "cookie_id", "value": "ck"}],
                )
            ],
        )
    )["errors"] == []
    tracked = await track(client, [touchpoint(f"o{n}", "ck", amount=10) for n in range(3)])
    assert tracked["errors"] == []
    await falkordb_store.run(SET_TOUCHPOINT, {"id": "o0", "amount": 1e308, "at": T0})
    await falkordb_store.run(SET_TOUCHPOINT, {"id": "o1", "amount": 1e308, "at": T0})
    await falkordb_store.run(SET_TOUCHPOINT, {"id": "o2", "amount": 5.0, "at": 253_402_300_800_000 + 1000})
    await falkordb_store.run(SET_RECORD_OBSERVED, {"key": "crm:r1", "at": 10**20})
    body = await gql(client, PROFILE, type="email", value="ada@example.com")
    assert "errors" not in body, body
    profile = body["data"]["profile"]
    assert profile is not None and profile["traits"]["firstName"] == "Ada"
    metrics = profile["metrics"]
    assert metrics["orders"] == 3
    assert math.isfinite(metrics["revenue"]) and metrics["revenue"] > 1e307
    assert math.isfinite(metrics["averageOrderValue"])
    assert metrics["lastSeenAt"].startswith("9999-12-31")
    observed = {r["sourceId"]: r["observedAt"] for r in profile["records"]}
    assert observed["r1"].startswith("9999-12-31")
    assert {e["node"]["id"] for e in profile["journey"]["edges"]} == {"o0", "o1", "o2"}


CONSENT = """
mutation($purpose: String!, $source: String) {
  setConsent(identifier: {type: "email", value: "ada@example.com"}, purpose: $purpose, channel: "email",
             status: GRANTED, source: $source) { consent { status } }
}"""


async def test_consent_text_with_control_characters_or_too_long_is_refused(client: httpx.AsyncClient) -> None:
    refused = (  # a NUL in any argument is refused before anything runs (graphcdp/api/text_arguments.py)
        ("market\x00ing", None, "INVALID_TEXT"),
        ("marketing", "crm\x00", "INVALID_TEXT"),
        ("market\x01ing", None, "INVALID_CONSENT"),
        ("marketing", "s" * 257, "INVALID_CONSENT"),
    )
    for purpose, source, code in refused:
        body = await send(client, CONSENT, purpose=purpose, source=source)
        assert body["errors"][0]["extensions"]["code"] == code, body
    fine = await send(client, CONSENT, purpose="marketing", source="crm")
    assert fine["data"]["setConsent"]["consent"]["status"] == "GRANTED"
