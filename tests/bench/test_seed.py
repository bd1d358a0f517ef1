"""The scaling benchmark's seed must leave the graph an incremental import leaves: same persons (records,
identifiers, golden traits, search text), person ids aside."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from graphcdp.settings import load_settings
from graphcdp.store import GraphStore
from graphcdp.store.cypher import Query, StatementName
from graphcdp.wiring import services_on
from graphcdp_bench.datagen import GeneratorConfig, write_dataset
from graphcdp_bench.ingest import graphcdp_ingest
from graphcdp_bench.seed import SeedMismatchError, seed_graph

PERSON_STATES = Query(StatementName("test/person_states"), dict)


async def _persons(store: GraphStore) -> dict[frozenset[str], dict[str, Any]]:
    states = {}
    for row in await store.run(PERSON_STATES, {}):
        key = frozenset(row["records"])
        states[key] = {
            "identifiers": sorted(row["identifiers"]),
            "traits": row["traits"],
            "name": row["name"],
            "search": row["search"],
            "recordCount": row["recordCount"],
        }
    return states


async def test_seed_builds_the_graph_an_incremental_import_builds(
    tmp_path: Path, falkordb_store: GraphStore, second_falkordb_store: GraphStore
) -> None:
    data = tmp_path / "data"
    write_dataset(data, GeneratorConfig(people=60, seed=5), progress=False)
    settings = load_settings(matching=False)  # the seed writes deterministic resolution only
    async with services_on(falkordb_store, settings) as imported_by:
        await graphcdp_ingest(imported_by, data, batch_size=100, progress=False)  # several batches: incremental
    async with services_on(second_falkordb_store, settings) as seeded_by:
        report = await seed_graph(second_falkordb_store, seeded_by.identity.rules, data)

    imported, seeded = await _persons(falkordb_store), await _persons(second_falkordb_store)
    assert report.records > 120 and report.touchpoints > 0 and report.evidence_records > 0
    assert report.persons == len(seeded)
    assert set(seeded) == set(imported)  # the same partition of records, evidence records included
    assert seeded == imported  # and the same identifiers, golden traits and search text per person


async def test_seed_refuses_a_graph_that_is_not_empty(tmp_path: Path, falkordb_store: GraphStore) -> None:
    data = tmp_path / "data"
    write_dataset(data, GeneratorConfig(people=20, seed=3), progress=False)
    settings = load_settings()
    async with services_on(falkordb_store, settings) as services:
        await graphcdp_ingest(services, data, batch_size=50, progress=False)
    with pytest.raises(SeedMismatchError, match="is the graph empty"):
        await seed_graph(falkordb_store, services.identity.rules, data)
