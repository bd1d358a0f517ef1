"""identityGraph and searchPersons over GraphQL, against the real embedded database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from graphcdp.settings import load_settings
from graphcdp.store.falkordb import FalkorDBStore
from tests.api.graphql_client import asgi_client, gql

UPSERT = """
mutation($records: [RecordInput!]!) {
  upsertRecords(records: $records) { results { personId action } errors { index code message } }
}"""
GRAPH = """
query($type: String!, $value: String!, $depth: Int) {
  identityGraph(identifier: {type: $type, value: $value}, depth: $depth) {
    depth truncated
    nodes { id kind label distance properties }
    edges { source target type properties }
  }
}"""
SEARCH = """
query($query: String!, $first: Int, $after: String) {
  searchPersons(query: $query, first: $first, after: $after) {
    edges { score matchedOn cursor node { id traits identifiers { key } } }
    pageInfo { hasNextPage endCursor }
  }
}"""


@pytest.fixture
async def client(falkordb_store: FalkorDBStore) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(
        falkordb_store, load_settings(graph_max_depth=4, graph_node_limit=6, max_page_size=10)
    ) as http:
        yield http


def record(source_id: str, at: int, *identifiers: tuple[str, str], **traits: Any) -> dict[str, Any]:
    return {
        "source": "crm",
        "sourceId": source_id,
        "observedAt": at,
        "identifiers": [{"type": t, "value": v} for t, v in identifiers],
        "traits": traits or None,
    }


async def upsert(client: httpx.AsyncClient, *records: dict[str, Any]) -> list[str]:
    payload = (await gql(client, UPSERT, records=list(records)))["data"]["upsertRecords"]
    assert payload["errors"] == []
    return [r["personId"] for r in payload["results"]]


async def test_identity_graph_for_drawing(client: httpx.AsyncClient) -> None:
    [person, _] = await upsert(
        client,
        record("1", 1000, ("email", "ada@example.com"), ("phone", "+14155552671"), firstName="Ada"),
        record("2", 2000, ("phone", "(415) 555-2671")),
    )
    body = await gql(client, GRAPH, type="email", value="ADA@example.com", depth=1)
    graph = body["data"]["identityGraph"]
    assert graph["depth"] == 1 and graph["truncated"] is False
    assert [(n["id"], n["kind"], n["label"], n["distance"]) for n in graph["nodes"]] == [
        ("identifier:email:ada@example.com", "identifier", "ada@example.com", 0),
        (f"person:{person}", "person", "Ada", 1),
        ("record:crm:1", "record", "crm:1", 1),
    ]
    assert graph["nodes"][2]["properties"]["traits"] == {"firstName": "Ada"}
    assert {(e["source"], e["type"], e["target"]) for e in graph["edges"]} == {
        ("record:crm:1", "HAS", "identifier:email:ada@example.com"),
        ("identifier:email:ada@example.com", "OF", f"person:{person}"),
        ("record:crm:1", "OF", f"person:{person}"),
    }
    has = next(e for e in graph["edges"] if e["type"] == "HAS")
    assert has["properties"] == {"at": 1000, "source": "crm"}

    # Default depth 2: the phone and the second record (through the person); 5 nodes, within the limit.
    graph = (await gql(client, GRAPH, type="email", value="ada@example.com"))["data"]["identityGraph"]
    assert graph["depth"] == 2 and graph["truncated"] is False
    assert {n["id"] for n in graph["nodes"]} >= {"identifier:phone:+14155552671", "record:crm:2"}
    assert len(graph["nodes"]) == 5


async def test_identity_graph_limits_and_errors(client: httpx.AsyncClient) -> None:
    await upsert(client, *(record(str(n), 1000 + n, ("email", "many@x.com")) for n in range(10)))
    graph = (await gql(client, GRAPH, type="email", value="many@x.com", depth=1))["data"]["identityGraph"]
    assert graph["truncated"] is True and len(graph["nodes"]) == 6

    too_deep = await gql(client, GRAPH, type="email", value="many@x.com", depth=5)
    assert too_deep["data"] == {"identityGraph": None}
    assert too_deep["errors"][0]["message"] == "depth: must be between 1 and 4 (GRAPHCDP_GRAPH_MAX_DEPTH)"
    assert too_deep["errors"][0]["extensions"]["code"] == "INVALID_DEPTH"
    assert (await gql(client, GRAPH, type="email", value="many@x.com", depth=0))["errors"][0]["extensions"][
        "code"
    ] == "INVALID_DEPTH"

    unknown = await gql(client, GRAPH, type="email", value="nobody@x.com")
    assert unknown == {"data": {"identityGraph": None}}
    malformed = await gql(client, GRAPH, type="email", value="not-an-email")
    assert malformed["errors"][0]["message"].startswith("identifier: email 'not-an-email'")
    assert malformed["errors"][0]["extensions"]["code"] == "INVALID_EMAIL"


async def test_search_persons_ranks_and_pages(client: httpx.AsyncClient) -> None:
    lovelace, lovelock, *_ = await upsert(
        client,
        record("1", 1000, ("email", "ada.lovelace@example.com"), ("phone", "+4915112345678"), firstName="Ada",
               lastName="Lovelace"),
        record("2", 2000, ("email", "ada@lovelock.org"), firstName="Ada", lastName="Lovelock"),
        record("3", 3000, ("email", "ada.b@example.com"), firstName="Ada", lastName="Byron"),
        record("4", 4000, ("email", "ada.k@example.com"), firstName="Ada", lastName="King"),
    )  # fmt: skip
    found = (await gql(client, SEARCH, query="lovelace"))["data"]["searchPersons"]
    assert [(e["node"]["id"], e["matchedOn"]) for e in found["edges"]] == [(lovelace, "name"), (lovelock, "name")]
    assert found["edges"][0]["score"] > found["edges"][1]["score"]
    assert found["pageInfo"] == {"hasNextPage": False, "endCursor": found["edges"][1]["cursor"]}

    exact = (await gql(client, SEARCH, query="Ada.Lovelace@example.com"))["data"]["searchPersons"]["edges"]
    assert exact[0]["node"]["id"] == lovelace and exact[0]["score"] == 100.0
    assert exact[0]["matchedOn"] == "email:ada.lovelace@example.com"
    phone = (await gql(client, SEARCH, query="5112345"))["data"]["searchPersons"]["edges"]
    assert [(e["node"]["id"], e["matchedOn"]) for e in phone] == [(lovelace, "phone:+4915112345678")]

    first = (await gql(client, SEARCH, query="ada", first=3))["data"]["searchPersons"]
    assert len(first["edges"]) == 3 and first["pageInfo"]["hasNextPage"] is True
    assert first["pageInfo"]["endCursor"] == first["edges"][-1]["cursor"]
    second = (await gql(client, SEARCH, query="ada", first=3, after=first["pageInfo"]["endCursor"]))["data"][
        "searchPersons"
    ]
    assert len(second["edges"]) == 1 and second["pageInfo"]["hasNextPage"] is False
    ids = [e["node"]["id"] for e in first["edges"] + second["edges"]]
    assert len(set(ids)) == 4
    middle = (await gql(client, SEARCH, query="ada", first=2, after=first["edges"][0]["cursor"]))["data"]
    assert [e["node"]["id"] for e in middle["searchPersons"]["edges"]] == ids[1:3]


async def test_search_persons_errors(client: httpx.AsyncClient) -> None:
    too_many = await gql(client, SEARCH, query="ada", first=11)
    assert too_many["data"] is None
    assert too_many["errors"][0]["message"].startswith("first: must be between 1 and 10 (GRAPHCDP_MAX_PAGE_SIZE)")
    assert too_many["errors"][0]["extensions"]["code"] == "PAGE_SIZE_OUT_OF_RANGE"
    assert (await gql(client, SEARCH, query="ada", first=0))["errors"][0]["extensions"]["code"] == (
        "PAGE_SIZE_OUT_OF_RANGE"
    )

    short = await gql(client, SEARCH, query="  a ")
    assert short["errors"][0]["message"] == "query: must be at least 2 characters (after trimming spaces)"
    assert short["errors"][0]["extensions"]["code"] == "INVALID_SEARCH_QUERY"

    for cursor in ("not-a-cursor!", "WzEsImEiXQ=="):  # garbage; a journey cursor ([1, "a"])
        bad = await gql(client, SEARCH, query="ada", after=cursor)
        assert bad["errors"][0]["extensions"]["code"] == "INVALID_CURSOR", cursor
