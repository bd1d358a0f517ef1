"""Identity resolution against the real database: linking, merges, protection, splits, explanations."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from graphcdp.identity.component import read_component
from graphcdp.identity.input import parse_record_item
from graphcdp.identity.service import UPSERT_RECORDS, IdentityService, record_param
from graphcdp.model.identity import ItemError, RecordAction
from graphcdp.settings import load_settings
from graphcdp.store import GraphStore
from tests.identity_helpers import partition, rec


@pytest.fixture
async def identity(store: GraphStore) -> AsyncIterator[IdentityService]:
    yield IdentityService(store, load_settings())


async def test_records_link_through_shared_identifiers_across_sources(identity: IdentityService) -> None:
    out = await identity.upsert_records(
        [
            rec("crm", "1", 1000, ("email", "Ada@Example.com"), ("customer_id", "C1"), firstName="Ada"),
            rec("web", "w9", 2000, ("email", " ada@example.COM "), ("cookie_id", "ck1")),
            rec("pos", "p1", 3000, ("phone", "+1 415 555 2671")),
        ]
    )
    assert outcome_errors(out) == []
    assert out.results[0].person_id == out.results[1].person_id != out.results[2].person_id
    person = await identity.profile("cookie_id", "ck1")
    assert person is not None and person.id == out.results[0].person_id
    assert {i.key for i in person.identifiers} == {
        "email:ada@example.com",
        "customer_id:C1",
        "cookie_id:ck1",
    }
    assert [r.source_id for r in person.records] == ["1", "w9"]
    assert person.traits == {"firstName": "Ada"}
    assert await partition(identity.store) == {frozenset({"crm:1", "web:w9"}), frozenset({"pos:p1"})}


def outcome_errors(out: object) -> list[object]:
    return list(getattr(out, "errors"))  # noqa: B009


async def test_chain_merge_keeps_the_oldest_id_and_redirects(identity: IdentityService) -> None:
    a = await identity.upsert_records([rec("crm", "a", 1000, ("email", "a@x.com"))])
    c = await identity.upsert_records([rec("crm", "c", 3000, ("phone", "+14155552671"))])
    oldest, youngest = a.results[0].person_id, c.results[0].person_id
    b = await identity.upsert_records([rec("web", "b", 2000, ("email", "a@x.com"), ("phone", "+14155552671"))])
    assert b.results[0].action is RecordAction.MERGED
    assert b.results[0].person_id == oldest
    assert b.persons_merged == [youngest]
    assert await partition(identity.store) == {frozenset({"crm:a", "web:b", "crm:c"})}
    redirected = await identity.person(youngest)
    assert redirected is not None and redirected.id == oldest
    assert any(e.kind == "merged_from" and e.detail["persons"] == [youngest] for e in redirected.history)


async def test_merge_protection_and_shared_flag(identity: IdentityService) -> None:
    out = await identity.upsert_records(
        [
            rec("crm", "1", 1000, ("customer_id", "A"), ("email", "family@x.com")),
            rec("crm", "2", 2000, ("customer_id", "B"), ("email", "family@x.com")),
            rec("crm", "3", 3000, ("customer_id", "C"), ("email", "family@x.com")),
        ]
    )
    ids = [r.person_id for r in out.results]
    assert len(set(ids)) == 3, "two customer_ids must never share a person"
    assert {(r.record, r.identifier) for r in out.links_rejected} == {
        ("crm:2", "email:family@x.com"),
        ("crm:3", "email:family@x.com"),
    }
    second = await identity.person(ids[1])
    assert second is not None
    rejected = [e for e in second.history if e.kind == "rejected_link"]
    assert rejected and "customer_id" in rejected[0].detail["reason"] and "limit 1" in rejected[0].detail["reason"]
    family = await identity.profile("email", "family@x.com")
    assert family is not None and family.id == ids[0]
    flag = next(i for i in family.identifiers if i.key == "email:family@x.com")
    assert flag.shared is True


async def test_blocked_values_are_stored_but_never_link(identity: IdentityService) -> None:
    out = await identity.upsert_records(
        [
            rec("web", "1", 1000, ("email", "test@test.com"), ("cookie_id", "k1")),
            rec("web", "2", 2000, ("email", "TEST@test.com"), ("cookie_id", "k2")),
        ]
    )
    assert outcome_errors(out) == []
    assert out.results[0].person_id != out.results[1].person_id
    assert await identity.profile("email", "test@test.com") is None


async def test_idempotent_resend(identity: IdentityService) -> None:
    batch = [rec("crm", "1", 1000, ("email", "a@x.com")), rec("web", "2", 2000, ("email", "a@x.com"))]
    first = await identity.upsert_records(batch)
    before = await partition(identity.store)
    again = await identity.upsert_records(batch)
    assert [r.action for r in again.results] == [RecordAction.UNCHANGED, RecordAction.UNCHANGED]
    assert [r.person_id for r in again.results] == [r.person_id for r in first.results]
    assert await partition(identity.store) == before
    person = await identity.profile("email", "a@x.com")
    assert person is not None and len(person.records) == 2 and len(person.identifiers) == 1


async def test_dry_run_reports_and_writes_nothing(identity: IdentityService) -> None:
    await identity.upsert_records(
        [rec("crm", "a", 1000, ("email", "a@x.com")), rec("crm", "c", 3000, ("phone", "+14155552671"))]
    )
    before = await partition(identity.store)
    dry = await identity.upsert_records(
        [rec("web", "b", 2000, ("email", "a@x.com"), ("phone", "+14155552671"))], dry_run=True
    )
    assert dry.results[0].action is RecordAction.MERGED
    assert len(dry.persons_merged) == 1
    assert await partition(identity.store) == before
    assert await identity.record("web", "b") is None
    resent = await identity.upsert_records([rec("crm", "a", 1000, ("email", "a@x.com"))], dry_run=True)
    assert resent.results[0].action is RecordAction.UNCHANGED
    fresh = await identity.upsert_records([rec("app", "n", 4000, ("cookie_id", "brand-new"))], dry_run=True)
    assert fresh.results[0].action is RecordAction.CREATED
    assert fresh.results[0].person_id == "new:1" and fresh.persons_created == ["new:1"]
    assert await identity.profile("cookie_id", "brand-new") is None


async def test_detach_splits_and_the_oldest_keeps_the_id(identity: IdentityService) -> None:
    out = await identity.upsert_records(
        [
            rec("crm", "a", 1000, ("email", "a@x.com")),
            rec("web", "b", 2000, ("email", "a@x.com"), ("phone", "+14155552671")),
            rec("pos", "c", 3000, ("phone", "+14155552671")),
        ]
    )
    person = out.results[0].person_id
    persons = await identity.detach_record("web", "b")
    assert await partition(identity.store) == {frozenset({"crm:a"}), frozenset({"web:b"}), frozenset({"pos:c"})}
    assert person in persons and len(persons) == 3
    kept = await identity.record("crm", "a")
    assert kept is not None and kept.person == person


async def test_delete_removes_evidence_and_reclusters(identity: IdentityService) -> None:
    out = await identity.upsert_records(
        [
            rec("crm", "a", 1000, ("email", "a@x.com")),
            rec("web", "b", 2000, ("email", "a@x.com"), ("phone", "+14155552671")),
            rec("pos", "c", 3000, ("phone", "+14155552671"), ("cookie_id", "only-in-c")),
        ]
    )
    person = out.results[0].person_id
    persons = await identity.delete_record("web", "b")
    assert await partition(identity.store) == {frozenset({"crm:a"}), frozenset({"pos:c"})}
    assert len(persons) == 2 and person in persons
    assert await identity.record("web", "b") is None
    resent = await identity.upsert_records([rec("crm", "a", 1000, ("email", "a@x.com"))], dry_run=True)
    assert resent.results[0].action is RecordAction.UNCHANGED
    fresh = await identity.upsert_records([rec("app", "n", 4000, ("cookie_id", "brand-new"))], dry_run=True)
    assert fresh.results[0].action is RecordAction.CREATED
    assert fresh.results[0].person_id == "new:1" and fresh.persons_created == ["new:1"]
    assert await identity.profile("cookie_id", "brand-new") is None
    c = await identity.profile("cookie_id", "only-in-c")
    assert c is not None and c.id != person


async def test_deleting_the_only_record_removes_its_identifiers_and_empties_the_person(
    identity: IdentityService,
) -> None:
    out = await identity.upsert_records([rec("crm", "solo", 1000, ("email", "solo@x.com"))])
    person = out.results[0].person_id
    assert await identity.delete_record("crm", "solo") == []
    assert await identity.profile("email", "solo@x.com") is None
    assert await identity.person(person) is None


async def test_explain_link_gives_the_evidence_path(identity: IdentityService) -> None:
    await identity.upsert_records(
        [
            rec("crm", "a", 1000, ("email", "a@x.com"), ("customer_id", "C1")),
            rec("web", "b", 2000, ("email", "a@x.com"), ("cookie_id", "k1")),
        ]
    )
    explained = await identity.explain_link(("customer_id", "C1"), ("cookie_id", "k1"))
    assert explained.linked
    assert [(h.from_key, h.to_key) for h in explained.hops] == [
        ("identifier:customer_id:C1", "record:crm:a"),
        ("record:crm:a", "identifier:email:a@x.com"),
        ("identifier:email:a@x.com", "record:web:b"),
        ("record:web:b", "identifier:cookie_id:k1"),
    ]
    assert explained.hops[2].source == "web" and explained.hops[2].at == 2000
    unlinked = await identity.explain_link(("customer_id", "C1"), ("email", "nobody@x.com"))
    assert not unlinked.linked


async def test_an_update_that_drops_the_linking_identifier_splits_the_person(identity: IdentityService) -> None:
    await identity.upsert_records(
        [rec("crm", "a", 1000, ("email", "a@x.com")), rec("web", "b", 2000, ("email", "a@x.com"), ("cookie_id", "k"))]
    )
    assert await partition(identity.store) == {frozenset({"crm:a", "web:b"})}
    await identity.upsert_records([rec("web", "b", 2000, ("cookie_id", "k"))])  # the email was a typo: gone
    assert await partition(identity.store) == {frozenset({"crm:a"}), frozenset({"web:b"})}
    ada = await identity.profile("email", "a@x.com")
    cookie = await identity.profile("cookie_id", "k")
    assert ada is not None and cookie is not None and ada.id != cookie.id


async def test_the_component_limit_is_on_one_connected_piece_not_on_a_whole_batch(
    store: GraphStore,
) -> None:
    # Three people of two records each: one batch reads six records, yet no piece holds more than two.
    # A batch of 5,000 touchpoints used to be refused as "more than 10,000 records linked together".
    settings = load_settings().model_copy(update={"max_component_records": 3})
    identity = IdentityService(store, settings)
    people = [
        rec(source, f"{name}-{source}", at, ("email", f"{name}@example.com"))
        for name in ("ann", "bob", "cyd")
        for at, source in enumerate(("crm", "web"), start=1)
    ]
    outcome = await identity.upsert_records(people)
    assert outcome.errors == [] and len(await partition(store)) == 3

    # One person of four records is one piece above the limit: refused, with the reason.
    family = [rec(source, "dee", 1, ("email", "dee@example.com")) for source in ("crm", "web", "pos", "app")]
    refused = await identity.upsert_records(family)
    assert {e.code for e in refused.errors} == {"COMPONENT_TOO_LARGE"} and len(refused.errors) == 4
    assert "more than 3 records are linked together" in refused.errors[0].message


async def test_a_component_is_the_same_read_from_any_of_its_records_or_identifiers(identity: IdentityService) -> None:
    # A chain a -email- b -phone- c, and d apart: one person, read hop by hop (records with the
    # identifiers they hold, and the members of every person reached) from each end.
    await identity.upsert_records(
        [
            rec("crm", "a", 1000, ("email", "a@x.com")),
            rec("web", "b", 2000, ("email", "a@x.com"), ("phone", "+14155550101")),
            rec("pos", "c", 3000, ("phone", "+14155550101"), ("cookie_id", "k1")),
            rec("app", "d", 4000, ("email", "test@example.com")),
        ]
    )
    limit = identity.rules.max_component_records
    reads = [
        await read_component(identity.store, ["crm:a"], [], limit),
        await read_component(identity.store, ["pos:c"], [], limit),
        await read_component(identity.store, [], ["cookie_id:k1"], limit),
    ]
    for component in reads:
        assert set(component.records) == {"crm:a", "web:b", "pos:c"}
        assert set(component.identifiers) == {"email:a@x.com", "phone:+14155550101", "cookie_id:k1"}
        (person,) = component.persons.values()
        assert {r.person for r in component.records.values()} == {person.id}
        assert person.traits is not None  # read with its members
    # Between a write and its resolution, an identifier the person owns that no record holds any more (c dropped
    # the cookie) is part of her component all the same: the resolution reads it, so it can leave her.
    dropped = parse_record_item(
        0,
        {
            "source": "pos",
            "sourceId": "c",
            "observedAt": 3000,
            "identifiers": [{"type": "phone", "value": "+14155550101"}],
        },
        identity.policy,
    )
    assert not isinstance(dropped, ItemError)
    await identity.store.run(UPSERT_RECORDS, {"now": 5000, "records": [record_param(dropped)], "firstHop": False})
    assert "cookie_id:k1" in (await read_component(identity.store, ["crm:a"], [], limit)).identifiers
    await identity.upsert_records([rec("pos", "c", 3000, ("phone", "+14155550101"), ("email", "c@x.com"))])
    assert "cookie_id:k1" not in (await read_component(identity.store, ["crm:a"], [], limit)).identifiers
