"""The sweep re-checks only the persons whose time-dependent membership can have changed since its last pass,
on the real embedded database: as the clock moves in steps, each targeted sweep leaves exactly the memberships a
full re-evaluation at the same clock gives (a preview of each definition, and a fresh service's first sweep that
finds nothing left to change), while re-checking fewer persons than there are."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from graphcdp.clock import now_ms
from graphcdp.model.profiles import TouchpointInput
from graphcdp.profiles.metrics import DAY_MS
from graphcdp.segments.compiler import compile_preview, years_before
from graphcdp.segments.service import SegmentService
from graphcdp.settings import load_settings
from graphcdp.store.falkordb import FalkorDBStore
from graphcdp.wiring import Services, services_on
from tests.identity_helpers import rec

PERSONS = 48
SEGMENTS = {
    "viewed-month": {"touchpoint": {"type": "page_view"}, "withinDays": 30, "count": {"gte": 2}},
    "lapsed": {"metric": "daysSinceLastActivity", "gte": 45},
    "thirty-plus": {"age": {"gte": 30}},
    "recent-buyers": {"metric": "recencyScore", "gte": 4},
    "engaged": {"metric": "engagementScore", "gte": 1.5},
    "lapsed-thirty-plus": {"all": [{"segment": "lapsed"}, {"segment": "thirty-plus"}]},
}
STEPS_DAYS = (2, 5, 9, 16, 31, 60)


@dataclass
class Clock:
    now: int

    def __call__(self) -> int:
        return self.now


@dataclass
class World:
    services: Services
    clock: Clock


def touchpoint(email: str, type_: str, at: int, n: int) -> TouchpointInput:
    return TouchpointInput.model_validate(
        {
            "id": f"{email}-{n}",
            "type": type_,
            "occurredAt": at,
            "identifiers": [{"type": "email", "value": email}],
            **({"amount": 25.0} if type_ == "order" else {}),
        }
    )


@pytest.fixture
async def world(falkordb_store: FalkorDBStore) -> AsyncIterator[World]:
    async with services_on(falkordb_store, load_settings()) as services:
        clock = Clock(now_ms())
        services.segments.clock = clock
        today = datetime.fromtimestamp(clock.now / 1000, UTC).date()
        records, touchpoints = [], []
        for i in range(PERSONS):
            email = f"p{i}@example.com"
            traits = {}
            if i % 7 != 6:  # some without a birth date; birthdays spread over the next months
                traits["birthDate"] = (years_before(today, 30) + timedelta(days=(i * 3) % 120 - 5)).isoformat()
            records.append(rec("crm", str(i), clock.now - 400 * DAY_MS, ("email", email), **traits))
            if i % 5 == 4:
                continue  # no touchpoints at all
            for n, days_ago in enumerate((i * 2.3 % 70, i * 1.7 % 40 + 3, i * 11 % 90)):
                touchpoints.append(touchpoint(email, "page_view", clock.now - int(days_ago * DAY_MS), n))
            if i % 3 == 0:
                touchpoints.append(touchpoint(email, "order", clock.now - int((i * 4.1 % 80) * DAY_MS), 9))
        await services.identity.upsert_records(records)
        await services.profiles.track(touchpoints)
        for key, definition in SEGMENTS.items():
            await services.segments.save(key, definition)
        yield World(services, clock)


async def memberships(segments: SegmentService) -> dict[str, set[str]]:
    found = {}
    for key in SEGMENTS:
        page = await segments.members(key, 10 * PERSONS, None)
        found[key] = {p.id for p in page.members}
    return found


async def previews(segments: SegmentService) -> dict[str, set[str]]:
    """Each segment's definition evaluated now over every person (segment conditions read the stored edges)."""
    stored = await segments.stored()
    found = {}
    for key in SEGMENTS:
        compiled = compile_preview(
            stored[key].definition, segments.dialect, segments.clock(), 10 * PERSONS, metrics=segments.metrics
        )
        [row] = await compiled.run(segments.store)
        found[key] = set(row.sample)
    return found


async def test_each_targeted_sweep_leaves_the_memberships_of_a_full_re_evaluation(world: World) -> None:
    segments = world.services.segments
    first = await segments.sweep()  # nothing is known of a previous pass: everything in full
    assert set(first.full) == set(SEGMENTS) and first.rechecked == 0
    history = [await memberships(segments)]
    for step, days in enumerate(STEPS_DAYS):
        if step == 2:  # a mutation between sweeps, evaluated by maintenance at that moment's clock
            world.clock.now += DAY_MS // 2
            await world.services.profiles.track([touchpoint("p1@example.com", "page_view", world.clock.now, 50)])
        world.clock.now += days * DAY_MS
        result = await segments.sweep()
        assert result.full == ("engaged",)  # a score that decays continuously: re-evaluated in full
        assert set(result.targeted) == set(SEGMENTS) - {"engaged"}
        assert 0 < result.rechecked < PERSONS
        after = await memberships(segments)
        assert after == await previews(segments)
        fresh = SegmentService(segments.store, segments.identity, world.services.settings, world.clock)
        full = await fresh.sweep()
        assert full.changes == 0 and full.full == first.full
        assert await memberships(segments) == after
        history.append(after)
    # Time alone moved people in and out of every segment whose windows were swept.
    for key in set(SEGMENTS) - {"engaged"}:
        assert len({frozenset(h[key]) for h in history}) > 1, key


async def test_a_clock_moved_back_re_evaluates_in_full(world: World) -> None:
    segments = world.services.segments
    await segments.sweep()
    world.clock.now -= 3 * DAY_MS
    result = await segments.sweep()
    assert set(result.full) == set(SEGMENTS) and result.rechecked == 0
    assert await memberships(segments) == await previews(segments)
