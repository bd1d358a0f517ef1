"""Probabilistic matching against the real database: records with no shared identifier are linked by their
traits, incrementally at ingest, without chaining strangers, and a reviewer's decisions stand."""

from __future__ import annotations

import asyncio
import json
import math
import random
from collections.abc import AsyncIterator
from typing import Any

import pytest

from graphcdp.identity.commit import COMMIT
from graphcdp.identity.component import COMPONENT_HOP, read_component
from graphcdp.identity.matching import matcher as matcher_module
from graphcdp.identity.matching.matcher import KEY_SIZES, WRITE_LINKS, MatchInput
from graphcdp.identity.matching.rescore import rescore_links
from graphcdp.identity.matching.spec import DEFAULT_MODEL, parse_model
from graphcdp.identity.matching.storage import active_model, store_model
from graphcdp.identity.matching.training import read_records, train
from graphcdp.identity.rematch import rematch_all
from graphcdp.identity.service import IdentityService
from graphcdp.identity.startup import RANKED
from graphcdp.model.identity import KeySize, RecordInput, SkippedBlock
from graphcdp.settings import load_settings
from graphcdp.store import GraphStore
from graphcdp.store.cypher import Query, StatementName
from tests.counting_store import CountingStore
from tests.identity_helpers import partition, rec
from tests.run_helpers import forget_migrations

UNRANK = Query(StatementName("test/unrank_review_queue"), dict)


@pytest.fixture
async def identity(store: GraphStore) -> AsyncIterator[IdentityService]:
    yield IdentityService(store, load_settings())


def default_model() -> dict[str, Any]:
    model: dict[str, Any] = json.loads(DEFAULT_MODEL.read_text(encoding="utf-8"))
    return model


def use_model(identity: IdentityService, model: dict[str, Any]) -> None:
    identity.matching.activate(parse_model(model, "test"))


def _address(postal: str, street: str | None = None, city: str | None = None) -> dict[str, str]:
    address = {"postalCode": postal}
    if street:
        address["street"] = street
    if city:
        address["city"] = city
    return address


def katherine() -> RecordInput:
    """A CRM contact that a receipt with a nickname and a surname typo should find."""
    return rec(
        "crm",
        "c1",
        1000,
        ("email", "katherine.smith@example.com"),
        firstName="Katherine",
        lastName="Smith",
        birthDate="1980-03-14",
        address=_address("10115", "Invalidenstrasse 12", "Berlin"),
    )


async def test_typos_and_nicknames_link_records_without_a_shared_identifier(identity: IdentityService) -> None:
    crm = katherine()
    receipt = rec(
        "pos",
        "r1",
        2000,
        firstName="Kathy",  # nickname
        lastName="Smiht",  # typo
        birthDate="1980-03-14",
        address=_address("10115", "Invalidenstr. 12", "Berlin"),
    )
    first = await identity.upsert_records([crm])
    second = await identity.upsert_records([receipt])
    assert second.errors == []
    assert second.matching.matched == 1
    assert second.results[0].person_id == first.results[0].person_id
    assert await partition(identity.store) == {frozenset({"crm:c1", "pos:r1"})}
    person = await identity.person(first.results[0].person_id)
    assert person is not None
    matched = [e.detail for e in person.history if e.kind == "matched"]
    assert [e["records"] for e in matched] == [["crm:c1", "pos:r1"]]
    assert matched[0]["rule"] == "default@0" and matched[0]["score"] >= 0.95


async def test_a_dry_run_scores_matches_and_reports_the_merge_without_writing(identity: IdentityService) -> None:
    crm = katherine()
    first = await identity.upsert_records([crm])
    before = await partition(identity.store)
    receipt = rec(
        "pos", "r1", 2000, firstName="Kathy", lastName="Smiht", birthDate="1980-03-14", address=_address("10115")
    )
    # Two new records of one batch meet each other too, although neither is indexed.
    survey = rec("web", "s1", 3000, firstName="Bo", lastName="Lindqvist", birthDate="1975-06-02")
    again = rec("app", "s2", 4000, firstName="Bo", lastName="Lindqvist", birthDate="1975-06-02")

    preview = await identity.upsert_records([receipt, survey, again], dry_run=True)
    assert preview.errors == [] and preview.matching.matched == 2
    by_index = {r.index: r for r in preview.results}
    assert by_index[0].person_id == first.results[0].person_id  # joins Katherine's person
    assert by_index[1].person_id == by_index[2].person_id != by_index[0].person_id
    assert await partition(identity.store) == before  # nothing written: no record, no link, no key
    assert await identity.record("pos", "r1") is None
    assert await identity.store.run(KEY_SIZES, {"keys": ["b:firstName+lastName=bo|lindqvist"]}) == []

    stored = await identity.upsert_records([receipt, survey, again])
    persons = {r.index: r.person_id for r in stored.results}
    assert persons[0] == first.results[0].person_id and persons[1] == persons[2] != persons[0]  # as previewed
    assert stored.matching.matched == preview.matching.matched


