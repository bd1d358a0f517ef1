"""Per-request DataLoaders: nested profile fields of many persons cost one round trip per kind of data."""

from __future__ import annotations

from dataclasses import dataclass

from strawberry.dataloader import DataLoader

from graphcdp.identity.service import IdentityService
from graphcdp.model.identity import Person
from graphcdp.model.profiles import ConsentStatement, JourneyPage, Metrics
from graphcdp.profiles.journey import JourneyQuery
from graphcdp.profiles.service import ProfileService


@dataclass
class Loaders:
    person_by_key: DataLoader[str, Person | None]  # normalized identifier key → person
    journey: DataLoader[JourneyQuery, JourneyPage]
    metrics: DataLoader[str, Metrics]
    consents: DataLoader[str, list[ConsentStatement]]


def make_loaders(identity: IdentityService, profiles: ProfileService) -> Loaders:
    return Loaders(
        person_by_key=DataLoader(load_fn=identity.profiles_by_key),
        journey=DataLoader(load_fn=profiles.journeys),
        metrics=DataLoader(load_fn=profiles.metrics),
        consents=DataLoader(load_fn=profiles.consents),
    )
