"""Concurrent small upserts written together (graphcdp/identity/upsert_groups.py): fewer statements, and each
request still answered about its own records only, as if it had been written alone."""

from __future__ import annotations

import asyncio
from typing import cast

from graphcdp.identity.service import UPSERT_RECORDS, IdentityService
from graphcdp.model.identity import RecordAction, RecordInput, UpsertOutcome
from graphcdp.settings import load_settings
from graphcdp.store import GraphStore
from tests.counting_store import CountingStore
from tests.identity_helpers import partition, rec


def counted(store: GraphStore, **settings: object) -> tuple[IdentityService, CountingStore]:
    counting = CountingStore(store)
    service = IdentityService(cast(GraphStore, counting), load_settings().model_copy(update=settings))
    return service, counting


async def upsert_together(identity: IdentityService, requests: list[list[RecordInput]]) -> list[UpsertOutcome]:
    return list(await asyncio.gather(*(identity.upsert_records(items) for items in requests)))


async def test_concurrent_single_upserts_are_written_together_and_each_answered_about_its_own(
    store: GraphStore,
) -> None:
    identity, counting = counted(store)
    people = [
        [rec("crm", f"c{n}", 1000 + n, ("email", f"p{n}@example.com"), ("phone", f"+1415555{n:04d}"))] for n in range(8)
    ]
    # The last two share an email with the first: one person of three records, made by the first request.
    people.append([rec("web", "w0", 2000, ("email", "p0@example.com"), ("cookie_id", "ck0"))])
    people.append([rec("app", "a0", 3000, ("cookie_id", "ck0"))])
    outcomes = await upsert_together(identity, people)

    # All ten arrived before the first write started: one write for all.
    assert counting.calls[str(UPSERT_RECORDS.name)] == 1
    assert all(o.errors == [] and len(o.results) == 1 and o.results[0].index == 0 for o in outcomes)
    created = [person for o in outcomes for person in o.persons_created]
    assert len(created) == len(set(created)) == 8  # each new person named once, by the request that made her
    for n, outcome in enumerate(outcomes[:8]):
        person = await identity.profile("email", f"p{n}@example.com")
        assert person is not None and outcome.results[0].person_id == person.id
        assert outcome.results[0].action is RecordAction.CREATED
    ada = outcomes[0].results[0].person_id
    assert outcomes[8].results[0].person_id == outcomes[9].results[0].person_id == ada
    assert await partition(store) == {
        frozenset({"crm:c0", "web:w0", "app:a0"}),
        *(frozenset({f"crm:c{n}"}) for n in range(1, 8)),
    }


async def test_two_requests_naming_the_same_record_are_not_written_together(store: GraphStore) -> None:
    identity, counting = counted(store)
    first = rec("crm", "1", 1000, ("email", "ada@example.com"), firstName="Ada")
    second = rec("crm", "1", 2000, ("email", "ada@example.com"), firstName="Adele")
    other = rec("crm", "2", 1000, ("email", "bob@example.com"))
    outcomes = await upsert_together(identity, [[other], [first], [second]])
    # `other` and `first` together; `second` names the record `first` does: it waits for the next write.
    assert counting.calls[str(UPSERT_RECORDS.name)] == 2
    assert [o.results[0].action for o in outcomes] == [RecordAction.CREATED, RecordAction.CREATED, RecordAction.UPDATED]
    person = await identity.profile("email", "ada@example.com")
    assert person is not None and person.traits == {"firstName": "Adele"}


async def test_a_request_whose_resolution_fails_leaves_the_rest_of_its_group_resolved(store: GraphStore) -> None:
    # A person of three records is at the component limit: one more record of hers is refused. Written in one
    # group with her, the others' records must still be resolved, each request as if it had been alone.
    identity, _ = counted(store, max_component_records=3)
    family = [rec(source, "dee", 1, ("email", "dee@example.com")) for source in ("crm", "web", "pos")]
    assert (await identity.upsert_records(family)).errors == []
    strangers = [[rec("crm", f"s{n}", 5, ("email", f"s{n}@example.com"))] for n in range(4)]
    one_more = [rec("app", "dee", 5, ("email", "dee@example.com"))]
    outcomes = await upsert_together(identity, [strangers[0], one_more, *strangers[1:]])

    refused = outcomes[1]
    assert [(e.index, e.code) for e in refused.errors] == [(0, "COMPONENT_TOO_LARGE")]
    for n, outcome in enumerate([outcomes[0], *outcomes[2:]]):
        assert outcome.errors == [] and len(outcome.persons_created) == 1
        person = await identity.profile("email", f"s{n}@example.com")
        assert person is not None and [person.id] == outcome.persons_created == [outcome.results[0].person_id]


async def test_grouping_set_to_one_record_writes_every_request_on_its_own(store: GraphStore) -> None:
    identity, counting = counted(store, upsert_group_records=1)
    requests = [[rec("crm", f"c{n}", 1000, ("email", f"p{n}@example.com"))] for n in range(5)]
    outcomes = await upsert_together(identity, requests)
    assert counting.calls[str(UPSERT_RECORDS.name)] == 5
    assert all(len(o.persons_created) == 1 for o in outcomes)


async def test_a_request_larger_than_a_group_is_written_on_its_own(store: GraphStore) -> None:
    identity, counting = counted(store, upsert_group_records=3)
    small = [[rec("crm", f"s{n}", 1000, ("email", f"s{n}@example.com"))] for n in range(3)]
    large = [rec("web", f"l{n}", 1000, ("email", f"l{n}@example.com")) for n in range(4)]
    outcomes = await upsert_together(identity, [*small, large])
    # The three small ones together; the batch of four records by itself, concurrently.
    assert counting.calls[str(UPSERT_RECORDS.name)] == 2
    assert [len(o.results) for o in outcomes] == [1, 1, 1, 4]
    assert [r.index for r in outcomes[3].results] == [0, 1, 2, 3]


async def test_what_matching_did_is_reported_when_the_resolution_after_it_fails(store: GraphStore) -> None:
    # Matching stores its links before the resolution; a resolution refused (the component over the limit) must not
    # hide them from the answer.
    identity, _ = counted(store, max_component_records=3)
    family = [
        rec(source, "dee", 1, ("email", "dee@example.com"), firstName="Dee", lastName="Dawson", birthDate="1980-02-03")
        for source in ("crm", "web", "pos")
    ]
    assert (await identity.upsert_records(family)).errors == []
    one_more = [
        rec("app", "dee", 5, ("email", "dee@example.com"), firstName="Dee", lastName="Dawson", birthDate="1980-02-03")
    ]
    outcome = await identity.upsert_records(one_more)
    assert [e.code for e in outcome.errors] == ["COMPONENT_TOO_LARGE"]
    assert outcome.matching.pairs_scored == 3  # the new record against each of the family's