async def test_a_common_surname_with_another_birth_date_does_not_link(identity: IdentityService) -> None:
    await identity.upsert_records(
        [
            rec("crm", "1", 1000, firstName="Maria", lastName="Garcia", birthDate="1980-01-01"),
            rec("pos", "2", 2000, firstName="Maria", lastName="Garcia", birthDate="1991-07-12"),
        ]
    )
    assert await partition(identity.store) == {frozenset({"crm:1"}), frozenset({"pos:2"})}


def _chain_model() -> dict[str, Any]:
    """A model where two postcodes that differ are strong evidence against: a moved person is not assumed."""
    model = default_model()
    model["prior"] = 0.01
    model["comparisons"] = [
        {"field": "firstName", "levels": [{"kind": "exact", "m": 0.9, "u": 0.01}], "else": {"m": 0.1, "u": 0.99}},
        {"field": "lastName", "levels": [{"kind": "exact", "m": 0.9, "u": 0.01}], "else": {"m": 0.1, "u": 0.99}},
        {"field": "birthDate", "levels": [{"kind": "exact", "m": 0.9, "u": 0.001}], "else": {"m": 0.01, "u": 0.99}},
        {
            "field": "address.postalCode",
            "levels": [{"kind": "exact", "m": 0.9, "u": 0.01}],
            "else": {"m": 0.001, "u": 0.999},
        },
    ]
    model["blocking"] = {"rules": [{"parts": ["firstName", "lastName"]}], "maxBlockSize": 50}
    model["thresholds"] = {"support": 0.1, "review": 0.5, "auto": 0.95}
    return model


CHAIN = {
    "A": rec("crm", "A", 1000, firstName="John", lastName="Miller", birthDate="1980-01-01", address=_address("10115")),
    "B": rec("web", "B", 2000, firstName="John", lastName="Miller", birthDate="1980-01-01"),
    "C": rec("pos", "C", 3000, firstName="John", lastName="Miller", address=_address("80331")),
}


@pytest.mark.parametrize("order", ["ACB", "BCA", "CAB"])
async def test_a_borderline_chain_does_not_pull_strangers_together(identity: IdentityService, order: str) -> None:
    # A~B and B~C score above auto; A and C disagree (two postcodes): C must not join A's person through B.
    use_model(identity, _chain_model())
    for name in order:
        await identity.upsert_records([CHAIN[name]])
    assert await partition(identity.store) == {frozenset({"crm:A", "web:B"}), frozenset({"pos:C"})}
    c = await identity.record("pos", "C")
    assert c is not None
    assert c.person is not None
    person = await identity.person(c.person)
    assert person is not None
    refused = [e.detail for e in person.history if e.kind == "rejected_link"]
    assert refused and "crm:A and pos:C do not match" in refused[-1]["reason"]


async def test_a_component_follows_the_links_of_its_seeds_not_links_refused_elsewhere(
    identity: IdentityService,
) -> None:
    # B~C was refused (C disagrees with A, B's person). Resolving A's person must not read C: refused links
    # chained households into components of thousands of records. Resolving C reads B's person through C's link.
    use_model(identity, _chain_model())
    for name in "ABC":
        await identity.upsert_records([CHAIN[name]])
    assert await partition(identity.store) == {frozenset({"crm:A", "web:B"}), frozenset({"pos:C"})}
    limit = identity.rules.max_component_records
    assert set((await read_component(identity.store, ["crm:A"], [], limit)).records) == {"crm:A", "web:B"}
    assert set((await read_component(identity.store, ["pos:C"], [], limit)).records) == {"crm:A", "web:B", "pos:C"}


