"""Compiled segment statements against the real database: persons built through the identity and profile
services (so facets are written as in production), then membership (refresh), preview and explanation of
definitions of every kind, which must agree with each other person by person."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

import graphcdp.segments.compiler as compiler_module
from graphcdp.feed.erasure import forget_changes
from graphcdp.feed.reader import bounds, read_changes
from graphcdp.feed.retention import Retention, prune
from graphcdp.identity.facet_repair import fill_touchpoint_facets, fill_trait_facets
from graphcdp.identity.normalize import IdentifierPolicy
from graphcdp.identity.service import IdentityService
from graphcdp.model.profiles import ConsentStatus, TouchpointInput
from graphcdp.privacy.consent import ConsentRequest
from graphcdp.profiles.metrics import DAY_MS, MetricsConfig
from graphcdp.profiles.service import ProfileService
from graphcdp.segments.compiler import (
    Dialect,
    compile_explain,
    compile_preview,
    compile_refresh,
    dialect_of,
)
from graphcdp.segments.definition import Definition, Dependency, parse_definition
from graphcdp.segments.explanation import explanation
from graphcdp.segments.service import SegmentService
from graphcdp.settings import load_settings
from graphcdp.store import GraphStore
from graphcdp.store.cypher import Query, StatementName
from graphcdp.webhooks.dispatcher import CHANGES_BY_SEQUENCE
from tests.identity_helpers import rec
from tests.segment_corpus import CORPUS

NOW = 1_780_000_000_000  # 2026-05-28
POLICY = IdentifierPolicy()
CREATE_SEGMENTS = Query(StatementName("test/create_segments"), dict)
MEMBERS = Query(StatementName("test/segment_members"), dict)
REMOVE_FACETS = Query(StatementName("test/remove_facets"), dict)
EVERYTHING = Query(StatementName("test/everything"), dict)


@dataclass
class World:
    store: GraphStore
    identity: IdentityService
    profiles: ProfileService
    metrics: MetricsConfig
    ids: dict[str, str]  # name -> person id

    @property
    def dialect(self) -> Dialect:
        return dialect_of(self.store)


def tp(id_: str, email: str, type_: str, at: int, **extra: object) -> TouchpointInput:
    return TouchpointInput.model_validate(
        {"id": id_, "type": type_, "occurredAt": at, "identifiers": [{"type": "email", "value": email}], **extra}
    )


@pytest.fixture
async def world(store: GraphStore) -> AsyncIterator[World]:
    settings = load_settings()
    identity = IdentityService(store, settings)
    profiles = ProfileService(identity, settings)
    await identity.upsert_records(
        [
            rec(
                "crm",
                "ada",
                NOW - 900 * DAY_MS,
                ("email", "ada@example.com"),
                firstName="Ada",
                birthDate="1990-05-28",
                address={"region": "CA", "city": "Oakland"},
                tags=["vip", "early"],
            ),
            rec(
                "crm",
                "bob",
                NOW - 900 * DAY_MS,
                ("email", "bob@example.com"),
                ("phone", "+14155550100"),
                firstName="Bob",
                birthDate="2008-05-29",
                address={"region": "NY"},
                score=12.5,
            ),
            rec("crm", "cy", NOW - 900 * DAY_MS, ("email", "cy@example.com"), firstName="Cy"),
        ]
    )
    await profiles.track(
        [
            tp("a1", "ada@example.com", "order", NOW - 2 * DAY_MS, amount=80.0),
            tp("a2", "ada@example.com", "order", NOW - 10 * DAY_MS, amount=45.5),
            tp("a3", "ada@example.com", "page_view", NOW - 3 * DAY_MS, channel="web", properties={"category": "shoes"}),
            tp(
                "a4",
                "ada@example.com",
                "page_view",
                NOW - 4 * DAY_MS,
                channel="WEB",
                properties={"category": "shoes", "size": 38},
            ),
            tp(
                "a5", "ada@example.com", "page_view", NOW - 60 * DAY_MS, channel="web", properties={"category": "shoes"}
            ),
            tp("b1", "bob@example.com", "order", NOW - 400 * DAY_MS, amount=20.0),
            tp("b2", "bob@example.com", "page_view", NOW - 1 * DAY_MS, channel="app", properties={"category": "hats"}),
        ]
    )
    for email, status, at in (
        ("ada@example.com", ConsentStatus.GRANTED, NOW - 5 * DAY_MS),
        ("bob@example.com", ConsentStatus.GRANTED, NOW - 9 * DAY_MS),
        ("bob@example.com", ConsentStatus.REVOKED, NOW - 8 * DAY_MS),
    ):
        await profiles.set_consent(ConsentRequest("email", email, "marketing", "email", status, at, "test"))
    ids = {}
    for name in ("ada", "bob", "cy"):
        person = await identity.profile("email", f"{name}@example.com")
        assert person is not None
        ids[name] = person.id
    yield World(store, identity, profiles, MetricsConfig.from_settings(settings), ids)


def definition(raw: object) -> Definition:
    return parse_definition(raw, POLICY)


async def selected(world: World, raw: object) -> set[str]:
    """The names of the persons a definition selects, by preview; checked against explain for each person."""
    defn = definition(raw)
    preview = await compile_preview(defn, world.dialect, NOW, 10, metrics=world.metrics).run(world.store)
    by_id = {v: k for k, v in world.ids.items()}
    chosen = {by_id[i] for i in preview[0].sample}
    assert preview[0].size == len(chosen)
    explain = compile_explain(defn, world.dialect, NOW, metrics=world.metrics)
    for name, pid in world.ids.items():
        rows = await explain.run(world.store, person=pid)
        assert explanation(defn, rows[0]).member == (name in chosen), (raw, name)
    return chosen


CASES: list[tuple[object, set[str]]] = [
    ({"trait": "address.region", "eq": "CA"}, {"ada"}),
    ({"trait": "address.region", "ne": "CA"}, {"bob", "cy"}),
    ({"trait": "address.region", "in": ["CA", "NY"]}, {"ada", "bob"}),
    ({"trait": "address.city", "contains": "kla"}, {"ada"}),
    ({"trait": "firstName", "startsWith": "B"}, {"bob"}),
    ({"trait": "score", "gt": 12}, {"bob"}),
    ({"trait": "score", "lte": 12}, set()),
    ({"trait": "birthDate", "lt": "2000-01-01"}, {"ada"}),
    ({"trait": "tags", "eq": "vip"}, {"ada"}),
    ({"trait": "address.region", "exists": True}, {"ada", "bob"}),
    ({"trait": "address.region", "exists": False}, {"cy"}),
    ({"age": {"gte": 18}}, {"ada"}),  # bob turns 18 tomorrow
    ({"age": {"gte": 17, "lt": 18}}, {"bob"}),
    ({"age": {"eq": 36}}, {"ada"}),
    ({"identifier": "phone"}, {"bob"}),
    ({"identifier": "email", "eq": " ADA@Example.com "}, {"ada"}),
    ({"metric": "orders", "gte": 2}, {"ada"}),
    ({"metric": "revenue", "gt": 100}, {"ada"}),
    ({"metric": "daysSinceLastActivity", "lte": 1}, {"bob"}),
    ({"metric": "recencyScore", "eq": 1}, {"bob", "cy"}),
    (
        {
            "touchpoint": {"type": "page_view", "channel": "web", "properties": {"category": "shoes"}},
            "withinDays": 30,
            "count": {"gte": 2},
        },
        {"ada"},
    ),
    ({"touchpoint": {"type": "page_view", "properties": {"category": "shoes"}}, "count": {"gte": 3}}, {"ada"}),
    ({"touchpoint": {"properties": {"size": 38}}}, {"ada"}),
    ({"touchpoint": {"type": "order"}, "sum": {"gte": 100}}, {"ada"}),
    ({"touchpoint": {"type": "order"}, "count": {"eq": 0}}, {"cy"}),
    ({"consent": {"purpose": "marketing", "channel": "email"}}, {"ada"}),
    ({"consent": {"purpose": "Marketing"}}, {"ada"}),
    ({"all": [{"trait": "address.region", "exists": True}, {"not": {"metric": "orders", "gte": 2}}]}, {"bob"}),
    (
        {"any": [{"identifier": "phone"}, {"all": [{"age": {"gte": 18}}, {"consent": {"purpose": "marketing"}}]}]},
        {"ada", "bob"},
    ),
    # A first evaluation reaches these from the identifiers of the type (or key), the facets filtering them.
    ({"all": [{"trait": "address.region", "exists": True}, {"identifier": "phone"}]}, {"bob"}),
    (
        {"all": [{"trait": "address.region", "eq": "CA"}, {"identifier": "email"}, {"metric": "orders", "gte": 1}]},
        {"ada"},
    ),
    ({"all": [{"identifier": "email"}, {"not": {"identifier": "phone"}}]}, {"ada", "cy"}),
    ({"all": [{"identifier": "email", "eq": "cy@example.com"}, {"trait": "firstName", "eq": "Cy"}]}, {"cy"}),
    (
        {"all": [{"all": [{"identifier": "phone"}, {"trait": "firstName", "startsWith": "B"}]}, {"age": {"lt": 18}}]},
        {"bob"},
    ),
    ({"all": [{"identifier": "phone"}, {"consent": {"purpose": "marketing"}}]}, set()),
]


@pytest.mark.parametrize(("raw", "expected"), CASES)
async def test_each_condition_kind_selects_the_expected_persons(world: World, raw: object, expected: set[str]) -> None:
    assert await selected(world, raw) == expected


async def test_refresh_writes_membership_changes_and_history_and_agrees_with_preview(world: World) -> None:
    await world.store.run(CREATE_SEGMENTS, {"keys": ["ca", "ca-buyers", "other"]})
    ca = definition({"trait": "address.region", "eq": "CA"})
    buyers = definition({"all": [{"segment": "ca"}, {"metric": "orders", "gte": 1}]})
    refresh = compile_refresh(
        [("ca", ca), ("ca-buyers", buyers)], world.dialect, NOW, all_persons=True, metrics=world.metrics
    )
    changes = await refresh.run(world.store)
    assert {(c.person, c.segment, c.entered) for c in changes} == {
        (world.ids["ada"], "ca", True),
        (world.ids["ada"], "ca-buyers", True),
    }
    assert await refresh.run(world.store) == []  # nothing changes twice
    rows = await world.store.run(MEMBERS, {"key": "ca-buyers"})
    assert [(r["person"], r["since"]) for r in rows] == [(world.ids["ada"], NOW)]
    person = await world.identity.person(world.ids["ada"])
    assert person is not None
    assert [(e.kind, e.detail) for e in person.history if e.kind.startswith("segment")] == [
        ("segment_entered", {"segment": "ca"}),
        ("segment_entered", {"segment": "ca-buyers"}),
    ]
    # Ada moves to NY: she leaves both, in one statement for her alone.
    await world.identity.upsert_records(
        [rec("crm", "ada", NOW - 1, ("email", "ada@example.com"), address={"region": "NY"})]
    )
    later = compile_refresh(
        [("ca", ca), ("ca-buyers", buyers)], world.dialect, NOW + 1, all_persons=False, metrics=world.metrics
    )
    changes = await later.run(world.store, persons=[world.ids["ada"], world.ids["bob"]])
    assert {(c.segment, c.entered) for c in changes} == {("ca", False), ("ca-buyers", False)}
    assert await world.store.run(MEMBERS, {"key": "ca"}) == []


async def test_segment_history_is_kept_off_the_person_node_and_read_back_in_order(world: World) -> None:
    await world.store.run(CREATE_SEGMENTS, {"keys": ["ca", "ca-buyers"]})
    ca = definition({"trait": "address.region", "eq": "CA"})
    buyers = definition({"all": [{"segment": "ca"}, {"metric": "orders", "gte": 1}]})
    segments = [("ca", ca), ("ca-buyers", buyers)]
    await compile_refresh(segments, world.dialect, NOW, all_persons=True, metrics=world.metrics, fresh=True).run(
        world.store
    )
    # While she is a member, her entries are her IN edges' `since`: entering stores no history event.
    rows = await world.store.run(EVERYTHING, {})
    assert not [r for r in rows if "SegmentEvents" in r["labels"]]
    member = await world.identity.person(world.ids["ada"])
    assert member is not None
    assert [(e.kind, e.at, e.detail) for e in member.history if e.kind.startswith("segment")] == [
        ("segment_entered", NOW, {"segment": "ca"}),
        ("segment_entered", NOW, {"segment": "ca-buyers"}),
    ]
    await world.identity.upsert_records(
        [rec("crm", "ada", NOW - 1, ("email", "ada@example.com"), address={"region": "NY"})]
    )
    later = compile_refresh(segments, world.dialect, NOW + 1, all_persons=False, metrics=world.metrics)
    await later.run(world.store, persons=[world.ids["ada"]])
    # Stored: the Person node's own history has no segment event (updating her would update every index of
    # Person); leaving wrote one SegmentEvents node holding each membership she left: its entry, then its exit.
    rows = await world.store.run(EVERYTHING, {})
    ada = next(r["properties"] for r in rows if "Person" in r["labels"] and r["properties"]["id"] == world.ids["ada"])
    assert not [e for e in ada["history"] if "segment_" in e]
    (events,) = [r["properties"]["events"] for r in rows if "SegmentEvents" in r["labels"]]
    assert sorted((e["kind"], e["at"], e["segment"]) for e in map(json.loads, events)) == [
        ("segment_entered", NOW, "ca"),
        ("segment_entered", NOW, "ca-buyers"),
        ("segment_exited", NOW + 1, "ca"),
        ("segment_exited", NOW + 1, "ca-buyers"),
    ]
    # Read: her history holds both refreshes' events, oldest first.
    person = await world.identity.person(world.ids["ada"])
    assert person is not None
    assert [(e.kind, e.at, e.detail) for e in person.history if e.kind.startswith("segment")] == [
        ("segment_entered", NOW, {"segment": "ca"}),
        ("segment_entered", NOW, {"segment": "ca-buyers"}),
        ("segment_exited", NOW + 1, {"segment": "ca"}),
        ("segment_exited", NOW + 1, {"segment": "ca-buyers"}),
    ]


async def test_a_segment_condition_outside_the_refresh_reads_the_stored_membership(world: World) -> None:
    await world.store.run(CREATE_SEGMENTS, {"keys": ["ca", "ca-buyers"]})
    ca = definition({"trait": "address.region", "eq": "CA"})
    await compile_refresh([("ca", ca)], world.dialect, NOW, all_persons=True, metrics=world.metrics).run(world.store)
    buyers = definition({"all": [{"segment": "ca"}, {"metric": "orders", "gte": 1}]})
    assert await selected(world, buyers.source) == {"ada"}
    alone = compile_refresh([("ca-buyers", buyers)], world.dialect, NOW, all_persons=True, metrics=world.metrics)
    assert [(c.person, c.segment) for c in await alone.run(world.store)] == [(world.ids["ada"], "ca-buyers")]


async def test_explain_says_what_each_condition_looked_at(world: World) -> None:
    defn = definition(
        {
            "all": [
                {"trait": "address.region", "eq": "CA"},
                {"metric": "orders", "gte": 3},
                {"touchpoint": {"type": "order"}, "sum": {"gte": 100}},
                {"consent": {"purpose": "marketing", "channel": "email"}},
            ]
        }
    )
    rows = await compile_explain(defn, world.dialect, NOW, metrics=world.metrics).run(
        world.store, person=world.ids["ada"]
    )
    result = explanation(defn, rows[0])
    assert result.member is False
    assert [(c.path, c.held, c.detail) for c in result.conditions] == [
        ("$", False, "3 of 4 conditions held"),
        ("$.all[0]", True, "address.region = CA"),
        ("$.all[1]", False, "orders = 2"),
        ("$.all[2]", True, "2 matching touchpoint(s), amount sum 125.5"),
        ("$.all[3]", True, "consent in force: GRANTED"),
    ]
    unknown = await compile_explain(defn, world.dialect, NOW, metrics=world.metrics).run(world.store, person="nope")
    assert unknown == []


async def test_start_up_gives_facets_to_persons_and_touchpoints_stored_before_segments(world: World) -> None:
    raw = {"all": [{"trait": "address.region", "eq": "CA"}, {"touchpoint": {"properties": {"category": "shoes"}}}]}
    assert await selected(world, raw) == {"ada"}
    await world.store.run(REMOVE_FACETS, {})
    assert await selected(world, raw) == set()
    await world.identity.start()  # a graph from before segments: the facets' migration was never recorded
    await world.identity.close()
    assert await selected(world, raw) == {"ada"}
    assert await fill_missing_facets_counts(world.store) == (0, 0)  # nothing left to fill


async def fill_missing_facets_counts(store: GraphStore) -> tuple[int, int]:
    return await fill_trait_facets(store), await fill_touchpoint_facets(store)


async def test_one_refresh_of_every_case_gives_the_members_preview_and_explain_give(world: World) -> None:
    keys = [f"case-{n}" for n in range(len(CASES))]
    await world.store.run(CREATE_SEGMENTS, {"keys": keys})
    segments = [(key, definition(raw)) for key, (raw, _) in zip(keys, CASES, strict=True)]
    refresh = compile_refresh(segments, world.dialect, NOW, all_persons=True, metrics=world.metrics)
    changes = await refresh.run(world.store)
    assert all(c.entered for c in changes)
    by_id = {v: k for k, v in world.ids.items()}
    for key, (raw, expected) in zip(keys, CASES, strict=True):
        members = {by_id[r["person"]] for r in await world.store.run(MEMBERS, {"key": key})}
        assert members == expected == await selected(world, raw), raw


@pytest.mark.parametrize(
    ("raw", "expected"), [*CASES, ({"all": [{"segment": "vip"}, {"identifier": "phone"}]}, {"bob"})]
)
async def test_a_first_evaluation_links_exactly_the_persons_a_full_refresh_does(
    world: World, raw: object, expected: set[str]
) -> None:
    """A segment just created (`fresh`: nobody is a member) reads only the persons its anchor picks, if it has
    one, and compares none with her edges; the members are those of the full refresh all the same."""
    await world.store.run(CREATE_SEGMENTS, {"keys": ["vip", "new"]})
    vip = definition({"identifier": "phone"})
    await compile_refresh([("vip", vip)], world.dialect, NOW, all_persons=True, metrics=world.metrics).run(world.store)
    fresh = compile_refresh(
        [("new", definition(raw))], world.dialect, NOW, all_persons=True, metrics=world.metrics, fresh=True
    )
    changes = await fresh.run(world.store)
    by_id = {v: k for k, v in world.ids.items()}
    assert {(by_id[c.person], c.entered) for c in changes} == {(name, True) for name in expected}
    members = {by_id[r["person"]] for r in await world.store.run(MEMBERS, {"key": "new"})}
    assert members == expected == await selected(world, raw)
    again = compile_refresh([("new", definition(raw))], world.dialect, NOW, all_persons=True, metrics=world.metrics)
    assert await again.run(world.store) == []  # the full refresh finds nothing to change


async def test_a_person_retired_by_a_merge_leaves_her_segments_without_an_exit(world: World) -> None:
    await world.store.run(CREATE_SEGMENTS, {"keys": ["named"]})
    named = definition({"trait": "firstName", "exists": True})
    everyone = compile_refresh([("named", named)], world.dialect, NOW, all_persons=True, metrics=world.metrics)
    assert len(await everyone.run(world.store)) == 3
    # Cy's record turns out to be Bob's (his phone and his name on it): one person is merged into the other. A
    # phone shared by two people with different first names would not merge them (docs/identity-resolution.md).
    await world.identity.upsert_records(
        [rec("crm", "cy", NOW - 1, ("email", "cy@example.com"), ("phone", "+14155550100"), firstName="Bob")]
    )
    bob, cy = world.ids["bob"], world.ids["cy"]
    survivor = await world.identity.person(cy)
    assert survivor is not None and survivor.id in (bob, cy)
    retired = cy if survivor.id == bob else bob
    some = compile_refresh([("named", named)], world.dialect, NOW + 1, all_persons=False, metrics=world.metrics)
    assert await some.run(world.store, persons=[survivor.id, retired]) == []  # no exit event for the retired
    members = {r["person"] for r in await world.store.run(MEMBERS, {"key": "named"})}
    assert members == {world.ids["ada"], survivor.id}
    # Explaining the retired id answers for the survivor, as person(id) does.
    rows = await compile_explain(named, world.dialect, NOW, metrics=world.metrics).run(world.store, person=retired)
    assert rows[0].person == survivor.id and explanation(named, rows[0]).member


async def test_time_passing_alone_changes_membership(world: World) -> None:
    """The clock is the `now` a statement is compiled for: windows close and birthdays come without events."""
    await world.store.run(CREATE_SEGMENTS, {"keys": ["recent-shoes", "adults"]})
    segments = [
        ("recent-shoes", definition({"touchpoint": {"properties": {"category": "shoes"}}, "withinDays": 30})),
        ("adults", definition({"age": {"gte": 18}})),
    ]

    async def changes_at(now: int) -> set[tuple[str, str, bool]]:
        refresh = compile_refresh(segments, world.dialect, now, all_persons=True, metrics=world.metrics)
        by_id = {v: k for k, v in world.ids.items()}
        return {(by_id[c.person], c.segment, c.entered) for c in await refresh.run(world.store)}

    assert await changes_at(NOW) == {("ada", "recent-shoes", True), ("ada", "adults", True)}
    assert await changes_at(NOW + DAY_MS) == {("bob", "adults", True)}  # his 18th birthday
    assert await changes_at(NOW + 27 * DAY_MS) == set()  # her last view, 3 days before NOW, is 30 days old
    assert await changes_at(NOW + 27 * DAY_MS + 1) == {("ada", "recent-shoes", False)}


async def test_the_whole_corpus_refreshes_in_one_statement_as_each_previews(world: World) -> None:
    """Every kind, operator and metric (and a segment condition on a segment refreshed earlier in the same
    statement) in one refresh: each segment gets the members its preview selects."""
    keys = ["vip", *(f"c{n}" for n in range(len(CORPUS)))]
    await world.store.run(CREATE_SEGMENTS, {"keys": keys})
    segments = [("vip", definition({"metric": "orders", "gte": 1}))]
    segments += [(f"c{n}", definition(raw)) for n, raw in enumerate(CORPUS)]
    refresh = compile_refresh(segments, world.dialect, NOW, all_persons=True, metrics=world.metrics)
    await refresh.run(world.store)
    for key, defn in segments:
        members = sorted(r["person"] for r in await world.store.run(MEMBERS, {"key": key}))
        preview = await compile_preview(defn, world.dialect, NOW, 10, metrics=world.metrics).run(world.store)
        assert members == preview[0].sample, (key, defn.source)


async def test_a_segment_saved_or_deleted_by_another_process_is_seen_by_the_next_refresh(world: World) -> None:
    """Each process keeps the stored segments it read; every save and delete raises the stored version, so a
    copy is never used after another process changed the segments."""
    settings = load_settings()
    here, there = (SegmentService(world.store, world.identity, settings, clock=lambda: NOW) for _ in range(2))
    assert await here.stored() == {}  # read, and kept at this version
    await there.save("ca", {"trait": "address.region", "eq": "CA"})
    assert list(await here.stored()) == ["ca"]
    await world.identity.upsert_records(
        [rec("crm", "cy-ca", NOW - 1, ("email", "cy@example.com"), address={"region": "CA"})]
    )
    assert await here.refresh({world.ids["cy"]}, set(Dependency)) == 1  # she joins the segment saved there
    members = {r["person"] for r in await world.store.run(MEMBERS, {"key": "ca"})}
    assert members == {world.ids["ada"], world.ids["cy"]}
    await there.save("ca", {"trait": "address.region", "eq": "NY"})  # replaced there: both leave
    assert (await here.stored())["ca"].definition.fingerprint() == (await there.stored())["ca"].definition.fingerprint()
    assert await here.refresh({world.ids["cy"]}, set(Dependency)) == 0
    assert await there.delete("ca")
    assert await here.stored() == {}


async def test_a_full_evaluation_writes_its_events_in_batches_every_reader_sees_one_by_one(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full evaluation appends its feed events as SegmentChanges batches (FEED_BATCH persons each, 2 here):
    readers page through them one event at a time, deliveries find them by sequence, erasure takes one person out
    of a batch, retention removes whole batches."""
    monkeypatch.setattr(compiler_module, "FEED_BATCH", 2)
    await world.store.run(CREATE_SEGMENTS, {"keys": ["mail"]})
    start = (await bounds(world.store)).last
    everyone = sorted(world.ids.values())
    mail = [("mail", definition({"identifier": "email"}))]
    fresh = compile_refresh(mail, world.dialect, NOW, all_persons=True, metrics=world.metrics, fresh=True)
    assert sorted(c.person for c in await fresh.run(world.store)) == everyone
    rows = await world.store.run(EVERYTHING, {})
    assert sorted(len(r["properties"]["personIds"]) for r in rows if "SegmentChanges" in r["labels"]) == [1, 2]
    assert not [r for r in rows if "SegmentChange" in r["labels"]]

    async def events(first: int, after: int = start) -> list[tuple[int, str, str]]:
        found = []
        while True:
            page = await read_changes(world.store, after, first)
            found += [(c.sequence, c.kind.value, c.person_id) for c in page.changes]
            if not page.has_next:
                return found
            after = page.changes[-1].sequence

    entered = await events(1)
    assert [s for s, _, _ in entered] == [start + 1, start + 2, start + 3]
    assert sorted(p for _, _, p in entered) == everyone and {k for _, k, _ in entered} == {"SEGMENT_ENTERED"}
    assert await events(2) == entered == await events(10)
    # Also the reproducer of a crash: the first version of this statement had a reduce() in an index-served
    # WHERE, and FalkorDB 4.16 died on it (docs/performance.md, "Feed events in batches").
    by_sequence = await world.store.run(CHANGES_BY_SEQUENCE, {"sequences": [start + 3, start + 2, start + 9]})
    assert sorted((c.sequence, c.kind.value, c.person_id) for c in by_sequence) == entered[1:]
    assert {c.data["segment"] for c in by_sequence} == {"mail"}

    # Everybody leaves (a full evaluation that is not the first): exits in batches too, and each exit's history.
    nobody = compile_refresh(
        [("mail", definition({"not": {"identifier": "email"}}))], world.dialect, NOW + 1, all_persons=True,
        metrics=world.metrics,
    )  # fmt: skip
    assert len(await nobody.run(world.store)) == 3
    both = await events(2)
    assert [k for _, k, _ in both] == ["SEGMENT_ENTERED"] * 3 + ["SEGMENT_EXITED"] * 3
    ada = await world.identity.person(world.ids["ada"])
    assert ada is not None
    assert [(e.kind, e.at) for e in ada.history if e.kind.startswith("segment")] == [
        ("segment_entered", NOW),
        ("segment_exited", NOW + 1),
    ]

    # Erasure takes her out of the batches she is in; the others' events keep their sequences.
    forgotten = await forget_changes(world.store, [world.ids["ada"]])
    assert forgotten.removed == 2 + 2  # her CREATED and CONSENT_CHANGED events, and one in each batch
    assert await events(1) == [e for e in both if e[2] != world.ids["ada"]]

    # Retention keeping the newest two events: whole batches below go, the exit batch straddling the line stays,
    # and readers never see below the feed's first sequence.
    assert await prune(world.store, Retention(days=10_000, max_events=2), NOW + 2) > 0
    feed = await bounds(world.store)
    assert (feed.first, feed.last) == (start + 5, start + 6)
    rows = await world.store.run(EVERYTHING, {})
    assert sorted(r["properties"]["sequence"] for r in rows if "SegmentChanges" in r["labels"]) == [
        start + 4,
        start + 6,
    ]
    kept = [e for e in both if e[0] >= start + 5 and e[2] != world.ids["ada"]]
    assert kept and await events(1, feed.first - 1) == kept
