"""Reading an evidence component hop by hop against the real database: what each hop is told it has read already,
and that nothing is read twice."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from graphcdp.identity import resolver
from graphcdp.identity.component import COMPONENT_HOP, Component, CreatedRecords, read_component
from graphcdp.identity.input import parse_record_item
from graphcdp.identity.matching.matcher import MatchReport
from graphcdp.identity.pieces import MIN_BATCH
from graphcdp.identity.service import UPSERT_RECORDS, IdentityService, created_records, record_param
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
    await identity.store.run(
        UPSERT_RECORDS, {"now": 3000, "records": [record_param(r) for r in new], "firstHop": False}
    )  # type: ignore[arg-type]

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


async def _written(
    identity: IdentityService, items: list[Any], *, first_hop: bool
) -> tuple[CreatedRecords | None, list[dict[str, Any]], dict[int, Any]]:
    """The items written in one statement (its first hop asked or not), and what it answered for those it created."""
    parsed = [parse_record_item(n, item, identity.policy) for n, item in enumerate(items)]
    records = [r for r in parsed if not isinstance(r, ItemError)]
    assert len(records) == len(items)
    params = [record_param(r) for r in records]
    rows = await identity.store.run(UPSERT_RECORDS, {"now": 3000, "records": params, "firstHop": first_hop})
    by_index = {row.index: row for row in rows}
    return created_records(records, by_index, params, MatchReport(), answered=first_hop), params, by_index


def _read_state(component: Component) -> tuple[Any, ...]:
    return (component.records, component.identifiers, component.persons)


async def test_a_record_the_write_created_is_taken_as_the_first_hop_would_read_it(
    identity: IdentityService, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The write answers for each record it creates as the component read's first hop would: its identifiers as
    # stored, each linking one with the records that hold it and its owner. Resolution takes that instead of a round
    # trip to read it back, and what it takes must be what the read gives: a blocked identifier another record holds
    # too (a placeholder email) ties it to no one, an identifier a person owns brings her, one two new records share
    # brings both.
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
    created, params, by_index = await _written(identity, items, first_hop=True)
    assert all(row.held is not None for row in by_index.values())
    keys = ["web:1", "web:2", "web:3", "web:4", "web:5"]
    assert created is not None and [row.key for row in created.records] == keys  # not web:6

    log = HopLog(identity.store)
    monkeypatch.setattr(identity.store, "run", log.run)
    for key in keys:
        before = len(log.hops)
        read = await read_component(identity.store, [key], [], 100)
        read_hops = len(log.hops) - before
        given = await read_component(identity.store, [key], [], 100, created)
        given_hops = log.hops[before + read_hops :]
        assert _read_state(given) == _read_state(read)
        # One hop fewer, and the record itself never read back.
        assert len(given_hops) == read_hops - 1 and all(key not in params["records"] for params, _ in given_hops)
    shared = (await read_component(identity.store, ["web:2"], [], 100, created)).identifiers["email:a@x.com"]
    assert shared.records == ["crm:a", "web:2"] and shared.person is not None
    # A record already stored is not answered for: the first hop reads it.
    again = await identity.store.run(UPSERT_RECORDS, {"now": 4000, "records": params[:1], "firstHop": True})
    assert again[0].held is None


async def test_a_bulk_write_s_created_records_are_taken_and_only_their_identifiers_read(
    identity: IdentityService, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A bulk write does not read its created records' identifiers back (that costs more than the hop): resolution
    # takes the records as written and the first hop reads their identifiers, blocked or not, to learn how each is
    # stored. Two are stored otherwise than today's policy parses them (written under another blocklist): one blocked
    # that the policy lets through, one not blocked that it blocks. What is taken must be what a full read gives.
    await identity.upsert_records([rec("crm", "a", 1000, ("email", "a@x.com"))])
    older = [
        parse_record_item(0, rec_item("crm", "y", 1000, ("email", "test@test.com")), identity.policy),
        parse_record_item(1, rec_item("crm", "z", 1000, ("email", "was-blocked@x.com")), identity.policy),
    ]
    assert not any(isinstance(r, ItemError) for r in older)
    older_params = [record_param(r) for r in older]  # type: ignore[arg-type]
    older_params[0]["identifiers"][0]["blocked"] = False  # today's policy blocks this placeholder
    older_params[1]["identifiers"][0]["blocked"] = True
    await identity.store.run(UPSERT_RECORDS, {"now": 1500, "records": older_params, "firstHop": False})
    items = [
        rec_item("web", "1", 2000, ("cookie_id", "k1"), ("email", "test@test.com")),
        rec_item("web", "2", 2000, ("cookie_id", "k2"), ("email", "a@x.com")),  # held by crm:a, who has a person
        rec_item("web", "3", 2000, ("cookie_id", "k3"), ("email", "was-blocked@x.com")),
        rec_item("web", "4", 2000, ("cookie_id", "k4"), ("cookie_id", "shared")),
        rec_item("web", "5", 2000, ("cookie_id", "k5"), ("cookie_id", "shared")),
        rec_item("web", "6", 2000, firstName="Nobody"),
        rec_item("web", "7", 2000, ("cookie_id", "k7"), firstName="Ann"),  # sent twice: its last copy is stored
        rec_item("web", "7", 2000, ("cookie_id", "k7"), firstName="Anna"),
    ] + [rec_item("web", f"f{n}", 2000, ("cookie_id", f"f{n}")) for n in range(MIN_BATCH)]
    created, _, _ = await _written(identity, items, first_hop=False)
    assert created is not None and created.identifiers is None
    taken = {row.key for row in created.records}
    assert "web:7" not in taken and {"web:1", "web:2", "web:3", "web:6", "web:f0"} <= taken

    log = HopLog(identity.store)
    monkeypatch.setattr(identity.store, "run", log.run)
    seeds = sorted(taken)
    read = await read_component(identity.store, seeds, [], 1000)
    read_hops = len(log.hops)
    given = await read_component(identity.store, seeds, [], 1000, created)
    assert _read_state(given) == _read_state(read)
    assert given.records["web:1"].identifiers == ["cookie_id:k1", "email:test@test.com"]  # not blocked as stored
    assert given.records["web:3"].identifiers == ["cookie_id:k3"]  # blocked as stored
    assert "email:was-blocked@x.com" not in given.identifiers  # read only to learn that: not kept
    assert given.records["web:2"].person is None and given.identifiers["email:a@x.com"].person is not None
    # The created records are never read back.
    assert all(not set(params["records"]) & taken for params, _ in log.hops[read_hops:])


async def test_a_created_record_that_matching_linked_is_taken_with_its_links(
    identity: IdentityService, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A receipt matching links to a CRM contact (a nickname, a typo, the same birth date and address) and a login
    # that shares the contact's email: each upsert's resolution takes the new record as the write answered, with the
    # links matching stored; the component it plans is the one a full read gives.
    compared: list[tuple[tuple[Any, ...], tuple[Any, ...]]] = []

    async def comparing(
        store: GraphStore, records: Any, identifiers: Any, limit: int, created: CreatedRecords | None = None
    ) -> Component:
        component = await read_component(store, records, identifiers, limit, created)
        if created is not None:
            compared.append(
                (_read_state(component), _read_state(await read_component(store, records, identifiers, limit)))
            )
        return component

    monkeypatch.setattr(resolver, "read_component", comparing)
    address = {"postalCode": "10115", "street": "Invalidenstrasse 12", "city": "Berlin"}
    crm = rec("crm", "c1", 1000, ("email", "k.smith@x.com"), firstName="Katherine", lastName="Smith",
              birthDate="1980-03-14", address=address)  # fmt: skip
    receipt = rec("pos", "r1", 2000, firstName="Kathy", lastName="Smiht", birthDate="1980-03-14",
                  address=address | {"street": "Invalidenstr. 12"})  # fmt: skip
    login = rec("web", "l1", 3000, ("email", "k.smith@x.com"), ("cookie_id", "kk"), firstName="Katherine")
    first = await identity.upsert_records([crm])
    second = await identity.upsert_records([receipt])
    assert second.matching.matched == 1 and second.results[0].person_id == first.results[0].person_id
    third = await identity.upsert_records([login])
    assert third.results[0].person_id == first.results[0].person_id
    assert len(compared) == 3
    for given, read in compared:
        assert given == read
    receipt_state = compared[1][0][0]["pos:r1"]
    assert [m.other for m in receipt_state.matches] == ["crm:c1"] and not receipt_state.matches[0].reviewed


async def test_a_new_visitors_upsert_reads_no_component(identity: IdentityService) -> None:
    counting = CountingStore(identity.store)
    writer = IdentityService(counting, load_settings())  # type: ignore[arg-type]
    first = await writer.upsert_records([rec("web", "v1", 1000, ("cookie_id", "c1"))])
    assert first.results[0].action == RecordAction.CREATED
    assert counting.calls[str(COMPONENT_HOP.name)] == 0
    # Her login later meets her cookie: the person that owns it is read, not the new record.
    login = await writer.upsert_records([rec("web", "v2", 2000, ("cookie_id", "c1"), ("email", "v@x.com"))])
    assert login.results[0].person_id == first.results[0].person_id
    assert counting.calls[str(COMPONENT_HOP.name)] >= 1
