"""A large batch is committed piece by piece (graphcdp/identity/pieces.py): when a single upsert changes one
person while the batch is being planned, the batch's other pieces are committed as planned, the changed one
is resolved again, and the graph is the one sending everything one at a time leaves."""

from __future__ import annotations

from typing import Any

import pytest

from graphcdp.identity import pieces
from graphcdp.identity.planner import Plan
from graphcdp.model.identity import RecordInput
from graphcdp.settings import load_settings
from graphcdp.store import GraphStore
from graphcdp.store.cypher import Query, StatementName
from graphcdp.wiring import Services, services_on

PERSON_STATES = Query(StatementName("test/person_states"), dict)
PEOPLE = 60
SETTINGS = load_settings(matching=False)


def _record(source: str, n: int, *extra: dict[str, str]) -> RecordInput:
    return RecordInput.model_validate({
        "source": source,
        "sourceId": f"{source}-{n}",
        "observedAt": 1_700_000_000_000 + n,
        "identifiers": [{"type": "email", "value": f"person{n}@example.com"}, *extra],
        "traits": {"firstName": f"Name{n}", "lastName": "Example", "city": f"{source}-city"},
    })  # fmt: skip


FIRST = [_record("crm", n) for n in range(PEOPLE)]
SECOND = [_record("web", n, {"type": "cookie_id", "value": f"cookie-{n}"}) for n in range(PEOPLE)]
MEANWHILE = _record("pos", 7, {"type": "phone", "value": "+1 801 555 0107"})  # joins person 7


async def _persons(store: GraphStore) -> dict[frozenset[str], dict[str, Any]]:
    return {
        frozenset(row["records"]): {"identifiers": sorted(row["identifiers"]), "traits": row["traits"]}
        for row in await store.run(PERSON_STATES, {})
    }


async def test_a_concurrent_change_sends_only_its_piece_back(
    falkordb_store: GraphStore, second_falkordb_store: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    armed, left = [False], list[set[int]]()
    commit = pieces._commit

    async def meanwhile_then_commit(store: GraphStore, plans: list[Plan]) -> set[int]:
        if armed[0]:  # between the batch's read and its commit, a single upsert lands on person 7
            armed[0] = False
            assert (await other.identity.upsert_records([MEANWHILE])).errors == []
            left.append(await commit(store, plans))
            return left[-1]
        return await commit(store, plans)

    monkeypatch.setattr(pieces, "_commit", meanwhile_then_commit)
    other: Services
    async with services_on(falkordb_store, SETTINGS) as batch, services_on(falkordb_store, SETTINGS) as other:
        assert (await batch.identity.upsert_records(FIRST)).errors == []
        armed[0] = True
        outcome = await batch.identity.upsert_records(SECOND)
    assert outcome.errors == []
    assert (
        len(left) == 1 and len(left[0]) == 1
    )  # one piece of PEOPLE went back to the full resolver, the others were committed
    by_record = {r.index: r.person_id for r in outcome.results}
    assert len(set(by_record.values())) == PEOPLE  # every record reported with its person
    monkeypatch.undo()

    async with services_on(second_falkordb_store, SETTINGS) as single:
        for record in [*FIRST, MEANWHILE, *SECOND]:
            assert (await single.identity.upsert_records([record])).errors == []
    in_pieces, one_by_one = await _persons(falkordb_store), await _persons(second_falkordb_store)
    assert len(in_pieces) == PEOPLE
    assert in_pieces == one_by_one  # the same persons, with the same identifiers and golden traits
    seven = next(records for records in in_pieces if "pos:pos-7" in records)
    assert seven == {"crm:crm-7", "web:web-7", "pos:pos-7"}