async def test_a_match_refused_against_a_record_that_leaves_applies_once_it_has_left(
    identity: IdentityService,
) -> None:
    # A and B share an email (and a birth date: Jon and John are one person); C matches B but not A (another
    # first name and postcode), so B~C is refused. When A drops the email, B is released from A and B~C holds:
    # the same people as had A never had it.
    use_model(identity, _chain_model())
    a = rec("crm", "A", 1000, ("email", "millers@example.com"), firstName="Jon", lastName="Miller")
    a.traits["address"] = _address("10115")
    a.traits["birthDate"] = "1980-01-01"
    b = rec("web", "B", 2000, ("email", "millers@example.com"), firstName="John", lastName="Miller")
    b.traits["birthDate"] = "1980-01-01"
    c = rec("pos", "C", 3000, firstName="John", lastName="Miller", address=_address("80331"))
    for record in (a, b, c):
        await identity.upsert_records([record])
    assert await partition(identity.store) == {frozenset({"crm:A", "web:B"}), frozenset({"pos:C"})}

    a.identifiers = []
    outcome = await identity.upsert_records([a])
    assert outcome.errors == [] and outcome.matching.matched == 0
    assert await partition(identity.store) == {frozenset({"crm:A"}), frozenset({"web:B", "pos:C"})}


async def test_review_accept_links_and_reject_keeps_the_pair_apart_for_good(identity: IdentityService) -> None:
    # First and last name agree and nothing else is known: between the review and auto thresholds.
    await identity.upsert_records(
        [
            rec("crm", "1", 1000, ("email", "anna@example.com"), firstName="Anna", lastName="Ramirez"),
            rec("pos", "2", 2000, ("loyalty_id", "L2"), firstName="Anna", lastName="Ramirez"),
            rec("crm", "3", 3000, ("email", "bo@example.com"), firstName="Bo", lastName="Lindqvist"),
            rec("pos", "4", 4000, ("loyalty_id", "L4"), firstName="Bo", lastName="Lindqvist"),
        ]
    )
    queue, more = await identity.review_queue(10, None)
    assert not more and sorted((i.a, i.b) for i in queue) == [("crm:1", "pos:2"), ("crm:3", "pos:4")]
    assert all(0.5 <= i.score < 0.95 for i in queue)
    assert len(await partition(identity.store)) == 4

    anna = next(i for i in queue if i.a == "crm:1")
    bo = next(i for i in queue if i.a == "crm:3")
    persons = await identity.resolve_match(anna.id, accept=True)
    assert len(persons) == 1
    assert await identity.resolve_match(bo.id, accept=False) != []
    assert await partition(identity.store) == {
        frozenset({"crm:1", "pos:2"}),
        frozenset({"crm:3"}),
        frozenset({"pos:4"}),
    }
    assert (await identity.review_queue(10, None))[0] == []

    # Re-ingest both rejected records with more in common: still never proposed, still apart.
    again = await identity.upsert_records(
        [
            rec("crm", "3", 3000, ("email", "bo@example.com"), firstName="Bo", lastName="Lindqvist", gender="m"),
            rec("pos", "4", 4000, ("loyalty_id", "L4"), firstName="Bo", lastName="Lindqvist", gender="m"),
        ]
    )
    assert again.matching.pairs_scored == 0
    assert (await identity.review_queue(10, None))[0] == []
    assert frozenset({"crm:3"}) in await partition(identity.store)

    person = await identity.person(persons[0])
    assert person is not None
    accepted = [e.detail for e in person.history if e.kind == "matched"]
    assert accepted and accepted[-1]["reviewed"] is True and accepted[-1]["rule"] == "review"


async def test_review_queue_entries_stored_without_a_rank_are_ranked_at_start(identity: IdentityService) -> None:
    await identity.upsert_records(
        [
            rec("crm", "1", 1000, ("email", "anna@example.com"), firstName="Anna", lastName="Ramirez"),
            rec("pos", "2", 2000, ("loyalty_id", "L2"), firstName="Anna", lastName="Ramirez"),
        ]
    )
    queued, _ = await identity.review_queue(10, None)
    assert [(i.a, i.b) for i in queued] == [("crm:1", "pos:2")]
    assert await identity.store.run(UNRANK, {}) == [{"unranked": 1}]
    assert (await identity.review_queue(10, None))[0] == []  # the queue is read by rank: unranked is unseen

    await forget_migrations(identity.store, RANKED)  # as on a graph a graphcdp before ranks wrote
    await identity.start()
    assert (await identity.review_queue(10, None))[0] == queued
    await identity.start()  # nothing left to rank
    assert (await identity.review_queue(10, None))[0] == queued
    await identity.close()


