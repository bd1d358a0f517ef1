"""The store reads a reply of plain values in one pass (graphcdp/store/compact_reply.py): each value as the FalkorDB
client's parser and the store's conversion together give it, and a reply holding anything else by the client."""

from __future__ import annotations

from typing import Any

import pytest
from falkordb.asyncio.query_result import QueryResult
from redis.exceptions import ResponseError

from graphcdp.store.compact_reply import NotPlain, plain_rows
from graphcdp.store.falkordb import FalkorDBStore, _result_rows

EVERY_PLAIN_VALUE = """
RETURN 'plain' AS text, 'ünïcode ✓' AS accents, '' AS empty, 42 AS integer, -9223372036854775807 AS smallest,
       1.5 AS double, 1e300 AS huge, 0.1 AS tenth, true AS yes, false AS no, null AS nothing,
       [1, 'x', [2.5, null], {a: [true]}] AS nested, [] AS none, {k: 1, m: {z: 'q', n: null}, l: [{}]} AS map,
       {} AS nomap, point({latitude: 1.5, longitude: -2.25}) AS place
"""


async def _reply(store: FalkorDBStore, query: str, command: str = "GRAPH.RO_QUERY") -> Any:
    return await store._graph.execute_command(command, store._graph_name, query, "--compact")


async def _client_rows(store: FalkorDBStore, response: Any) -> list[dict[str, Any]]:
    result = QueryResult(store._graph)
    await result.parse(response)
    return _result_rows(result)


async def test_every_plain_value_reads_as_the_client_gives_it(falkordb_store: FalkorDBStore) -> None:
    response = await _reply(falkordb_store, EVERY_PLAIN_VALUE)
    rows = plain_rows(response)
    assert rows == await _client_rows(falkordb_store, response)
    row = rows[0]
    assert row["nested"] == [1, "x", [2.5, None], {"a": [True]}]
    assert row["place"] == {"latitude": 1.5, "longitude": -2.25}
    assert (type(row["yes"]), type(row["integer"]), type(row["double"])) == (bool, int, float)
    assert type(row["map"]) is dict  # not the client's OrderedDict: what the store gave before


async def test_rows_of_a_statement_and_no_rows(falkordb_store: FalkorDBStore) -> None:
    await falkordb_store._write("UNWIND range(1, 3) AS n CREATE (:Probe {n: n, tag: 'p' + toString(n)})")
    response = await _reply(falkordb_store, "MATCH (p:Probe) RETURN p.n AS n, p.tag AS tag ORDER BY n")
    assert plain_rows(response) == [{"n": 1, "tag": "p1"}, {"n": 2, "tag": "p2"}, {"n": 3, "tag": "p3"}]
    assert plain_rows(response) == await _client_rows(falkordb_store, response)
    empty = await _reply(falkordb_store, "MATCH (p:Probe) WHERE p.n > 10 RETURN p.n AS n")
    assert plain_rows(empty) == [] == await _client_rows(falkordb_store, empty)
    statistics_only = await _reply(falkordb_store, "CREATE (:Probe {n: 4})", command="GRAPH.QUERY")
    assert plain_rows(statistics_only) == [] == await _client_rows(falkordb_store, statistics_only)


@pytest.mark.parametrize(
    "query",
    [
        "CREATE (p:Probe {n: 5}) RETURN p",
        "CREATE (a:Probe)-[r:NEXT {w: 1}]->(b:Probe) RETURN r",
        "MATCH path = (:Probe)-[:NEXT]->(:Probe) RETURN path",
        "RETURN [1, 2] AS fine, vecf32([1.0, 2.0]) AS vector",
    ],
)
async def test_nodes_edges_paths_and_vectors_are_left_to_the_client(falkordb_store: FalkorDBStore, query: str) -> None:
    await falkordb_store._write("CREATE (:Probe)-[:NEXT]->(:Probe)")
    response = await _reply(falkordb_store, query, command="GRAPH.QUERY")
    assert response[1], "the query returns a row"
    with pytest.raises(NotPlain):
        plain_rows(response)


async def test_the_store_answers_through_both_readers_alike(falkordb_store: FalkorDBStore) -> None:
    """store.run: a node comes back as its property map (the client's path), a map of the same properties through
    the one-pass reader, both equal."""
    await falkordb_store._write("CREATE (:Probe {n: 7, tag: 'seven', flags: [true, false]})")
    node = await falkordb_store._read("MATCH (p:Probe {n: 7}) RETURN p AS probe")
    projected = await falkordb_store._read("MATCH (p:Probe {n: 7}) RETURN p {.n, .tag, .flags} AS probe")
    assert node == projected == [{"probe": {"n": 7, "tag": "seven", "flags": [True, False]}}]


async def test_an_error_in_the_reply_is_raised_as_the_client_raises_it(falkordb_store: FalkorDBStore) -> None:
    """FalkorDB puts a run-time error after the rows it produced (the client raises it): left to the client."""
    rows = await _reply(falkordb_store, "RETURN 1 AS one")
    for response in ([*rows[:2], ResponseError("boom")], [ResponseError("boom")]):
        with pytest.raises(NotPlain):
            plain_rows(response)
        with pytest.raises(ResponseError, match="boom"):
            await _client_rows(falkordb_store, response)
