"""A bulk import (large batches) must leave the graph that sending the same records and touchpoints one at a
time leaves: the same persons (records, identifiers, golden traits, search text) and the same review queue,
on generated data with every kind of mess the generator makes, with probabilistic matching on."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from graphcdp.identity import evidence, pieces
from graphcdp.identity.additions import Additions, NewEvidence, resolve_additions
from graphcdp.identity.pieces import resolve_in_pieces
from graphcdp.identity.planner import Plan
from graphcdp.ingest.bulk import import_file
from graphcdp.model.identity import RecordInput
from graphcdp.model.profiles import TouchpointInput
from graphcdp.settings import load_settings
from graphcdp.store import GraphStore
from graphcdp.store.cypher import Query, StatementName
from graphcdp.wiring import Services, services_on
from graphcdp_bench.datagen import GeneratorConfig, MessRates, write_dataset

PERSON_STATES = Query(StatementName("test/person_states"), dict)
MATCH_LINKS = Query(StatementName("test/match_links"), dict)
PERSON_DECISIONS = Query(StatementName("test/person_decisions"), dict)
IDENTIFIER_FLAGS = Query(StatementName("test/identifier_flags"), dict)
MATCHED_WITHIN_PERSONS = Query(StatementName("test/matched_within_persons"), dict)
# More of the rare kinds than the defaults, so 120 people hold every one of them.
RATES = MessRates(email_typo=0.1, junk_email=0.05, junk_phone=0.05, second_customer_account=0.1, name_typo=0.1)
MESS = ("email_typo", "junk_email", "junk_phone", "household_email", "family_tablet", "second_customer_account")


async def _persons(store: GraphStore) -> dict[frozenset[str], dict[str, Any]]:
    return {
        frozenset(row["records"]): {
            "identifiers": sorted(row["identifiers"]),
            "traits": row["traits"],
            "name": row["name"],
            "search": row["search"],
            "recordCount": row["recordCount"],
        }
        for row in await store.run(PERSON_STATES, {})
    }


async def _links(store: GraphStore) -> set[tuple[str, str, str]]:
    return {(row["a"], row["b"], row["kind"]) for row in await store.run(MATCH_LINKS, {})}


async def _decisions(store: GraphStore) -> dict[frozenset[str], list[str]]:
    """The refused links of each person (a household's conflicting names, type limits), by her records."""
    return {frozenset(row["records"]): sorted(row["rejections"]) for row in await store.run(PERSON_DECISIONS, {})}


async def _review_queue(services: Services) -> list[tuple[str, str, float]]:
    items, _ = await services.identity.review_queue(10_000, None)
    return [(item.a, item.b, item.score) for item in items]


def _lines(path: Path) -> list[Any]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


async def test_bulk_import_leaves_the_graph_single_upserts_leave(
    tmp_path: Path, falkordb_store: GraphStore, second_falkordb_store: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    resolved_here: list[Additions] = []
    moved_back: set[str] = set()  # stored evidence an earlier touchpoint of a later batch sent back

    async def observed(store: GraphStore, rules: Any, new: list[NewEvidence]) -> Additions:
        # The set-based road, watched: it must carry part of the load.
        resolved_here.append(await resolve_additions(store, rules, new))
        moved_back.update(n.key for n in new if n.person and n.key in resolved_here[-1].person_of)
        return resolved_here[-1]

    monkeypatch.setattr(evidence, "resolve_additions", observed)
    in_pieces: list[Plan] = []

    async def observed_pieces(*args: Any) -> Plan:  # the records' batches, committed piece by piece
        in_pieces.append(await resolve_in_pieces(*args))
        return in_pieces[-1]

    monkeypatch.setattr(pieces, "resolve_in_pieces", observed_pieces)
    # Chunks of a few records: each batch's pieces are planned beside the commit of the chunk before (several commits).
    monkeypatch.setattr(pieces, "PLAN_CHUNK_RECORDS", 25)
    chunk_commits: list[int] = []
    commit_chunk = pieces._commit

    async def counted_commit(store: GraphStore, plans: list[Plan]) -> set[int]:
        chunk_commits.append(len(plans))
        return await commit_chunk(store, plans)

    monkeypatch.setattr(pieces, "_commit", counted_commit)
    data = tmp_path / "data"
    manifest = write_dataset(data, GeneratorConfig(people=120, seed=11, rates=RATES), progress=False)
    assert all(manifest["mess"][kind]["injected"] > 0 for kind in MESS), manifest["mess"]
    settings = load_settings(matching=True, max_batch_size=1000)

    async with services_on(falkordb_store, settings) as bulk:
        records = await import_file(
            bulk.identity, data / "records.jsonl", batch_size=1000, resume=False, progress=False
        )
        # Batches of 200: later batches meet the persons and evidence of earlier ones, out of time order.
        events = await import_file(
            bulk.touchpoint_sink, data / "touchpoints.jsonl", batch_size=200, resume=False, progress=False
        )
        bulk_queue = await _review_queue(bulk)
    assert records.rejected == events.rejected == 0
    assert sum(len(a.person_of) for a in resolved_here) > 100  # most new evidence took the set-based road
    assert sum(len(a.rest) for a in resolved_here) > 0  # and some the full one (merges, shared identifiers)
    assert moved_back  # stored evidence an earlier observation moved back stayed with its person set-based
    assert sum(len(p.person_of_record) for p in in_pieces) >= records.lines_read  # the records' batches took it
    assert len(chunk_commits) > 2 * len(in_pieces)  # in chunks
    monkeypatch.undo()  # one at a time below: the full resolver only

    async with services_on(second_falkordb_store, settings) as single:
        for item in _lines(data / "records.jsonl"):
            outcome = await single.identity.upsert_records([RecordInput.model_validate(item)])
            assert outcome.errors == []
        for item in _lines(data / "touchpoints.jsonl"):
            tracked = await single.profiles.track([TouchpointInput.model_validate(item)])
            assert tracked.errors == []
        single_queue = await _review_queue(single)

    in_bulk, one_by_one = await _persons(falkordb_store), await _persons(second_falkordb_store)
    assert len(in_bulk) < records.lines_read  # records were linked, some across batches of evidence
    assert set(in_bulk) == set(one_by_one)  # the same partition of records, evidence records included
    assert in_bulk == one_by_one  # and the same identifiers, golden traits and search text per person
    links = await _links(falkordb_store)
    assert {kind for _, _, kind in links} == {"MATCHED", "POSSIBLE_MATCH"}  # matching had work of both kinds
    assert links == await _links(second_falkordb_store)
    # What the persons' records and traits made resolution decide: the same links refused (household
    # conflicts among them), the same identifiers counted as refused or shared, the same matches applied.
    refused = await _decisions(falkordb_store)
    assert any("name different people" in r for rejections in refused.values() for r in rejections)
    assert refused == await _decisions(second_falkordb_store)
    flags = await falkordb_store.run(IDENTIFIER_FLAGS, {})
    assert flags and flags == await second_falkordb_store.run(IDENTIFIER_FLAGS, {})
    applied = await falkordb_store.run(MATCHED_WITHIN_PERSONS, {})
    assert applied and applied == await second_falkordb_store.run(MATCHED_WITHIN_PERSONS, {})
    # And the same review queue, in the same order.
    assert bulk_queue and bulk_queue == single_queue