async def test_a_pair_scored_again_below_the_review_threshold_leaves_the_queue(identity: IdentityService) -> None:
    # Same records, same rule (default@0), a stricter review threshold: the stored POSSIBLE_MATCH is not stale
    # by content or rule, yet scored again it is no candidate pair any more, so it goes.
    await identity.upsert_records(
        [
            rec("crm", "1", 1000, ("email", "anna@example.com"), firstName="Anna", lastName="Ramirez"),
            rec("pos", "2", 2000, ("loyalty_id", "L2"), firstName="Anna", lastName="Ramirez"),
        ]
    )
    queue, _ = await identity.review_queue(10, None)
    assert [(i.a, i.b) for i in queue] == [("crm:1", "pos:2")] and queue[0].score < 0.94
    stricter = default_model()
    stricter["thresholds"] = {"support": 0.05, "review": 0.94, "auto": 0.95}
    use_model(identity, stricter)
    assert identity.matching.rule == "default@0"

    await rematch_all(identity.store, identity.rules, identity.matching)
    assert (await identity.review_queue(10, None))[0] == []
    assert len(await partition(identity.store)) == 2


async def test_agreeing_on_a_rare_surname_weighs_more_than_on_a_common_one(identity: IdentityService) -> None:
    model = default_model()
    model["prior"] = 0.001
    model["termFrequency"] = {"minRecords": 10}
    use_model(identity, model)
    # 60 Smiths (different people) make Smith common; Zywiec is rare.
    await identity.upsert_records(
        [
            rec("crm", f"s{n}", 1000 + n, firstName=f"Name{n}", lastName="Smith", birthDate=f"19{40 + n % 50}-01-01")
            for n in range(60)
        ]
    )
    out = await identity.upsert_records(
        [
            rec("crm", "smith-a", 5000, firstName="Anna", lastName="Smith", address=_address("10115")),
            rec("pos", "smith-b", 6000, firstName="Anna", lastName="Smith", address=_address("10115")),
            rec("crm", "zywiec-a", 7000, firstName="Anna", lastName="Zywiec", address=_address("10115")),
            rec("pos", "zywiec-b", 8000, firstName="Anna", lastName="Zywiec", address=_address("10115")),
        ]
    )
    assert out.matching.matched == 1 and out.matching.possible == 1
    clusters = await partition(identity.store)
    assert frozenset({"crm:zywiec-a", "pos:zywiec-b"}) in clusters
    assert frozenset({"crm:smith-a"}) in clusters and frozenset({"pos:smith-b"}) in clusters
    queue, _ = await identity.review_queue(10, None)
    assert [(i.a, i.b) for i in queue] == [("crm:smith-a", "pos:smith-b")]
    assert queue[0].explanation is not None
    last_name = next(f for f in queue[0].explanation.fields if f.field == "lastName")
    assert last_name.level == "exact" and last_name.term_frequency == pytest.approx(62 / 64)


async def test_a_block_over_the_cap_is_skipped_and_counted(identity: IdentityService) -> None:
    model = default_model()
    model["blocking"] = {"rules": [{"parts": ["firstName", "lastName"]}], "maxBlockSize": 3}
    use_model(identity, model)
    outcomes = [
        await identity.upsert_records(
            [rec("crm", str(n), 1000 + n, firstName="Tom", lastName="Jones", birthDate=f"198{n}-05-05")]
        )
        for n in range(5)
    ]
    assert [o.matching.pairs_scored for o in outcomes] == [0, 1, 2, 0, 0]
    assert outcomes[3].matching.blocks_skipped == [SkippedBlock(key="b:firstName+lastName=tom|jones", size=4)]
    assert outcomes[4].matching.blocks_skipped == [SkippedBlock(key="b:firstName+lastName=tom|jones", size=5)]


