"""Start-up waits for the schema: FalkorDB builds indexes and uniqueness constraints in the background, and a
full-text index still filling finds nobody (the flaky `test_ranking_by_name_email_and_phone_fragments`)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from falkordb.asyncio import FalkorDB

from graphcdp.explore.search import SEARCH_PERSONS
from graphcdp.model.base import NoRow
from graphcdp.store.cypher import Query, StatementName
from graphcdp.store.embedded import EmbeddedFalkorDB
from graphcdp.store.falkordb import FalkorDBStore
from graphcdp.store.schema import INDEX_STATES, UNIQUE_KEYS
from tests.conftest import catalog

CREATE_SEARCHABLE_PERSONS = Query(StatementName("test/create_searchable_persons"), dict)
PERSONS = 150_000  # FalkorDB takes over a second to index them
# "person4242*": person4242 and person42420..person42429.
SEARCH = {"terms": [{"text": "person4242", "fuzz": 0}], "limit": 100, "exactKeys": [], "types": {}}


@pytest.fixture
async def graph_with_persons(embedded_falkordb: EmbeddedFalkorDB) -> AsyncIterator[tuple[FalkorDBStore, str]]:
    """A graph holding PERSONS persons and no schema yet, and its name."""
    name = f"test_{uuid.uuid4().hex[:12]}"
    store = await FalkorDBStore.connect(embedded_falkordb.url, name, catalog("falkordb"))
    await store.run(CREATE_SEARCHABLE_PERSONS, {"count": PERSONS})
    yield store, name
    await store.destroy()
    await store.close()


async def _still_building(store: FalkorDBStore, embedded: EmbeddedFalkorDB, name: str) -> list[str]:
    """The indexes and uniqueness constraints FalkorDB has not finished building."""
    indexes = [f"index {row.name}" for row in await store.run(INDEX_STATES) if row.status != "OPERATIONAL"]
    graph = FalkorDB(host="127.0.0.1", port=embedded.port, password=embedded.password).select_graph(name)
    constraints = [f"constraint {c['label']}" for c in await graph.list_constraints() if c["status"] != "OPERATIONAL"]
    await graph.client.aclose()
    return indexes + constraints


async def test_a_new_schema_over_existing_data_is_built_when_ensure_schema_returns(
    graph_with_persons: tuple[FalkorDBStore, str], embedded_falkordb: EmbeddedFalkorDB
) -> None:
    store, name = graph_with_persons
    await store.ensure_schema()

    names = {row.name for row in await store.run(INDEX_STATES)}
    assert names >= {"NODE Person", "NODE Identifier", "RELATIONSHIP POSSIBLE_MATCH"}
    assert await _still_building(store, embedded_falkordb, name) == []
    assert len(await store.run(SEARCH_PERSONS, SEARCH)) == 11


async def test_ensure_schema_waits_for_a_schema_still_building(
    graph_with_persons: tuple[FalkorDBStore, str], embedded_falkordb: EmbeddedFalkorDB
) -> None:
    # As after a restart, or when another process created the schema: nothing is left to create, but the
    # database is still building it over the data.
    store, name = graph_with_persons
    for schema_statement in store.catalog.schema_statements():
        await store.run(Query(schema_statement.name, NoRow))
    graph = FalkorDB(host="127.0.0.1", port=embedded_falkordb.port, password=embedded_falkordb.password).select_graph(
        name
    )
    # The constraint over the 100,000 persons last, so that it is still building when the test looks, however
    # many other (empty) labels have keys.
    for label, key in sorted(UNIQUE_KEYS, key=lambda unique: unique[0] == "Person"):
        await graph.create_node_unique_constraint(label, key)
    await graph.client.aclose()
    assert await _still_building(store, embedded_falkordb, name), "built before the test could look: raise PERSONS"

    await store.ensure_schema()

    assert await _still_building(store, embedded_falkordb, name) == []
    assert len(await store.run(SEARCH_PERSONS, SEARCH)) == 11
