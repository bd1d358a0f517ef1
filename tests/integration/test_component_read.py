"""Reading an evidence component hop by hop against the real database: what each hop is told it has read already,
and that nothing is read twice."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from graphcdp.identity.component import COMPONENT_HOP, read_component
from graphcdp.identity.input import parse_record_item
from graphcdp.identity.service import UPSERT_RECORDS, IdentityService, record_param
from graphcdp.model.identity import ComponentHop, ItemError
from graphcdp.settings import load_settings
from graphcdp.store import GraphStore
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
    await identity.store.run(UPSERT_RECORDS, {"now": 3000, "records": [record_param(r) for r in new]})  # type: ignore[arg-type]

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
