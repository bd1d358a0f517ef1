"""`context`: everything a frontend or chatbot needs about a customer, asked by any identifier, in one
request. Asked with any of her activity (metrics, summary, consents, touchpoints), the person and all of it are
read in one round trip (graphcdp/profiles/context.py) and those fields answer from it; asked for who she is only,
the person alone is read. Her segments and `person`'s other fields load through the per-request DataLoaders."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import FieldNode
from strawberry.scalars import JSON

from graphcdp.api.auth import needs
from graphcdp.api.common import IdentifierInput
from graphcdp.api.context import Info
from graphcdp.api.identity import Identifier, Person
from graphcdp.api.memberships import person_segment_keys
from graphcdp.api.pagination import check_page_size
from graphcdp.api.profiles import Consent, Metrics, Touchpoint
from graphcdp.auth.scopes import Scope
from graphcdp.model import identity as model_identity
from graphcdp.model import profiles as model
from graphcdp.predictions.service import PredictionService
from graphcdp.privacy.consent import effective_consents
from graphcdp.profiles.context import CustomerSnapshot
from graphcdp.profiles.journey import JourneyQuery

SUMMARY_DAYS = 365  # the horizon of the predicted value the summary says


@strawberry.type
class CustomerContext:
    identifier: str = strawberry.field(description="Key of the identifier asked by, normalized.")
    person: Person = strawberry.field(description="The full profile, for anything not summarized here.")
    person_id: strawberry.ID
    traits: JSON = strawberry.field(description="Golden traits.")
    identifiers: list[Identifier]
    last_touchpoints: strawberry.Private[int]
    # Read with the person whenever one of the fields below is asked (`_asks_for_activity`): they answer from it
    # synchronously, without a task and a DataLoader round each.
    snapshot: strawberry.Private[CustomerSnapshot | None] = None

    def _activity(self) -> CustomerSnapshot:
        if self.snapshot is None:  # pragma: no cover - `context` reads it whenever one of these fields is asked
            raise RuntimeError("context: her activity was not read with her")
        return self.snapshot

    @strawberry.field(description="Consent in force per purpose and channel.")
    def consents(self) -> list[Consent]:
        return [Consent.from_model(c) for c in effective_consents(self._activity().consents)]

    @strawberry.field
    def metrics(self) -> Metrics:
        return Metrics.from_model(self._activity().metrics)

    @strawberry.field(description="Her latest touchpoints, newest first (as many as `touchpoints` asked).")
    def recent_touchpoints(self) -> list[Touchpoint]:
        return [Touchpoint.from_model(t) for t in self._activity().journey.touchpoints]

    @strawberry.field(description="Keys of the segments she is a member of now.")
    async def segments(self, info: Info) -> list[str]:
        return await person_segment_keys(info, str(self.person_id))

    @strawberry.field(description="One line a chatbot can say or read: who, how valuable, how active, what allowed.")
    def summary(self, info: Info) -> str:
        return _summary(self.traits, self._activity().metrics, self.consents(), info.context.services.predictions)


def _summary(traits: Any, metrics: model.Metrics, consents: list[Consent], predictions: PredictionService) -> str:
    name = " ".join(str(traits.get(k)) for k in ("firstName", "lastName") if isinstance(traits, dict) and traits.get(k))
    parts = [name or "Unnamed customer"]
    if metrics.orders:
        parts.append(f"{metrics.orders} orders, {metrics.net_revenue:.2f} net revenue")
    if metrics.days_since_last_activity is not None:
        parts.append(f"last active {metrics.days_since_last_activity:.0f} days ago")
    if metrics.engagement_declining:
        parts.append("engagement declining")
    if (risk := predictions.churn_risk(metrics.probability_alive)) is not None:
        value = predictions.predicted_value(metrics.purchases, SUMMARY_DAYS)
        worth = f", predicted value {value:.2f} over {SUMMARY_DAYS} days" if value is not None else ""
        parts.append(f"churn risk {risk.value.lower()}{worth}")
    granted = sorted(f"{c.purpose}/{c.channel}" for c in consents if c.status == model.ConsentStatus.GRANTED)
    parts.append("consent: " + (", ".join(granted) if granted else "none granted"))
    return "; ".join(parts)


@strawberry.type
class CustomerQuery:
    @strawberry.field(
        extensions=needs(Scope.PROFILES_READ),
        description="The customer behind any identifier, for frontends and chatbots: identity, golden traits, "
        "consents, metrics and the latest touchpoints in one round trip. Null if the identifier is unknown.",
    )
    async def context(self, info: Info, identifier: IdentifierInput, touchpoints: int = 10) -> CustomerContext | None:
        check_page_size(touchpoints, info.context.settings.max_page_size, "touchpoints")
        key = info.context.identity.normalize_key(identifier.type, identifier.value)
        snapshot = None
        found: model_identity.Person | None
        if _asks_for_activity(info):
            snapshot = await _primed_snapshot(info, key, touchpoints, whole_person=_asks_for_person(info))
            found = snapshot.person if snapshot is not None else None
        else:  # who she is only: the person alone
            found = await info.context.loaders.person_by_key.load(key)
        if found is None:
            return None
        # Read without her history and records when `person` is not asked (_asks_for_person): its value is then
        # never shown, and the request's DataLoaders were not primed with it.
        person = Person.from_model(found)
        return CustomerContext(
            identifier=key,
            person=person,
            person_id=person.id,
            traits=person.traits,
            identifiers=person.identifiers,
            last_touchpoints=touchpoints,
            snapshot=snapshot,
        )


# Fields of `context` that read her touchpoints or consents: asked together (a chatbot's usual query), they are
# read with the person in one round trip (graphcdp/profiles/context.py) rather than one per part.
_ACTIVITY_FIELDS = frozenset({"metrics", "summary", "consents", "recentTouchpoints"})


def _asks_for_activity(info: Info) -> bool:
    return _asks_for_any(info, _ACTIVITY_FIELDS)


def _asks_for_person(info: Info) -> bool:
    """`person` (her history and records): without it, the snapshot is read without them."""
    return _asks_for_any(info, frozenset({"person"}))


def _asks_for_any(info: Info, fields: frozenset[str]) -> bool:
    for node in info._raw_info.field_nodes:
        for selection in node.selection_set.selections if node.selection_set else ():
            if not isinstance(selection, FieldNode) or selection.name.value in fields:
                return True  # a fragment may ask for anything
    return False


async def _primed_snapshot(info: Info, key: str, touchpoints: int, *, whole_person: bool) -> CustomerSnapshot | None:
    """Read the snapshot and put its parts in the request's DataLoaders too, where the fields of `context.person`
    find them (the person herself only when read whole)."""
    snapshot = await info.context.profiles.customer(key, touchpoints, whole_person=whole_person)
    if snapshot is None:
        return None
    loaders, person_id = info.context.loaders, snapshot.person.id
    if snapshot.whole_person:
        loaders.person_by_key.prime(key, snapshot.person)
    loaders.metrics.prime(person_id, snapshot.metrics)
    loaders.consents.prime(person_id, snapshot.consents)
    loaders.journey.prime(JourneyQuery(person_id, touchpoints), snapshot.journey)
    loaders.memberships.prime(person_id, snapshot.memberships)  # `segments`: no second round trip
    return snapshot
