"""Per-request DataLoaders: nested profile fields of many persons cost one round trip per kind of data.

Each loader is made the first time a request's fields use it: a context lookup uses three of the seven, and making
all of them (a loader, its cache and its bookkeeping each) was a measurable share of a lookup (docs/performance.md)."""

from __future__ import annotations

from functools import cached_property

from strawberry.dataloader import DataLoader

from graphcdp.identity.service import IdentityService
from graphcdp.model.identity import Membership, Person
from graphcdp.model.profiles import ConsentStatement, JourneyPage, Metrics
from graphcdp.model.segments import StoredSegment
from graphcdp.profiles.journey import JourneyQuery
from graphcdp.profiles.service import ProfileService
from graphcdp.segments.service import SegmentService


class Loaders:
    """One request's loaders; nothing cached in them outlives the request."""

    def __init__(self, identity: IdentityService, profiles: ProfileService, segments: SegmentService) -> None:
        self._identity = identity
        self._profiles = profiles
        self._segments = segments

    @cached_property
    def person_by_key(self) -> DataLoader[str, Person | None]:
        """Normalized identifier key → person."""
        return DataLoader(load_fn=self._identity.profiles_by_key)

    @cached_property
    def journey(self) -> DataLoader[JourneyQuery, JourneyPage]:
        return DataLoader(load_fn=self._profiles.journeys)

    @cached_property
    def metrics(self) -> DataLoader[str, Metrics]:
        return DataLoader(load_fn=self._profiles.metrics)

    @cached_property
    def consents(self) -> DataLoader[str, list[ConsentStatement]]:
        return DataLoader(load_fn=self._profiles.consents)

    @cached_property
    def memberships(self) -> DataLoader[str, list[Membership]]:
        """Person id → the segments she is a member of."""
        return DataLoader(load_fn=self._segments.memberships)

    @cached_property
    def segment_by_key(self) -> DataLoader[str, StoredSegment | None]:
        return DataLoader(load_fn=self._segments.by_key)

    @cached_property
    def segment_size(self) -> DataLoader[str, int]:
        return DataLoader(load_fn=self._segments.sizes)


def make_loaders(identity: IdentityService, profiles: ProfileService, segments: SegmentService) -> Loaders:
    return Loaders(identity, profiles, segments)
