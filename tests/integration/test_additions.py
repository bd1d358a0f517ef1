"""Set-based resolution of new evidence (graphcdp/identity/additions.py) on the real embedded database: what it
resolves, and that a writer committing between its read and its commit makes it write nothing."""

from __future__ import annotations

from typing import Any

from graphcdp.identity.additions import COMMIT_ADDITIONS, NewEvidence, resolve_additions
from graphcdp.identity.evidence import UPSERT_EVIDENCE, Observation, evidence_rows
from graphcdp.identity.resolver import resolve
from graphcdp.identity.service import IdentityService
from graphcdp.model.identity import UpsertedEvidence
from graphcdp.settings import load_settings
from graphcdp.store import GraphStore
from graphcdp.store.cypher import Query, StatementName
from tests.identity_helpers import partition, rec

PERSON_IDS = Query(StatementName("test/person_ids"), dict)
PERSON_STATES = Query(StatementName("test/person_states"), dict)


async def _store_evidence(
    store: GraphStore, identity: IdentityService, sets: tuple[tuple[tuple[str, str], ...], ...], at: int
) -> tuple[list[dict[str, Any]], list[UpsertedEvidence]]:
    observations = [
        Observation(tuple(identity.policy.normalize(t, v) for t, v in identifiers), at + n)
        for n, identifiers in enumerate(sets)
    ]
    rows = evidence_rows("touchpoints", observations)
    return rows, await store.run(UPSERT_EVIDENCE, {"now": 1, "evidence": rows})


async def _new_evidence(
    store: GraphStore, identity: IdentityService, *sets: tuple[tuple[str, str], ...], at: int = 1000
) -> list[NewEvidence]:
    rows, stored = await _store_evidence(store, identity, sets, at)
    person = {row.key: row.person for row in stored}
    return [
        NewEvidence(r["key"], tuple((i["key"], i["type"]) for i in r["identifiers"]), person[r["key"]]) for r in rows
    ]


async def test_new_sets_join_the_one_person_they_reach_or_make_one_and_merges_are_left_over(
    falkordb_store: GraphStore,
) -> None:
    identity = IdentityService(falkordb_store, load_settings(matching=False))
    ada = await identity.upsert_records([rec("crm", "1", 10, ("email", "ada@x.com"))])
    bob = await identity.upsert_records([rec("crm", "2", 20, ("email", "bob@x.com"))])
    await identity.upsert_records([rec("crm", "3", 30, ("email", "cy@x.com"))])
    new = await _new_evidence(
        falkordb_store,
        identity,
        (("cookie_id", "k1"), ("email", "ada@x.com")),  # joins Ada
        (("cookie_id", "k1"),),  # the same cookie: one cluster with the set above
        (("cookie_id", "k2"),),  # nobody yet: a new person
        (("email", "bob@x.com"), ("email", "cy@x.com")),  # merges two persons: left to the full resolver
    )
    done = await resolve_additions(falkordb_store, identity.rules, new)
    assert done.rest == [new[3].key]
    assert {key: done.person_of[key] for key in (new[0].key, new[1].key)} == dict.fromkeys(
        (new[0].key, new[1].key), ada.results[0].person_id
    )
    assert done.created == [done.person_of[new[2].key]] and bob.results[0].person_id not in done.person_of.values()
    await resolve(falkordb_store, identity.rules, record_keys=done.rest)
    groups = await partition(falkordb_store)
    assert groups == {
        frozenset({"crm:1", new[0].key, new[1].key}),
        frozenset({new[2].key}),
        frozenset({"crm:2", "crm:3", new[3].key}),
    }


