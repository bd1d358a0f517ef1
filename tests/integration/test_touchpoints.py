"""Touchpoints as linking evidence, against the real database: anonymous persons, merges through a
touchpoint, merge protection, blocked identifiers, out-of-order arrival and explanations."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from graphcdp.identity.service import IdentityService
from graphcdp.model.inputs import IdentifierValue
from graphcdp.model.profiles import TouchpointAction, TouchpointInput
from graphcdp.profiles.journey import JourneyQuery
from graphcdp.profiles.service import ProfileService
from graphcdp.settings import load_settings
from graphcdp.store import GraphStore
from tests.identity_helpers import rec

T0 = 1_700_000_000_000


@pytest.fixture
async def services(store: GraphStore) -> AsyncIterator[tuple[IdentityService, ProfileService]]:
    settings = load_settings()
    identity = IdentityService(store, settings)
    yield identity, ProfileService(identity, settings)


def tp(id_: str, at: int, *ids: tuple[str, str], type_: str = "page_view") -> TouchpointInput:
    identifiers = [IdentifierValue(type=t, value=v) for t, v in ids]
    return TouchpointInput(id=id_, type=type_, occurred_at=at, identifiers=identifiers)


async def test_one_evidence_record_per_identifier_set_however_many_touchpoints(
    services: tuple[IdentityService, ProfileService],
) -> None:
    identity, profiles = services
    out = await profiles.track([tp(f"pv{n}", T0 + n, ("cookie_id", "ck")) for n in range(50)])
    assert {r.action for r in out.results} == {TouchpointAction.CREATED}
    person = await identity.profile("cookie_id", "ck")
    assert person is not None
    assert [(r.source, r.source_id) for r in person.records] == [("graphcdp.touchpoints", "cookie_id:ck")]
    # An earlier touchpoint arriving late moves the evidence back in time; the person stays.
    await profiles.track([tp("early", T0 - 1000, ("cookie_id", "ck"))])
    again = await identity.profile("cookie_id", "ck")
    assert again is not None and again.id == person.id
    assert again.records[0].observed_at == T0 - 1000


async def test_a_touchpoint_with_two_identifiers_is_explained_like_a_record(
    services: tuple[IdentityService, ProfileService],
) -> None:
    identity, profiles = services
    await profiles.track([tp("login", T0, ("cookie_id", "ck"), ("email", "e@x.com"), type_="login")])
    why = await identity.explain_link(("cookie_id", "ck"), ("email", "e@x.com"))
    assert why.linked
    assert [(h.source, h.source_id) for h in why.hops] == [("graphcdp.touchpoints", "cookie_id:ck+email:e@x.com")] * 2


async def test_touchpoints_respect_merge_protection(services: tuple[IdentityService, ProfileService]) -> None:
    identity, profiles = services
    await identity.upsert_records(
        [rec("crm", "1", T0, ("customer_id", "C1")), rec("crm", "2", T0, ("customer_id", "C2"))]
    )
    out = await profiles.track([tp("x", T0 + 1, ("customer_id", "C1"), ("customer_id", "C2"))])
    assert out.persons_merged == []
    c1 = await identity.profile("customer_id", "C1")
    c2 = await identity.profile("customer_id", "C2")
    assert c1 is not None and c2 is not None and c1.id != c2.id
    assert any(e.kind == "rejected_link" for e in c1.history + c2.history)


async def test_a_touchpoint_through_blocked_identifiers_only_is_stored_but_belongs_to_no_one(
    services: tuple[IdentityService, ProfileService],
) -> None:
    identity, profiles = services
    out = await profiles.track([tp("junk", T0, ("email", "test@test.com"))])
    assert out.errors == [] and out.results[0].person_id is None
    assert await identity.profile("email", "test@test.com") is None


async def test_a_touchpoint_through_an_identifier_blocked_since_belongs_to_its_person(store: GraphStore) -> None:
    settings = load_settings()
    identity = IdentityService(store, settings)
    stored = await identity.upsert_records([rec("crm", "1", T0, ("email", "front-desk@hotel.com"))])
    # Blocked after it was linked: it links nothing new, and keeps its person (no evidence record is made).
    blocked = load_settings(blocklist=[*settings.blocklist, "email:^front-desk@"])
    profiles = ProfileService(IdentityService(store, blocked), blocked)
    out = await profiles.track([tp("desk", T0 + 1, ("email", "front-desk@hotel.com"))])
    assert out.errors == [] and out.results[0].person_id == stored.results[0].person_id


async def test_journey_of_a_merged_person_spans_both_pasts(
    services: tuple[IdentityService, ProfileService],
) -> None:
    identity, profiles = services
    await profiles.track([tp("a", T0, ("cookie_id", "c1")), tp("b", T0 + 1, ("device_id", "d1"))])
    await identity.upsert_records([rec("crm", "9", T0 + 2, ("cookie_id", "c1"), ("device_id", "d1"))])
    person = await identity.profile("device_id", "d1")
    assert person is not None
    [page] = await profiles.journeys([JourneyQuery(person.id, first=10)])
    assert [(t.id, t.via) for t in page.touchpoints] == [("b", ["device_id:d1"]), ("a", ["cookie_id:c1"])]
    [metrics] = await profiles.metrics([person.id])
    assert metrics.touchpoints == 2 and metrics.first_seen_at == T0
