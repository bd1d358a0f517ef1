"""Segment maintenance re-evaluates a changed person only against the segments whose conditions the change can
touch, on the real embedded database: `SegmentService.refreshed` counts the persons each segment's refresh was
run for, and memberships are read back after each mutation (read-your-writes holds for what was re-evaluated,
and what was skipped could not have changed)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from graphcdp.clock import now_ms
from graphcdp.model.profiles import TouchpointInput
from graphcdp.settings import load_settings
from graphcdp.store.falkordb import FalkorDBStore
from graphcdp.wiring import Services, services_on
from tests.identity_helpers import rec

SEGMENTS = {
    "named-ada": {"trait": "firstName", "eq": "Ada"},
    "us": {"trait": "address.country", "eq": "US"},
    "has-cookie": {"identifier": "cookie_id"},
    "has-phone": {"identifier": "phone"},
    "buyers": {"touchpoint": {"type": "order"}},
    "mail-ok": {"consent": {"purpose": "marketing", "channel": "email"}},
    "ada-buyers": {"all": [{"segment": "named-ada"}, {"segment": "buyers"}]},
}
AT = 1_700_000_000_000


@dataclass
class World:
    services: Services
    person: str  # ada's person id (crm:ada, email, country US, one order)
    other: str  # bob's (web:bob, email, no order)

    async def member_of(self, person: str) -> set[str]:
        (memberships,) = await self.services.segments.memberships([person])
        return {m.key for m in memberships}

    def counts(self) -> dict[str, int]:
        return {key: self.services.segments.refreshed[key] for key in SEGMENTS}

    async def upsert(self, *records: object) -> list[str]:
        outcome = await self.services.identity.upsert_records(list(records))  # type: ignore[arg-type]
        assert not outcome.errors
        return [r.person_id for r in outcome.results]


def touchpoint(id_: str, type_: str, at: int, identifier: tuple[str, str]) -> TouchpointInput:
    found = {"type": identifier[0], "value": identifier[1]}
    return TouchpointInput.model_validate({"id": id_, "type": type_, "occurredAt": at, "identifiers": [found]})


def re_evaluated(before: dict[str, int], after: dict[str, int]) -> set[str]:
    return {key for key in SEGMENTS if after[key] > before[key]}


@pytest.fixture
async def world(falkordb_store: FalkorDBStore) -> AsyncIterator[World]:
    async with services_on(falkordb_store, load_settings().model_copy(update={"matching": False})) as services:
        ada = rec("crm", "ada", AT, ("email", "ada@example.com"), firstName="Ada", address={"country": "US"})
        bob = rec("web", "bob", AT, ("email", "bob@example.com"), firstName="Bob")
        outcome = await services.identity.upsert_records([ada, bob])
        person, other = (r.person_id for r in outcome.results)
        await services.profiles.track([touchpoint("o1", "order", AT, ("email", "ada@example.com"))])
        for key, definition in SEGMENTS.items():
            await services.segments.save(key, definition)
        yield World(services, person, other)


async def test_a_changed_trait_re_evaluates_only_the_segments_reading_it(world: World) -> None:
    assert await world.member_of(world.person) == {"named-ada", "us", "buyers", "ada-buyers"}
    before = world.counts()
    renamed = rec("crm", "ada", AT + 1, ("email", "ada@example.com"), firstName="Adele", address={"country": "US"})
    await world.upsert(renamed)
    # firstName is read by named-ada, and ada-buyers is built on it; nothing else reads it.
    assert re_evaluated(before, world.counts()) == {"named-ada", "ada-buyers"}
    assert await world.member_of(world.person) == {"us", "buyers"}


async def test_a_record_that_changes_nothing_segments_read_re_evaluates_nothing(world: World) -> None:
    before = world.counts()
    # A second record of hers with the same traits: her golden traits and identifiers stay as they were.
    (person,) = await world.upsert(rec("shop", "ada-2", AT, ("email", "ada@example.com"), firstName="Ada"))
    assert person == world.person
    assert re_evaluated(before, world.counts()) == set()
    assert await world.member_of(world.person) == {"named-ada", "us", "buyers", "ada-buyers"}


async def test_a_new_cookie_re_evaluates_only_the_segments_reading_cookies(world: World) -> None:
    before = world.counts()
    record = rec("web", "ada-login", AT, ("email", "ada@example.com"), ("cookie_id", "ck-ada"), firstName="Ada")
    (person,) = await world.upsert(record)
    assert person == world.person
    assert re_evaluated(before, world.counts()) == {"has-cookie"}
    assert await world.member_of(world.person) == {"named-ada", "us", "buyers", "ada-buyers", "has-cookie"}


async def test_a_new_person_is_evaluated_against_every_segment(world: World) -> None:
    before = world.counts()
    (person,) = await world.upsert(rec("crm", "cy", AT, ("phone", "+14155550123"), firstName="Ada"))
    assert re_evaluated(before, world.counts()) == set(SEGMENTS)
    assert await world.member_of(person) == {"named-ada", "has-phone"}


async def test_a_merge_re_evaluates_the_survivor_against_every_segment(world: World) -> None:
    """Bob's record joins Ada's email: one person holds both, with Ada's order and both names' evidence."""
    before = world.counts()
    record = rec("web", "bob", AT + 1, ("email", "bob@example.com"), ("email", "ada@example.com"), firstName="Bob")
    (person,) = await world.upsert(record)
    assert re_evaluated(before, world.counts()) == set(SEGMENTS)
    assert "buyers" in await world.member_of(person)
    retired = world.other if person == world.person else world.person
    assert await world.member_of(retired) == set()


async def test_a_touchpoint_re_evaluates_only_touchpoint_and_identifier_segments(world: World) -> None:
    before = world.counts()
    await world.services.profiles.track([touchpoint("o2", "order", AT, ("email", "bob@example.com"))])
    assert re_evaluated(before, world.counts()) == {"buyers", "ada-buyers", "has-cookie", "has-phone"}
    assert await world.member_of(world.other) == {"buyers"}


async def test_identifiers_with_touchpoints_or_consent_are_told_apart(world: World) -> None:
    await world.services.profiles.track([touchpoint("v1", "page_view", now_ms(), ("cookie_id", "ck-1"))])
    keys = ["cookie_id:ck-1", "email:bob@example.com", "email:ada@example.com", "cookie_id:never-seen"]
    assert await world.services.segments.active_identifiers(keys) == {"cookie_id:ck-1", "email:ada@example.com"}