async def test_sets_reaching_one_person_apart_and_stored_sets_moved_back_stay_set_based(
    falkordb_store: GraphStore,
) -> None:
    identity = IdentityService(falkordb_store, load_settings(matching=False))
    ada = await identity.upsert_records([rec("crm", "1", 10, ("email", "ada@x.com"), ("phone", "+14155550101"))])
    ada_id = ada.results[0].person_id
    sets = (
        (("cookie_id", "k0"), ("email", "ada@x.com")),
        (("cookie_id", "k1"), ("email", "ada@x.com")),
        (("cookie_id", "k2"), ("phone", "+14155550101")),
    )
    first = await _new_evidence(falkordb_store, identity, sets[0], at=2000)
    assert (await resolve_additions(falkordb_store, identity.rules, first)).person_of == {first[0].key: ada_id}
    # The first set again, observed earlier than before (stored, Ada's, to resolve again), and two sets reaching
    # Ada through different identifiers (one cluster, as in the full plan).
    new = await _new_evidence(falkordb_store, identity, *sets, at=1000)
    assert new[0].key == first[0].key and new[0].person == ada_id and new[1].person is None
    done = await resolve_additions(falkordb_store, identity.rules, new)
    assert done.rest == [] and done.created == []
    assert done.person_of == {n.key: ada_id for n in new}
    assert await partition(falkordb_store) == {frozenset({"crm:1", *(n.key for n in new)})}
    states = await falkordb_store.run(PERSON_STATES, {})
    assert [row["recordCount"] for row in states] == [4]  # the stored set counted once
    # All resolved: sent again they are unchanged, and the full resolver finds nothing to change.
    _, again = await _store_evidence(falkordb_store, identity, sets, 5000)
    assert all(row.unchanged and row.person == ada_id for row in again)
    full = await resolve(falkordb_store, identity.rules, record_keys=[n.key for n in new])
    assert full.record_moves == [] and full.identifier_moves == [] and full.retirements == [] and not full.changes
    assert await falkordb_store.run(PERSON_STATES, {}) == states


async def test_with_matching_a_family_address_is_left_to_the_full_plan_that_refuses_it_to_the_nameless(
    falkordb_store: GraphStore, second_falkordb_store: GraphStore
) -> None:
    """A defect found: a touchpoint's cookie and a family's address (themillers@, held by Anna Miller's record) was
    joined to Anna set-based, where the full plan refuses it (a record naming no one cannot be placed by an address
    that names a family, graphcdp/identity/family_address.py). It goes to the full resolver now; a cookie with Anna's
    own address still joins her set-based."""
    sets = (
        (("cookie_id", "k1"), ("email", "themillers@example.com")),
        (("cookie_id", "k2"), ("email", "anna.miller@example.com")),
    )
    graphs = []
    for store, set_based in ((falkordb_store, True), (second_falkordb_store, False)):
        identity = IdentityService(store, load_settings(matching=True))
        anna = rec("shop", "1", 10, ("email", "themillers@example.com"), ("email", "anna.miller@example.com"),
                   firstName="Anna", lastName="Miller")  # fmt: skip
        await identity.upsert_records([anna])
        new = await _new_evidence(store, identity, *sets)
        keys = [n.key for n in new]
        if set_based:
            done = await resolve_additions(store, identity.rules, new)
            assert done.rest == [keys[0]] and list(done.person_of) == [keys[1]]
            keys = done.rest
        plan = await resolve(store, identity.rules, record_keys=keys)
        if set_based:
            assert [(r.record, r.identifier) for r in plan.rejections] == [(new[0].key, "email:themillers@example.com")]
        graphs.append((await partition(store), await store.run(PERSON_STATES, {})))
    assert graphs[0][0] == {frozenset({"shop:1", new[1].key}), frozenset({new[0].key})}
    assert graphs[0] == graphs[1]  # the set-based road and the full one leave the same graph


class _ConcurrentWriter:
    """The real store, with another writer resolving the same records just before the set-based commit."""

    def __init__(self, store: GraphStore, identity: IdentityService, keys: list[str]) -> None:
        self.store, self.identity, self.keys = store, identity, keys

    async def run(self, query: Query[Any], params: dict[str, Any] | None = None) -> list[Any]:
        if query.name == COMMIT_ADDITIONS.name:
            await resolve(self.store, self.identity.rules, record_keys=self.keys)
        return await self.store.run(query, params)


async def test_a_writer_committing_in_between_makes_the_commit_write_nothing(falkordb_store: GraphStore) -> None:
    identity = IdentityService(falkordb_store, load_settings(matching=False))
    await identity.upsert_records([rec("crm", "1", 10, ("email", "ada@x.com"))])
    new = await _new_evidence(
        falkordb_store, identity, (("cookie_id", "k1"), ("email", "ada@x.com")), (("cookie_id", "k2"),)
    )
    keys = [n.key for n in new]
    writer = _ConcurrentWriter(falkordb_store, identity, keys)
    done = await resolve_additions(writer, identity.rules, new)  # type: ignore[arg-type]
    assert done.person_of == {} and done.created == [] and sorted(done.rest) == sorted(keys)
    # Only the other writer's persons exist: one for Ada (with her cookie), one for the second cookie.
    assert await partition(falkordb_store) == {frozenset({"crm:1", keys[0]}), frozenset({keys[1]})}
    assert len(await falkordb_store.run(PERSON_IDS, {})) == 2
