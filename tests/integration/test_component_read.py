"""Reading an evidence component hop by hop against the real database: what each hop is told it has read already,
and that nothing is read twice."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from graphcdp.identity.component import COMPONENT_HOP, Component, read_component
from graphcdp.identity.input import parse_record_item
from graphcdp.identity.matching.matcher import MatchReport
from graphcdp.identity.service import UPSERT_RECORDS, IdentityService, alone_records, record_param
from graphcdp.model.identity import ComponentHop, ItemError, RecordAction
from graphcdp.settings import load_settings
from graphcdp.store import GraphStore
from tests.counting_store import CountingStore
from tests.identity_helpers import rec, rec_item


@pytest.fixture
async def identity(store: GraphStore) -> AsyncIterator[IdentityService]:
    yield IdentityService(store, load_settings())


class HopLog:
    """The component hops a store runs, each with its parameters and its answer (the real store answers)."""

    def __init__(self, store: GraphStore) -> None:
        self.hops: list[tuple[dict[str, Any], list[ComponentHop]]] = []
        self._run = store.run

    async def run(self, query: Any, params: Any = None) -> Any:
        rows = await self._run(query, params)
        if query is COMPONENT_HOP:
            self.hops.append((dict(params), list(rows)))
        return rows


async def test_a_hop_is_told_only_what_it_could_meet_again_and_reads_nothing_twice(
    identity: IdentityService, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two persons, then a batch of new records that reach both through their emails, stored and not resolved yet:
    # the read starts from the new records (hop 1), reaches the persons through the identifiers, and reads their
    # members and everything they own (hop 2). Sending every record and identifier read so far to each hop, as
    # `IN` lists that FalkorDB checks one element at a time, made the second hop of a 5,000-record batch quadratic.
    await identity.upsert_records(
        [
            rec("crm", "a", 1000, ("email", "a@x.com"), ("phone", "+14155550101"), firstName="Ann"),
            rec("crm", "b", 1000, ("email", "b@x.com"), ("cookie_id", "kb"), firstName="Bo"),
        ]
    )
    new = [
        parse_record_item(0, rec_item("web", "1", 2000, ("email", "a@x.com"), ("cookie_id", "k1")), identity.policy),
        parse_record_item(1, rec_item("web", "2", 2000, ("email", "b@x.com"), ("cookie_id", "k2")), identity.policy),
        parse_record_item(2, rec_item("web", "3", 2000, ("cookie_id", "k1"), ("cookie_id", "k3")), identity.policy),
    ]
    assert not any(isinstance(r, ItemError) for r in new)
    await identity.store.run(UPSERT_RECORDS, {"now": 3000, "records": [record_param(r) for r in new], "alone": False})  # type: ignore[arg-type]

    log = HopLog(identity.store)
    monkeypatch.setattr(identity.store, "run", log.run)
    component = await read_component(identity.store, ["web:1", "web:2", "web:3"], [], 100)

    assert set(component.records) == {"crm:a", "crm:b", "web:1", "web:2", "web:3"}
    assert set(component.identifiers) == {
        "email:a@x.com",
        "email:b@x.com",
        "phone:+14155550101",
        "cookie_id:kb",
        "cookie_id:k1",
        "cookie_id:k2",
        "cookie_id:k3",
    }
    assert len(log.hops) >= 2 and log.hops[1][0]["persons"] == sorted(component.persons)
    seen_records: set[str] = set()
    seen_identifiers: set[str] = set()
    for params, rows in log.hops:
        persons = set(params["persons"])
        # Told of the records of the persons it expands and nothing else: the new records have no person.
        assert all(component.records[k].person in persons for k in params["knownRecords"])
        for key in params["known"]:
            state = component.identifiers[key]
            assert state.person in persons or any(h not in seen_records for h in state.records)
        records = {r.key for hop in rows for r in hop.records}
        identifiers = {i.key for hop in rows for i in hop.identifiers}
        assert not records & seen_records and not identifiers & seen_identifiers  # nothing read twice
        seen_records |= records
        seen_identifiers |= identifiers
    assert log.hops[1][0]["knownRecords"] == []
    assert "cookie_id:k3" not in log.hops[1][0]["known"]  # its only holder, web:3, was read in hop 1


def _read_state(component: Component) -> tuple[Any, ...]:
    return (component.records, component.identifiers, component.persons)


async def test_a_record_the_write_created_alone_is_the_component_a_read_gives(
    identity: IdentityService, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A new visitor's record (new cookie, new email) is a component of its own: the write says so and what it holds,
    # and resolution takes that instead of a round trip to read it back. What it takes must be what the read gives:
    # a blocked identifier another record holds too (a placeholder email) does not tie it to anyone.
    await identity.upsert_records([rec("crm", "a", 1000, ("email", "a@x.com"), ("email", "test@test.com"))])
    items = [
        rec_item("web", "1", 2000, ("cookie_id", "k1"), ("email", "new@x.com"), ("email", "test@test.com")),
        rec_item("web", "2", 2000, ("cookie_id", "k2"), ("email", "a@x.com")),  # held by crm:a
        rec_item("web", "3", 2000, ("cookie_id", "k3"), ("cookie_id", "shared")),  # and web:4 in the same write
        rec_item("web", "4", 2000, ("cookie_id", "k4"), ("cookie_id", "shared")),
        rec_item("web", "5", 2000, firstName="Nobody"),  # no identifier at all
        rec_item("web", "6", 2000, ("cookie_id", "k6"), firstName="Ann"),  # sent twice: its last copy is stored
        rec_item("web", "6", 2000, ("cookie_id", "k6"), firstName="Anna"),
    ]
    parsed = [parse_record_item(n, item, identity.policy) for n, item in enumerate(items)]
    records = [r for r in parsed if not isinstance(r, ItemError)]
    assert len(records) == len(items)
    params = [record_param(r) for r in records]
    rows = await identity.store.run(UPSERT_RECORDS, {"now": 3000, "records": params, "alone": True})
    by_index = {row.index: row for row in rows}
    assert [by_index[r.index].alone is not None for r in records[:5]] == [True, False, False, False, True]
    alone = alone_records(records, by_index, params, MatchReport())
    assert alone is not None and [row.key for row in alone.records] == ["web:1", "web:5"]  # not web:6

    log = HopLog(identity.store)
    monkeypatch.setattr(identity.store, "run", log.run)
    for key in ("web:1", "web:5"):
        given = read_component(identity.store, [key], [], 100, alone)
        assert _read_state(await given) == _read_state(await read_component(identity.store, [key], [], 100))
    assert len(log.hops) == 2  # one per read, none per record the write said is alone
    assert all(params["records"] == [key] for (params, _), key in zip(log.hops, ("web:1", "web:5"), strict=True))


async def test_a_new_visitors_upsert_reads_no_component(identity: IdentityService) -> None:
    counting = CountingStore(identity.store)
    writer = IdentityService(counting, load_settings())  # type: ignore[arg-type]
    first = await writer.upsert_records([rec("web", "v1", 1000, ("cookie_id", "c1"))])
    assert first.results[0].action == RecordAction.CREATED
    assert counting.calls[str(COMPONENT_HOP.name)] == 0
    # Her login later meets her cookie: that record is not alone, and its component is read.
    login = await writer.upsert_records([rec("web", "v2", 2000, ("cookie_id", "c1"), ("email", "v@x.com"))])
    assert login.results[0].person_id == first.results[0].person_id
    assert counting.calls[str(COMPONENT_HOP.name)] >= 1
