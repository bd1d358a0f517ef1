"""Probabilistic matching over GraphQL, against the real embedded database: the matching summary of an upsert,
the review queue and its paging, a reviewer's decision, match hops in explainLink, and the model in force."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from graphcdp.api.pagination import encode_cursor
from graphcdp.identity.matching.spec import DEFAULT_MODEL
from graphcdp.settings import load_settings
from graphcdp.store.falkordb import FalkorDBStore
from tests.api.graphql_client import asgi_client, gql
from tests.identity_helpers import rec_item as rec

MAX_PAGE_SIZE = 5

UPSERT = """
mutation($records: [RecordInput!]!) {
  upsertRecords(records: $records) {
    results { index personId action }
    errors { index code message }
    matching { pairsScored matched possible blocksSkipped { key size } }
  }
}"""
RECORD_FIELDS = "key personId traits"
EXPLANATION_FIELDS = """
  priorWeight weight probability
  comparisons { field level weight m u a b termFrequency }
"""
REVIEW_QUEUE = f"""
query($first: Int!, $after: String) {{
  reviewQueue(first: $first, after: $after) {{
    edges {{
      cursor
      node {{
        id score rule scoredAt
        a {{ {RECORD_FIELDS} }}
        b {{ {RECORD_FIELDS} }}
        explanation {{ {EXPLANATION_FIELDS} }}
      }}
    }}
    pageInfo {{ hasNextPage endCursor }}
  }}
}}"""
RESOLVE = """
mutation($id: ID!, $accept: Boolean!) { resolveMatch(id: $id, accept: $accept) { accepted personIds } }"""
EXPLAIN = """
query($a: IdentifierInput!, $b: IdentifierInput!) {
  explainLink(a: $a, b: $b) {
    linked personId reason
    hops {
      from to kind source sourceId score rule reviewed matchId
      explanation { priorWeight weight probability comparisons { field level weight } }
    }
  }
}"""
MODEL_INFO = "name version fingerprint model"
MATCHING_MODEL = f"{{ matchingModel {{ {MODEL_INFO} }} }}"
SET_MODEL = f"mutation($model: JSON!) {{ setMatchingModel(model: $model) {{ {MODEL_INFO} }} }}"
PERSON = "query($id: ID!) { person(id: $id) { id records { source sourceId } } }"


@pytest.fixture
async def client(falkordb_store: FalkorDBStore) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(falkordb_store, load_settings(max_page_size=MAX_PAGE_SIZE)) as http:
        yield http


def default_model() -> dict[str, Any]:
    model: dict[str, Any] = json.loads(DEFAULT_MODEL.read_text(encoding="utf-8"))
    return model


record = rec  # the record item, as the GraphQL input takes it too


async def upsert(client: httpx.AsyncClient, *records: dict[str, Any]) -> dict[str, Any]:
    body = await gql(client, UPSERT, records=list(records))
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"]["upsertRecords"]
    assert payload["errors"] == [], payload
    return payload


def error_of(body: dict[str, Any]) -> tuple[str, str | None]:
    """The one error of a response: its message and extensions.code."""
    assert body.get("data") is None, body
    assert len(body["errors"]) == 1, body
    error = body["errors"][0]
    return error["message"], error.get("extensions", {}).get("code")


# First and last name agree and nothing else is known: between the review (0.5) and auto (0.95) thresholds.
ANNA_AND_BO = [
    record("crm", "1", 1000, ("email", "anna@example.com"), firstName="Anna", lastName="Ramirez"),
    record("pos", "2", 2000, ("loyalty_id", "L2"), firstName="Anna", lastName="Ramirez"),
    record("crm", "3", 3000, ("email", "bo@example.com"), firstName="Bo", lastName="Lindqvist"),
    record("pos", "4", 4000, ("loyalty_id", "L4"), firstName="Bo", lastName="Lindqvist"),
]


async def queue_page(client: httpx.AsyncClient, first: int, after: str | None = None) -> dict[str, Any]:
    body = await gql(client, REVIEW_QUEUE, first=first, after=after)
    assert "errors" not in body, body
    page: dict[str, Any] = body["data"]["reviewQueue"]
    return page


# --- upsertRecords: the matching summary -----------------------------------------------------------------


async def test_a_nicknamed_typod_record_without_shared_identifiers_joins_the_person(client: httpx.AsyncClient) -> None:
    address = {"street": "Invalidenstrasse 12", "postalCode": "10115", "city": "Berlin"}
    first = await upsert(
        client,
        record("crm", "c1", 1000, ("email", "robert.johnson@example.com"), firstName="Robert",
               lastName="Johnson", birthDate="1980-03-14", address=address),
    )  # fmt: skip
    assert first["matching"] == {"pairsScored": 0, "matched": 0, "possible": 0, "blocksSkipped": []}
    person = first["results"][0]["personId"]

    second = await upsert(
        client,
        record("pos", "r1", 2000, ("loyalty_id", "L-991"), firstName="Bob",  # nickname
               lastName="Jonhson",  # typo
               birthDate="1980-03-14", address=dict(address)),
    )  # fmt: skip
    assert second["matching"] == {"pairsScored": 1, "matched": 1, "possible": 0, "blocksSkipped": []}
    result = second["results"][0]
    assert result["personId"] == person
    assert result["action"] == "CREATED"  # a new record that joined one person: it brought no persons together

    found = (await gql(client, PERSON, id=person))["data"]["person"]
    assert sorted((r["source"], r["sourceId"]) for r in found["records"]) == [("crm", "c1"), ("pos", "r1")]
    assert (await queue_page(client, MAX_PAGE_SIZE))["edges"] == []  # matched outright, nothing to review


async def test_an_oversized_block_is_reported_with_its_key_and_size(client: httpx.AsyncClient) -> None:
    model = default_model()
    model["blocking"] = {"rules": [{"parts": ["firstName", "lastName"]}], "maxBlockSize": 2}
    assert "errors" not in await gql(client, SET_MODEL, model=model)
    summaries = [
        (
            await upsert(
                client, record("crm", str(n), 1000 + n, firstName="Tom", lastName="Jones", birthDate=f"198{n}-05-05")
            )
        )["matching"]
        for n in range(3)
    ]
    assert [s["pairsScored"] for s in summaries] == [0, 1, 0]
    assert summaries[2]["blocksSkipped"] == [{"key": "b:firstName+lastName=tom|jones", "size": 3}]


# --- reviewQueue ---------------------------------------------------------------------------------------


async def test_review_queue_shows_the_pair_with_its_explanation(client: httpx.AsyncClient) -> None:
    summary = (await upsert(client, *ANNA_AND_BO[:2]))["matching"]
    assert summary["matched"] == 0 and summary["possible"] == 1

    page = await queue_page(client, MAX_PAGE_SIZE)
    assert page["pageInfo"]["hasNextPage"] is False
    [edge] = page["edges"]
    node = edge["node"]
    assert edge["cursor"] == page["pageInfo"]["endCursor"]
    assert node["id"]
    assert 0.5 <= node["score"] < 0.95
    assert node["rule"] == "default@0"
    assert node["scoredAt"] is not None
    assert (node["a"]["key"], node["b"]["key"]) == ("crm:1", "pos:2")
    assert node["a"]["traits"] == node["b"]["traits"] == {"firstName": "Anna", "lastName": "Ramirez"}
    assert node["a"]["personId"] and node["b"]["personId"] and node["a"]["personId"] != node["b"]["personId"]

    explanation = node["explanation"]
    assert explanation["probability"] == pytest.approx(node["score"], abs=1e-9)
    assert explanation["priorWeight"] == pytest.approx(-13.2876, abs=1e-3)  # log2(0.0001 / 0.9999)
    total = explanation["priorWeight"] + sum(c["weight"] for c in explanation["comparisons"])
    assert total == pytest.approx(explanation["weight"], abs=1e-4)
    assert 1 / (1 + 2 ** -explanation["weight"]) == pytest.approx(node["score"], abs=1e-6)
    by_field = {c["field"]: c for c in explanation["comparisons"]}
    assert set(by_field) == {c["field"] for c in default_model()["comparisons"]}
    assert by_field["firstName"] == {
        "field": "firstName",
        "level": "exact",
        "weight": pytest.approx(7.1293, abs=1e-3),  # log2(0.7 / 0.005)
        "m": 0.7,
        "u": 0.005,
        "a": "anna",
        "b": "anna",
        "termFrequency": None,  # fewer than minRecords first names: no term-frequency adjustment
    }
    assert by_field["lastName"]["level"] == "exact" and by_field["lastName"]["a"] == "ramirez"
    assert by_field["birthDate"] == {
        "field": "birthDate",
        "level": "null",
        "weight": 0.0,
        "m": None,
        "u": None,
        "a": None,
        "b": None,
        "termFrequency": None,
    }


async def test_review_queue_says_when_more_follow(client: httpx.AsyncClient) -> None:
    await upsert(client, *ANNA_AND_BO)
    everything = await queue_page(client, MAX_PAGE_SIZE)
    assert len(everything["edges"]) == 2 and everything["pageInfo"]["hasNextPage"] is False
    pairs = {(e["node"]["a"]["key"], e["node"]["b"]["key"]) for e in everything["edges"]}
    assert pairs == {("crm:1", "pos:2"), ("crm:3", "pos:4")}
    assert everything["pageInfo"]["endCursor"] == everything["edges"][-1]["cursor"]

    first = await queue_page(client, 1)
    assert [e["node"]["id"] for e in first["edges"]] == [everything["edges"][0]["node"]["id"]]
    assert first["pageInfo"]["hasNextPage"] is True

    after_last = await queue_page(client, 1, everything["pageInfo"]["endCursor"])
    assert after_last == {"edges": [], "pageInfo": {"hasNextPage": False, "endCursor": None}}


# Two queued pairs whose scores are equal (first and last name only), and two whose higher score FalkorDB reads
# back rounded up (gender agrees too: 0.9157191142878818 is returned as 0.915719114287882).
PAGED = {
    "tied-scores": ANNA_AND_BO,
    "rounded-up-score": [
        record("crm", "1", 1000, firstName="Anna", lastName="Ramirez", gender="f"),
        record("pos", "2", 2000, firstName="Anna", lastName="Ramirez", gender="f"),
        *ANNA_AND_BO[2:],
    ],
}


@pytest.mark.parametrize("data", list(PAGED))
async def test_review_queue_pages_one_by_one_without_overlap(client: httpx.AsyncClient, data: str) -> None:
    await upsert(client, *PAGED[data])
    everything = [e["node"]["id"] for e in (await queue_page(client, MAX_PAGE_SIZE))["edges"]]
    assert len(everything) == 2
    seen: list[str] = []
    more: list[bool] = []
    after = None
    for _ in range(4):  # more pages than pairs: a page that repeats must not loop forever
        page = await queue_page(client, 1, after)
        seen += [e["node"]["id"] for e in page["edges"]]
        more.append(page["pageInfo"]["hasNextPage"])
        after = page["pageInfo"]["endCursor"]
        if not more[-1]:
            break
    assert seen == everything
    assert more == [True, False]


@pytest.mark.parametrize("first", [0, -1, MAX_PAGE_SIZE + 1])
async def test_review_queue_page_size_out_of_range(client: httpx.AsyncClient, first: int) -> None:
    message, code = error_of(await gql(client, REVIEW_QUEUE, first=first))
    assert code == "PAGE_SIZE_OUT_OF_RANGE"
    assert message == f"first: must be between 1 and {MAX_PAGE_SIZE} (GRAPHCDP_MAX_PAGE_SIZE), not {first}"


async def test_review_queue_garbage_cursor(client: httpx.AsyncClient) -> None:
    await upsert(client, *ANNA_AND_BO)
    message, code = error_of(await gql(client, REVIEW_QUEUE, first=1, after="not-a-cursor!"))
    assert code == "INVALID_CURSOR"
    assert message == "after: not a cursor this API gave out"


@pytest.mark.parametrize("position", [{"p": 3}, 5, ["x", "y"]], ids=["search-cursor", "number", "list"])
async def test_review_queue_cursor_of_another_shape(client: httpx.AsyncClient, position: Any) -> None:
    await upsert(client, *ANNA_AND_BO)
    _, code = error_of(await gql(client, REVIEW_QUEUE, first=1, after=encode_cursor(position)))
    assert code == "INVALID_CURSOR"


# --- resolveMatch ----------------------------------------------------------------------------------------


async def test_resolve_match_accept_merges_and_reject_keeps_apart(client: httpx.AsyncClient) -> None:
    await upsert(client, *ANNA_AND_BO)
    nodes = {e["node"]["a"]["key"]: e["node"] for e in (await queue_page(client, MAX_PAGE_SIZE))["edges"]}
    anna, bo = nodes["crm:1"], nodes["crm:3"]

    accepted = (await gql(client, RESOLVE, id=anna["id"], accept=True))["data"]["resolveMatch"]
    assert accepted["accepted"] is True
    assert len(accepted["personIds"]) == 1
    person = (await gql(client, PERSON, id=accepted["personIds"][0]))["data"]["person"]
    assert sorted((r["source"], r["sourceId"]) for r in person["records"]) == [("crm", "1"), ("pos", "2")]

    rejected = (await gql(client, RESOLVE, id=bo["id"], accept=False))["data"]["resolveMatch"]
    assert rejected["accepted"] is False
    assert len(rejected["personIds"]) == 2
    for person_id in rejected["personIds"]:
        person = (await gql(client, PERSON, id=person_id))["data"]["person"]
        assert len(person["records"]) == 1

    assert await queue_page(client, MAX_PAGE_SIZE) == {
        "edges": [],
        "pageInfo": {"hasNextPage": False, "endCursor": None},
    }


@pytest.mark.parametrize("match_id", ["nonsense", "", "WzEsMl0="], ids=["garbage", "empty", "numbers"])
async def test_resolve_match_unknown_id(client: httpx.AsyncClient, match_id: str) -> None:
    message, code = error_of(await gql(client, RESOLVE, id=match_id, accept=True))
    assert code == "MATCH_NOT_FOUND"
    assert message == f"id: {match_id!r} is not a match id this API gave out"


async def test_resolve_match_of_records_that_are_gone(client: httpx.AsyncClient) -> None:
    await upsert(client, *ANNA_AND_BO[:2])
    [edge] = (await queue_page(client, MAX_PAGE_SIZE))["edges"]
    deleted = await gql(client, 'mutation { deleteRecord(source: "pos", sourceId: "2") { personIds } }')
    assert "errors" not in deleted, deleted
    message, code = error_of(await gql(client, RESOLVE, id=edge["node"]["id"], accept=True))
    assert code == "MATCH_NOT_FOUND"
    assert "deleted" in message


# --- explainLink -----------------------------------------------------------------------------------------


async def test_explain_link_across_a_match_hop(client: httpx.AsyncClient) -> None:
    address = {"postalCode": "20095", "city": "Hamburg"}
    await upsert(
        client,
        record("crm", "c1", 1000, ("email", "lena.berg@example.com"), firstName="Lena", lastName="Berg",
               birthDate="1975-06-30", address=address),
        record("pos", "p1", 2000, ("loyalty_id", "L77"), firstName="Lena", lastName="Berg",
               birthDate="1975-06-30", address=dict(address)),
    )  # fmt: skip
    body = await gql(
        client, EXPLAIN, a={"type": "email", "value": "Lena.Berg@example.com"}, b={"type": "loyalty_id", "value": "L77"}
    )
    assert "errors" not in body, body
    explained = body["data"]["explainLink"]
    assert explained["linked"] is True and explained["personId"]
    assert explained["reason"] == "linked through shared records and matches: 1 automatic"
    hops = explained["hops"]
    assert [(h["from"], h["to"], h["kind"]) for h in hops] == [
        ("email:lena.berg@example.com", "record:crm:c1", "IDENTIFIER"),
        ("record:crm:c1", "record:pos:p1", "MATCH"),
        ("record:pos:p1", "loyalty_id:L77", "IDENTIFIER"),
    ]
    for hop in (hops[0], hops[2]):
        assert hop["score"] is None and hop["rule"] is None and hop["explanation"] is None
        assert hop["reviewed"] is False

    match = hops[1]
    assert (match["source"], match["sourceId"]) == ("pos", "p1")
    assert match["rule"] == "default@0" and match["reviewed"] is False
    assert 0.95 <= match["score"] <= 1
    explanation = match["explanation"]
    total = explanation["priorWeight"] + sum(c["weight"] for c in explanation["comparisons"])
    assert total == pytest.approx(explanation["weight"], abs=1e-4)
    assert explanation["probability"] == pytest.approx(match["score"], abs=1e-9)
    levels = {c["field"]: c["level"] for c in explanation["comparisons"]}
    assert levels["firstName"] == levels["lastName"] == levels["birthDate"] == "exact"
    assert levels["address.postalCode"] == "exact"

    # The hop's matchId undoes the automatic match for good.
    undone = await gql(client, RESOLVE, id=match["matchId"], accept=False)
    assert "errors" not in undone, undone
    assert len(undone["data"]["resolveMatch"]["personIds"]) == 2
    apart = await gql(
        client, EXPLAIN, a={"type": "email", "value": "lena.berg@example.com"}, b={"type": "loyalty_id", "value": "L77"}
    )
    assert apart["data"]["explainLink"]["linked"] is False
    assert levels["phone"] == levels["address.street"] == "null"


async def test_explain_link_across_a_reviewer_accepted_match(client: httpx.AsyncClient) -> None:
    await upsert(client, *ANNA_AND_BO[:2])
    [edge] = (await queue_page(client, MAX_PAGE_SIZE))["edges"]
    assert "errors" not in await gql(client, RESOLVE, id=edge["node"]["id"], accept=True)
    body = await gql(
        client, EXPLAIN, a={"type": "email", "value": "anna@example.com"}, b={"type": "loyalty_id", "value": "L2"}
    )
    hops = body["data"]["explainLink"]["hops"]
    assert (
        body["data"]["explainLink"]["reason"] == "linked through shared records and matches: 1 accepted by a reviewer"
    )
    assert [h["kind"] for h in hops] == ["IDENTIFIER", "MATCH", "IDENTIFIER"]
    assert hops[1]["reviewed"] is True and hops[1]["rule"] == "review"
    assert hops[1]["score"] == pytest.approx(edge["node"]["score"])


# --- matchingModel / setMatchingModel --------------------------------------------------------------------


async def current_model(client: httpx.AsyncClient) -> dict[str, Any]:
    body = await gql(client, MATCHING_MODEL)
    assert "errors" not in body, body
    info: dict[str, Any] = body["data"]["matchingModel"]
    return info


async def test_matching_model_is_the_shipped_default(client: httpx.AsyncClient) -> None:
    info = await current_model(client)
    assert info["name"] == "default" and info["version"] == 0
    assert len(info["fingerprint"]) == 16
    model = info["model"]
    shipped = default_model()
    assert model["formatVersion"] == 1 and model["version"] == 0
    assert model["prior"] == shipped["prior"]
    assert model["thresholds"] == shipped["thresholds"] == {"support": 0.05, "review": 0.5, "auto": 0.95}
    assert [c["field"] for c in model["comparisons"]] == [c["field"] for c in shipped["comparisons"]]
    assert model["comparisons"][0]["levels"][0] == {"kind": "exact", "m": 0.7, "u": 0.005}
    assert model["blocking"]["rules"] == shipped["blocking"]["rules"]


def _with(change: str) -> dict[str, Any]:
    model = default_model()
    if change == "thresholds":
        model["thresholds"] = {"support": 0.05, "review": 0.9, "auto": 0.8}
    elif change == "field":
        model["comparisons"].append({"field": "shoeSize", "levels": [{"kind": "exact", "m": 0.9, "u": 0.1}],
                                     "else": {"m": 0.1, "u": 0.9}})  # fmt: skip
    elif change == "level":
        model["comparisons"][0]["levels"][2] = {"kind": "soundex", "m": 0.1, "u": 0.01}
    elif change == "format":
        model["formatVersion"] = 99
    return model


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ("thresholds", "thresholds out of order: need support <= review < auto"),
        ("field", "unknown field 'shoeSize'"),
        ("level", "unknown level kind 'soundex'"),
        ("format", "this model has format version 99; this graphcdp reads format version 1"),
    ],
)
async def test_set_matching_model_refuses_an_invalid_model(
    client: httpx.AsyncClient, change: str, expected: str
) -> None:
    before = await current_model(client)
    message, code = error_of(await gql(client, SET_MODEL, model=_with(change)))
    assert code == "CONFIGURATION_ERROR"
    assert message.startswith("model: invalid matching model (setMatchingModel): ")
    assert expected in message
    assert "\n" not in message
    after = await current_model(client)
    assert after == before
    assert after["version"] == 0 and after["model"]["thresholds"] == {"support": 0.05, "review": 0.5, "auto": 0.95}


@pytest.mark.parametrize("model", [[1, 2], 42, "not json"], ids=["list", "number", "string"])
async def test_set_matching_model_refuses_what_is_not_a_model(client: httpx.AsyncClient, model: Any) -> None:
    message, code = error_of(await gql(client, SET_MODEL, model=model))
    assert code == "CONFIGURATION_ERROR"
    assert message.startswith("model: invalid matching model (setMatchingModel): ")
    assert (await current_model(client))["version"] == 0


async def test_set_matching_model_stores_versions_and_is_in_force_at_once(client: httpx.AsyncClient) -> None:
    original = await current_model(client)
    model = default_model()
    model["thresholds"]["auto"] = 0.99
    body = await gql(client, SET_MODEL, model=model)
    assert "errors" not in body, body
    first = body["data"]["setMatchingModel"]
    assert first["name"] == "default" and first["version"] == 1
    assert first["model"]["thresholds"]["auto"] == 0.99
    assert first["fingerprint"] == original["fingerprint"]  # thresholds are weights, not shape
    assert await current_model(client) == first

    model["thresholds"]["auto"] = 0.97
    model["comparisons"][0]["levels"][5]["min"] = 0.85  # a level changes: another fingerprint
    second = (await gql(client, SET_MODEL, model=model))["data"]["setMatchingModel"]
    assert second["version"] == 2
    assert second["model"]["thresholds"]["auto"] == 0.97
    assert second["fingerprint"] != original["fingerprint"]
    assert await current_model(client) == second

    # The new model scores new pairs: its name@version is the rule of what lands in the queue.
    await upsert(client, *ANNA_AND_BO[:2])
    [edge] = (await queue_page(client, MAX_PAGE_SIZE))["edges"]
    assert edge["node"]["rule"] == "default@2"


async def test_a_stricter_auto_threshold_sends_a_former_match_to_review(client: httpx.AsyncClient) -> None:
    # Names and postcode agree: about 0.9995 with the default model, linked; below a stricter auto threshold.
    model = default_model()
    model["thresholds"]["auto"] = 0.999999999
    assert "errors" not in await gql(client, SET_MODEL, model=model)
    address = {"postalCode": "20095"}
    summary = (
        await upsert(
            client,
            record("crm", "c1", 1000, firstName="Lena", lastName="Berg", address=address),
            record("pos", "p1", 2000, firstName="Lena", lastName="Berg", address=dict(address)),
        )
    )["matching"]
    assert summary == {"pairsScored": 1, "matched": 0, "possible": 1, "blocksSkipped": []}


async def test_first_and_last_name_written_in_each_others_place_meet_in_the_unordered_name_block(
    client: httpx.AsyncClient,
) -> None:
    # No identifier, and no other block of the shipped model holds both: the second record has no postal code,
    # and its names are swapped, so neither name + birth date block matches. The unordered name block does.
    first = record("crm", "1", 1, firstName="Ingrid", lastName="Halvorsen", birthDate="1980-03-04",
                   address={"postalCode": "10115"})  # fmt: skip
    second = record("web", "2", 2, firstName="Halvorsen", lastName="Ingrid", birthDate="1980-03-04")
    await gql(client, UPSERT, records=[first])
    body = await gql(client, UPSERT, records=[second])
    payload = body["data"]["upsertRecords"]
    assert payload["matching"]["pairsScored"] == 1 and payload["matching"]["matched"] == 1
    people = await gql(client, PERSON, id=payload["results"][0]["personId"])
    assert sorted(r["sourceId"] for r in people["data"]["person"]["records"]) == ["1", "2"]


async def test_a_typo_in_a_nickname_agrees_and_is_explained(client: httpx.AsyncClient) -> None:
    # Mragaret is one keystroke from Margaret, of whom Maggie is a nickname: neither an edit distance (Maggie and
    # Mragaret are far apart) nor the nickname table sees it. Before this level, Maggie and Mragaret weighed as
    # different first names, and the match fell below the auto threshold.
    address = {"street": "12 Elm Road", "postalCode": "02134", "city": "Boston"}
    await upsert(
        client,
        record("crm", "c1", 1000, ("loyalty_id", "L-1"), firstName="Maggie", lastName="Bailey",
               birthDate="1961-04-09", address=address),
        record("web", "w1", 2000, ("customer_id", "C-1"), firstName="Mragaret", lastName="Bailey",
               address=dict(address)),
        record("web", "w2", 3000, ("customer_id", "C-2"), firstName="Morgan", lastName="Bailey",
               address=dict(address)),
    )  # fmt: skip
    loyalty = {"type": "loyalty_id", "value": "L-1"}
    body = await gql(client, EXPLAIN, a=loyalty, b={"type": "customer_id", "value": "C-1"})
    explained = body["data"]["explainLink"]
    assert explained["linked"] is True
    (match,) = [hop for hop in explained["hops"] if hop["kind"] == "MATCH"]
    first_name = next(c for c in match["explanation"]["comparisons"] if c["field"] == "firstName")
    assert first_name["level"] == "nickname+typos<=1" and first_name["weight"] > 0
    # Morgan is no nickname of Margaret, and more than a keystroke from any: her household's sister.
    other = await gql(client, EXPLAIN, a=loyalty, b={"type": "customer_id", "value": "C-2"})
    assert other["data"]["explainLink"]["linked"] is False