async def test_a_match_hop_explains_itself_and_its_weights_add_up_to_the_score(identity: IdentityService) -> None:
    await identity.upsert_records(
        [
            rec(
                "crm",
                "c1",
                1000,
                ("email", "lena.berg@example.com"),
                firstName="Lena",
                lastName="Berg",
                birthDate="1975-06-30",
                address=_address("20095", city="Hamburg"),
            ),
            rec(
                "pos",
                "p1",
                2000,
                ("loyalty_id", "L77"),
                firstName="Lena",
                lastName="Berg",
                birthDate="1975-06-30",
                address=_address("20095", city="Hamburg"),
            ),
        ]
    )
    explanation = await identity.explain_link(("email", "lena.berg@example.com"), ("loyalty_id", "L77"))
    assert explanation.linked
    assert [(h.from_key, h.to_key, h.kind) for h in explanation.hops] == [
        ("identifier:email:lena.berg@example.com", "record:crm:c1", "identifier"),
        ("record:crm:c1", "record:pos:p1", "match"),
        ("record:pos:p1", "identifier:loyalty_id:L77", "identifier"),
    ]
    match = explanation.hops[1]
    assert match.explanation is not None and match.score is not None
    detail = match.explanation
    total = detail.prior_weight + sum(f.weight for f in detail.fields)
    assert total == pytest.approx(detail.weight, abs=1e-4)
    assert 1 / (1 + 2**-detail.weight) == pytest.approx(match.score, abs=1e-6)
    levels = {f.field: f.level for f in detail.fields}
    assert levels["firstName"] == levels["lastName"] == levels["birthDate"] == "exact"
    assert levels["phone"] == "null"


def national_id_model() -> dict[str, Any]:
    """A model that does not know yet what a birth date, a postcode or a national id (with typos) is worth:
    m equals u on every level, so they weigh nothing until training."""
    model = default_model()
    model["customTraits"] = ["nationalId"]
    kept = ("firstName", "lastName", "gender", "birthDate", "address.postalCode")
    model["comparisons"] = [c for c in model["comparisons"] if c["field"] in kept]
    model["comparisons"].append(
        {"field": "nationalId", "levels": [{"kind": "exact"}, {"kind": "damerauLevenshtein", "max": 1}], "else": {}}
    )
    for comparison in model["comparisons"]:
        comparison["termFrequency"] = False
        if comparison["field"] in ("birthDate", "address.postalCode", "nationalId"):
            for level in [*comparison["levels"], comparison["else"]]:
                level["m"] = level["u"] = 0.3
    rules = [["firstName", "lastName"], ["nationalId"], ["firstName", "birthDate"]]
    model["blocking"] = {"rules": [{"parts": parts} for parts in rules], "maxBlockSize": 50}
    return model


FIRST = ["Anna", "Ben", "Carla", "Dirk", "Eva", "Finn", "Gina", "Hugo", "Ida", "Jan", "Kim", "Lea", "Max", "Nina"]
LAST = ["Adler", "Brandt", "Conrad", "Dietz", "Engel", "Fuchs", "Graf", "Hahn", "Jung", "Kraus", "Lang", "Mohr"]


def national_id_people(people: int) -> tuple[list[RecordInput], set[frozenset[str]]]:
    """Two records per person, a CRM one and a receipt with a surname and (every third) national id typo,
    no identifier in common; and the true pairs."""
    records, draw = [], random.Random(7)
    for n in range(people):
        first, last = FIRST[n % len(FIRST)], LAST[(n * 7) % len(LAST)]
        national = f"{740000 + n * 37:06d}"
        typo = national[:-1] + str((int(national[-1]) + 1) % 10) if n % 3 == 0 else national
        born = f"19{draw.randint(40, 99)}-{draw.randint(1, 12):02d}-{draw.randint(1, 28):02d}"
        known = {"birthDate": born, "address": _address(str(draw.randint(10000, 99999))), "gender": "fm"[n % 2]}
        records.append(rec("crm", f"a{n}", 1000, firstName=first, lastName=last, nationalId=national, **known))
        typoed = last + ("e" if n % 2 else "")
        records.append(rec("pos", f"b{n}", 2000, firstName=first, lastName=typoed, nationalId=typo, **known))
    return records, {frozenset({f"crm:a{n}", f"pos:b{n}"}) for n in range(people)}


