"""Per-request DataLoaders: nested profile fields of many persons cost one round trip per kind of data."""

from __future__ import annotations

from dataclasses import dataclass

from strawberry.dataloader import DataLoader

from graphcdp.identity.service import IdentityService
from graphcdp.model.identity import Person
from graphcdp.model.profiles import ConsentStatement, JourneyPage, Metrics
from graphcdp.model.segments import Membership, StoredSegment
from graphcdp.profiles.journey import JourneyQuery
from graphcdp.profiles.service import ProfileService
from graphcdp.segments.service import SegmentService


@dataclass
class Loaders:
    person_by_key: DataLoader[str, Person | None]  # normalized identifier key → person
    journey: DataLoader[JourneyQuery, JourneyPage]
    metrics: DataLoader[str, Metrics]
    consents: DataLoader[str, list[ConsentStatement]]
    memberships: DataLoader[str, list[Membership]]  # person id → the segments she is a member of
    segment_by_key: DataLoader[str, StoredSegment | None]
    segment_size: DataLoader[str, int]


def make_loaders(identity: IdentityService, profiles: ProfileService, segments: SegmentService) -> Loaders:
    return Loaders(
        person_by_key=DataLoader(load_fn=identity.profiles_by_key),
        journey=DataLoader(load_fn=profiles.journeys),
        metrics=DataLoader(load_fn=profiles.metrics),
        consents=DataLoader(load_fn=profiles.consents),
        memberships=DataLoader(load_fn=segments.memberships),
        segment_by_key=DataLoader(load_fn=segments.by_key),
        segment_size=DataLoader(load_fn=segments.sizes),
    )