async def test_training_stores_a_model_that_learns_what_the_evidence_is_worth(identity: IdentityService) -> None:
    use_model(identity, national_id_model())
    people = 150
    records, truth = national_id_people(people)
    for start in range(0, len(records), 100):
        assert (await identity.upsert_records(records[start : start + 100])).errors == []
    assert len(await partition(identity.store)) == 2 * people  # untrained: names alone never reach auto

    before = identity.matching.model
    trained = train(before, await read_records(identity.store, before), random_pairs=20_000)
    stored = await store_model(identity.store, trained)
    assert stored.version == 1 and stored.trained is not None and stored.trained.blocked_pairs > 0
    active = await active_model(identity.store)
    assert active is not None and active.version == 1 and active.fingerprint == before.fingerprint
    identity.matching.activate(stored)
    learned = next(c for c in stored.comparisons if c.field == "nationalId")
    exact, other = learned.levels[0], learned.otherwise
    assert math.log2(exact.m / exact.u) > 5 and math.log2(other.m / other.u) < -2  # learned: strong both ways

    report = await rescore_links(identity.store, identity.matching)
    assert report.changes[("POSSIBLE_MATCH", "MATCHED")] > 0
    await rematch_all(identity.store, identity.rules, identity.matching)
    assert await partition(identity.store) == truth


async def test_deleting_the_record_that_bridged_two_matches_splits_them(identity: IdentityService) -> None:
    # A~B on names and birth date, B~C on names and postcode: one person. A and C alone agree on the names
    # only (review, not auto), so without B they are two people.
    await identity.upsert_records(
        [
            rec("crm", "A", 1000, firstName="Anna", lastName="Ramirez", birthDate="1980-01-01"),
            rec(
                "web",
                "B",
                2000,
                firstName="Anna",
                lastName="Ramirez",
                birthDate="1980-01-01",
                address=_address("78707"),
            ),
            rec("pos", "C", 3000, firstName="Anna", lastName="Ramirez", address=_address("78707")),
        ]
    )
    assert await partition(identity.store) == {frozenset({"crm:A", "web:B", "pos:C"})}
    block = "b:firstName+lastName=anna|ramirez"
    assert await identity.store.run(KEY_SIZES, {"keys": [block]}) == [KeySize(key=block, size=3)]

    await identity.delete_record("web", "B")
    assert await partition(identity.store) == {frozenset({"crm:A"}), frozenset({"pos:C"})}
    assert await identity.store.run(KEY_SIZES, {"keys": [block]}) == [KeySize(key=block, size=2)]


class _PausedBeforeLinks:
    """The same store, but a writer using it stops after it read its candidates, before it stores its links (or,
    a record just created with none to store, before it reads its component; or, one the write said is alone,
    before it commits its resolution), until released: the moment another writer can score the same pair and
    link it first."""

    def __init__(self, store: GraphStore) -> None:
        self._store = store
        self.waiting, self.release = asyncio.Event(), asyncio.Event()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    async def run(self, name: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        if name in (WRITE_LINKS, COMPONENT_HOP, COMMIT):
            self.waiting.set()
            await self.release.wait()
        return await self._store.run(name, params)  # type: ignore[arg-type]


async def test_a_match_found_by_a_concurrent_writer_is_not_undone(identity: IdentityService) -> None:
    # Writer A stores record a and reads its blocks before b exists; writer B stores b, finds a in its
    # blocks and links them. When A then stores a's links (none), B's link must stay: it is as fresh as a.
    traits = {"firstName": "Anna", "lastName": "Ramirez", "birthDate": "1980-01-01", "address": _address("78701")}
    paused = _PausedBeforeLinks(identity.store)
    writer_a = IdentityService(paused, load_settings())  # type: ignore[arg-type]
    first = asyncio.create_task(writer_a.upsert_records([rec("crm", "a", 1000, **traits)]))
    await asyncio.wait_for(paused.waiting.wait(), timeout=30)

    second = await identity.upsert_records([rec("pos", "b", 2000, **traits)])
    assert second.matching.matched == 1
    paused.release.set()
    assert (await first).errors == []

    assert await partition(identity.store) == {frozenset({"crm:a", "pos:b"})}
    third = await identity.upsert_records([rec("web", "c", 3000, ("email", "anna@example.com"), **traits)])
    assert third.matching.matched == 2  # and the next writer finds both, linked
    assert await partition(identity.store) == {frozenset({"crm:a", "pos:b", "web:c"})}


async def test_a_record_that_changes_loses_the_links_scored_from_its_old_content(identity: IdentityService) -> None:
    traits = {"firstName": "Anna", "lastName": "Ramirez", "birthDate": "1980-01-01", "address": _address("78701")}
    await identity.upsert_records([rec("crm", "a", 1000, **traits), rec("pos", "b", 2000, **traits)])
    assert await partition(identity.store) == {frozenset({"crm:a", "pos:b"})}

    # b is corrected to someone else entirely: the link scored from its old traits goes, and so does the merge.
    other = {"firstName": "Boris", "lastName": "Zywiec", "birthDate": "1955-07-30", "address": _address("10115")}
    changed = await identity.upsert_records([rec("pos", "b", 2000, **other)])
    assert changed.matching.matched == 0
    assert await partition(identity.store) == {frozenset({"crm:a"}), frozenset({"pos:b"})}


async def test_a_record_that_loses_its_traits_loses_its_links(identity: IdentityService) -> None:
    traits = {"firstName": "Anna", "lastName": "Ramirez", "birthDate": "1980-01-01", "address": _address("78701")}
    await identity.upsert_records([rec("crm", "a", 1000, **traits), rec("pos", "b", 2000, **traits)])
    assert await partition(identity.store) == {frozenset({"crm:a", "pos:b"})}

    # b now carries nothing to compare (no block, no candidate): what it was matched on is gone all the same.
    emptied = await identity.upsert_records([rec("pos", "b", 2000, ("loyalty_id", "L7"))])
    assert emptied.errors == [] and emptied.matching.pairs_scored == 0
    assert await partition(identity.store) == {frozenset({"crm:a"}), frozenset({"pos:b"})}


async def test_another_process_switches_to_a_model_stored_after_it_started(identity: IdentityService) -> None:
    # Two service processes on one graph: the first stores a model (setMatchingModel); the second, checking
    # before every batch (GRAPHCDP_MATCHING_MODEL_REFRESH=0), matches under it from its next batch on.
    other = IdentityService(identity.store, load_settings().model_copy(update={"matching_model_refresh": 0}))
    await other.load_stored_model()
    traits = {"firstName": "Anna", "lastName": "Ramirez", "birthDate": "1980-01-01", "address": _address("78701")}
    await other.upsert_records([rec("crm", "a", 1000, **traits)])
    shipped = other.matching.rule

    stricter = default_model() | {"name": "stricter", "prior": 1e-15}  # 50 bits more doubt about any pair
    stored = await identity.set_matching_model(stricter)
    assert other.matching.rule == shipped  # not before its next batch

    outcome = await other.upsert_records([rec("pos", "b", 2000, **traits)])
    assert other.matching.rule == f"stricter@{stored.version}" != shipped
    assert outcome.matching.pairs_scored == 1 and outcome.matching.matched == 0  # the stricter model's verdict


async def test_a_batch_parsed_ahead_under_one_model_is_filed_under_the_model_in_force_when_written(
    identity: IdentityService,
) -> None:
    # `graphcdp import` parses the next batch (match keys included) while one is written: a model stored in between
    # must not leave that batch filed under the old model's blocks.
    crm = katherine()
    batch = identity.parse_batch([crm])
    assert batch.features is not None
    old_keys = set(batch.features.keys("crm:c1"))
    narrower = default_model() | {"name": "narrower"}
    narrower["blocking"] = {"maxBlockSize": 200, "rules": [{"parts": ["lastName", "birthDate"]}]}
    await identity.set_matching_model(narrower)

    outcome = await identity.upsert_parsed(batch)

    assert [r.action.value for r in outcome.results] == ["CREATED"]
    new_keys = set(identity.matcher.prepare([MatchInput("crm:c1", dict(crm.traits), (), "")]).keys("crm:c1"))
    assert new_keys and new_keys != old_keys
    sizes = {row.key: row.size for row in await identity.store.run(KEY_SIZES, {"keys": sorted(old_keys | new_keys)})}
    assert {key for key, size in sizes.items() if size} == new_keys


async def test_the_write_that_stores_a_record_files_it_under_its_match_keys(store: GraphStore) -> None:
    counting = CountingStore(store)
    identity = IdentityService(counting, load_settings())  # type: ignore[arg-type] - counts, then delegates
    crm = katherine()
    first = await identity.upsert_records([crm])
    block = "b:firstName+lastName=katherine|smith"
    assert await store.run(KEY_SIZES, {"keys": [block]}) == [KeySize(key=block, size=1)]

    counting.calls.clear()
    receipt = rec("pos", "r1", 2000, firstName="Katherine", lastName="Smith", birthDate="1980-03-14")
    second = await identity.upsert_records([receipt])
    # One write stores and files the record; its answer carries the sizes the scoring needs.
    assert counting.calls["matching/index_records"] == 0 and counting.calls["matching/key_sizes"] == 0
    assert counting.calls["identity/upsert_records"] == 1
    assert second.matching.pairs_scored == 1 and second.matching.matched == 1
    assert second.results[0].person_id == first.results[0].person_id
    assert await store.run(KEY_SIZES, {"keys": [block]}) == [KeySize(key=block, size=2)]

    # New content: the record leaves the keys it no longer has, and a record sent again unchanged is not filed twice.
    renamed = rec("pos", "r1", 3000, firstName="Katherine", lastName="Jones", birthDate="1980-03-14")
    await identity.upsert_records([renamed])
    await identity.upsert_records([renamed])
    moved = "b:firstName+lastName=katherine|jones"
    assert await store.run(KEY_SIZES, {"keys": [block, moved]}) == [
        KeySize(key=block, size=1),
        KeySize(key=moved, size=1),
    ]


async def test_an_upsert_computes_each_records_match_features_once(
    identity: IdentityService, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The write files a record under keys made from its features, and the scoring after it compares those features:
    # computed once for both (twice, they were a tenth of an import's matching time).
    real = matcher_module.record_features
    computed: list[str] = []

    def counted(traits: Any, identifiers: Any, fields: Any) -> Any:
        computed.append(traits["lastName"])
        return real(traits, identifiers, fields)

    monkeypatch.setattr(matcher_module, "record_features", counted)  # the candidates' side is stored_features'
    receipt = rec("pos", "r1", 2000, firstName="Katherine", lastName="Smith-Jones", birthDate="1980-03-14")
    outcome = await identity.upsert_records([katherine(), receipt])
    assert outcome.matching.pairs_scored == 1
    assert sorted(computed) == ["Smith", "Smith-Jones"]


class _LinkWrites:
    """The same store, noting the records each write of links is asked to clear of stale links."""

    def __init__(self, store: GraphStore) -> None:
        self._store = store
        self.cleared: list[list[str]] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    async def run(self, name: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        if name == WRITE_LINKS and params is not None:
            self.cleared.append(list(params["records"]))
        return await self._store.run(name, params)  # type: ignore[arg-type]


async def test_only_records_stored_before_are_cleared_of_stale_links(identity: IdentityService) -> None:
    # A record created by this write holds no link that is stale (another writer's is scored from the content it
    # has); looking for them on every new record of an import batch cost FalkorDB 0.3 to 0.5 s per 5,000.
    traits = {"firstName": "Anna", "lastName": "Ramirez", "birthDate": "1980-01-01", "address": _address("78701")}
    spy = _LinkWrites(identity.store)
    writer = IdentityService(spy, load_settings())  # type: ignore[arg-type]
    first = await writer.upsert_records([rec("crm", "a", 1000, **traits), rec("pos", "b", 2000, **traits)])
    assert first.matching.matched == 1 and spy.cleared == [[]]
    assert await partition(identity.store) == {frozenset({"crm:a", "pos:b"})}

    other = {"firstName": "Boris", "lastName": "Zywiec", "birthDate": "1955-07-30", "address": _address("10115")}
    await writer.upsert_records([rec("pos", "b", 2000, **other), rec("web", "c", 3000, **traits)])
    assert spy.cleared[-1] == ["pos:b"]  # stored before, with new content: its old link goes
    assert await partition(identity.store) == {frozenset({"crm:a", "web:c"}), frozenset({"pos:b"})}
