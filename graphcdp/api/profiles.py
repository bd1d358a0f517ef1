"""GraphQL types of touchpoints, journeys, metrics and consent: thin mappings over ProfileService.

Person fields (journey, metrics, consents) go through the per-request DataLoaders in the context, so
a list of persons with their journeys is one round trip per kind of data.
"""

from __future__ import annotations

from typing import Any, cast

import strawberry
from pydantic import ValidationError
from strawberry.scalars import JSON

from graphcdp.api.auth import needs
from graphcdp.api.common import IdentifierInput, ItemError
from graphcdp.api.context import Info
from graphcdp.api.pagination import InvalidCursorError, PageInfo, check_page_size, decode_cursor, encode_cursor
from graphcdp.api.predictions import ChurnRisk, check_days
from graphcdp.api.scalars import DateTime
from graphcdp.auth.scopes import Scope
from graphcdp.batch import item_error
from graphcdp.identity.input import epoch_ms
from graphcdp.model import profiles as model
from graphcdp.model.identity import ItemError as ItemErrorModel
from graphcdp.model.inputs import IdentifierValue
from graphcdp.model.predictions import PurchaseHistory
from graphcdp.privacy.consent import ConsentRequest, effective_consents
from graphcdp.profiles.journey import END_OF_TIME, JourneyQuery

ConsentStatus = strawberry.enum(model.ConsentStatus, name="ConsentStatus")
TouchpointAction = strawberry.enum(model.TouchpointAction, name="TouchpointAction")


@strawberry.input
class TouchpointInput:
    id: str | None = strawberry.field(
        default=None, description="Client event id; if absent, a hash of the content, so a replay is idempotent."
    )
    type: str = strawberry.field(description="page_view, search, order, return, case, email_open, … (open set).")
    channel: str | None = strawberry.field(default=None, description="web, app, store, email, sms, call_center, …")
    occurred_at: DateTime
    source: str | None = None
    identifiers: list[IdentifierInput] = strawberry.field(
        description="One or more; several identifiers on one touchpoint link them, exactly like a record."
    )
    amount: float | None = strawberry.field(default=None, description="Orders and returns.")
    currency: str | None = strawberry.field(default=None, description="ISO 4217 code, e.g. EUR.")
    properties: JSON | None = None

    def to_model(self, index: int) -> model.TouchpointInput | ItemErrorModel:
        """The domain input; a value that does not fit (a bad date, an unknown currency) is this item's
        error, at its index."""
        try:
            return model.TouchpointInput(
                type=self.type,
                occurred_at=self.occurred_at,
                identifiers=[IdentifierValue(type=i.type, value=i.value) for i in self.identifiers],
                properties=self.properties,
                channel=self.channel,
                source=self.source,
                amount=self.amount,
                currency=self.currency,
                id=self.id,
            )
        except ValidationError as exc:
            return item_error(index, exc)


@strawberry.type
class TouchpointResult:
    index: int
    id: str = strawberry.field(description="The touchpoint id (the content hash when none was sent).")
    person_id: strawberry.ID | None = strawberry.field(description="Null when all its identifiers are blocked.")
    action: model.TouchpointAction


@strawberry.type
class TrackPayload:
    results: list[TouchpointResult]
    errors: list[ItemError]
    persons_created: list[strawberry.ID] = strawberry.field(description="Anonymous persons of new identifiers.")
    persons_merged: list[strawberry.ID] = strawberry.field(description="Person ids retired by links they made.")


@strawberry.type
class Touchpoint:
    id: str
    type: str
    channel: str | None
    occurred_at: DateTime
    source: str | None
    amount: float | None
    currency: str | None
    properties: JSON
    via: list[str] = strawberry.field(description="Keys of the person's identifiers it came through.")

    @classmethod
    def from_model(cls, t: model.Touchpoint) -> Touchpoint:
        return cls(
            id=t.id,
            type=t.type,
            channel=t.channel,
            occurred_at=t.occurred_at,
            source=t.source,
            amount=t.amount,
            currency=t.currency,
            properties=cast(JSON, t.properties),
            via=t.via,
        )


@strawberry.type
class TouchpointEdge:
    node: Touchpoint
    cursor: str


@strawberry.type
class TouchpointConnection:
    edges: list[TouchpointEdge]
    page_info: PageInfo
    total_count: int = strawberry.field(description="Touchpoints matching the filters, over all pages.")


@strawberry.type
class Metrics:
    touchpoints: int
    orders: int
    revenue: float = strawberry.field(description="Sum of order amounts, as sent (one currency assumed).")
    returns: int
    returned_amount: float
    net_revenue: float = strawberry.field(description="Revenue minus returned amounts.")
    average_order_value: float | None
    first_seen_at: DateTime | None
    last_seen_at: DateTime | None
    last_order_at: DateTime | None
    days_since_last_activity: float | None
    engagement_score: float = strawberry.field(
        description="Touchpoints weighted by recency (half-life GRAPHCDP_ENGAGEMENT_HALF_LIFE_DAYS); an order counts 3."
    )
    usual_engagement: float | None = strawberry.field(
        description="Her usual touchpoints per half-life window over the year before the latest window."
    )
    recent_engagement: int = strawberry.field(description="Touchpoints in the latest half-life window.")
    engagement_declining: bool = strawberry.field(description="Latest window under half her usual level.")
    recency_score: int = strawberry.field(description="1-5 from days since the last order (GRAPHCDP_RFM_*).")
    frequency_score: int = strawberry.field(description="1-5 from the number of orders.")
    monetary_score: int = strawberry.field(description="1-5 from net revenue.")
    probability_alive: float | None = strawberry.field(
        description="Probability she is still a customer (BG/NBD, the fitted prediction model); null without a "
        "model or an order. 1 until her first repeat order: BG/NBD lets customers drop out only after a purchase."
    )
    purchases: strawberry.Private[PurchaseHistory | None]

    @strawberry.field(
        description="LOW, MEDIUM or HIGH: probabilityAlive under GRAPHCDP_CHURN_MEDIUM_BELOW and "
        "GRAPHCDP_CHURN_HIGH_BELOW; null with probabilityAlive."
    )
    def churn_risk(self, info: Info) -> ChurnRisk | None:  # type: ignore[valid-type]
        return info.context.services.predictions.churn_risk(self.probability_alive)

    @strawberry.field(description="Expected orders in the next `days` (BG/NBD); null without a model or an order.")
    def expected_purchases(self, info: Info, days: int = 90) -> float | None:
        check_days(days)
        return info.context.services.predictions.expected_purchases(self.purchases, days)

    @strawberry.field(
        description="Expected spend in the next `days`: expectedPurchases times her expected order value "
        "(Gamma-Gamma), undiscounted; null without a model or an order."
    )
    def predicted_value(self, info: Info, days: int = 365) -> float | None:
        check_days(days)
        return info.context.services.predictions.predicted_value(self.purchases, days)

    @classmethod
    def from_model(cls, m: model.Metrics) -> Metrics:
        return cls(
            touchpoints=m.touchpoints,
            orders=m.orders,
            revenue=m.revenue,
            returns=m.returns,
            returned_amount=m.returned_amount,
            net_revenue=m.net_revenue,
            average_order_value=m.average_order_value,
            first_seen_at=m.first_seen_at,
            last_seen_at=m.last_seen_at,
            last_order_at=m.last_order_at,
            days_since_last_activity=m.days_since_last_activity,
            engagement_score=m.engagement_score,
            usual_engagement=m.usual_engagement,
            recent_engagement=m.recent_engagement,
            engagement_declining=m.engagement_declining,
            recency_score=m.recency_score,
            frequency_score=m.frequency_score,
            monetary_score=m.monetary_score,
            probability_alive=m.probability_alive,
            purchases=m.purchases,
        )


@strawberry.type
class Consent:
    purpose: str
    channel: str
    status: model.ConsentStatus
    at: DateTime = strawberry.field(description="When the customer made the statement.")
    source: str | None
    identifier: str = strawberry.field(description="Key of the identifier it was given through.")
    recorded_at: DateTime

    @classmethod
    def from_model(cls, c: model.ConsentStatement) -> Consent:
        return cls(
            purpose=c.purpose,
            channel=c.channel,
            status=c.status,
            at=c.at,
            source=c.source,
            identifier=c.identifier,
            recorded_at=c.recorded_at,
        )


@strawberry.type
class SetConsentPayload:
    person_id: strawberry.ID
    consent: Consent = strawberry.field(description="The statement as recorded.")
    effective: Consent = strawberry.field(description="What is in force now for this purpose and channel.")


def _time(value: Any, field: str) -> int | None:
    if value is None:
        return None
    return epoch_ms(value, field)


async def person_journey(
    info: Info,
    person_id: str,
    *,
    first: int,
    after: str | None,
    types: list[str] | None,
    channels: list[str] | None,
    from_: Any,
    to: Any,
) -> TouchpointConnection:
    check_page_size(first, info.context.settings.max_page_size)
    position = decode_cursor(after) if after else None
    if position is not None and not (
        isinstance(position, list)
        and len(position) == 2
        and isinstance(position[0], int)
        and isinstance(position[1], str)
    ):
        raise InvalidCursorError("after: not a journey cursor")
    query = JourneyQuery(
        person=person_id,
        first=first,
        after=(position[0], position[1]) if position else None,
        types=tuple(types or ()),
        channels=tuple(channels or ()),
        from_ms=_time(from_, "from") or -END_OF_TIME,
        to_ms=t if (t := _time(to, "to")) is not None else END_OF_TIME,
    )
    page = await info.context.loaders.journey.load(query)
    edges = [
        TouchpointEdge(node=Touchpoint.from_model(t), cursor=encode_cursor([t.occurred_at, t.id]))
        for t in page.touchpoints
    ]
    return TouchpointConnection(
        edges=edges,
        page_info=PageInfo(has_next_page=page.has_next, end_cursor=edges[-1].cursor if edges else None),
        total_count=page.total,
    )


async def person_metrics(info: Info, person_id: str) -> Metrics:
    return Metrics.from_model(await info.context.loaders.metrics.load(person_id))


async def person_consents(info: Info, person_id: str, history: bool) -> list[Consent]:
    statements = await info.context.loaders.consents.load(person_id)
    return [Consent.from_model(c) for c in (statements if history else effective_consents(statements))]


@strawberry.type
class ProfileMutation:
    @strawberry.mutation(
        extensions=needs(Scope.RECORDS_WRITE),
        description="Track touchpoints; their identifiers link like a record's. Per-item errors.",
    )
    async def track_touchpoints(self, info: Info, touchpoints: list[TouchpointInput]) -> TrackPayload:
        outcome = await info.context.profiles.track([t.to_model(n) for n, t in enumerate(touchpoints)])
        return TrackPayload(
            results=[
                TouchpointResult(
                    index=r.index,
                    id=r.id,
                    person_id=strawberry.ID(r.person_id) if r.person_id else None,
                    action=r.action,
                )
                for r in outcome.results
            ],
            errors=[ItemError(index=e.index, code=e.code, message=e.message) for e in outcome.errors],
            persons_created=[strawberry.ID(p) for p in outcome.persons_created],
            persons_merged=[strawberry.ID(p) for p in outcome.persons_merged],
        )

    @strawberry.mutation(
        extensions=needs(Scope.CONSENT_WRITE),
        description="Record a consent statement given through an identifier. It follows the identifier through "
        "merges and splits; all are kept. Per purpose and channel the latest statement is in force, a statement "
        "counting from its `at` or from when the server recorded it, whichever is earlier (DENIED/REVOKED win a "
        "tie). An `at` further ahead than GRAPHCDP_CONSENT_MAX_CLOCK_SKEW is refused (CONSENT_IN_FUTURE).",
    )
    async def set_consent(
        self,
        info: Info,
        *,
        identifier: IdentifierInput,
        purpose: str,
        channel: str,
        status: model.ConsentStatus,
        at: DateTime | None = None,
        source: str | None = None,
    ) -> SetConsentPayload:
        info.context.identity.normalize_key(identifier.type, identifier.value)
        request = ConsentRequest(identifier.type, identifier.value, purpose, channel, status, _time(at, "at"), source)
        recorded, person = await info.context.profiles.set_consent(request)
        statements = (await info.context.profiles.consents([person]))[0]
        in_force = {(c.purpose, c.channel): c for c in effective_consents(statements)}
        effective = in_force.get((recorded.purpose, recorded.channel), recorded)
        return SetConsentPayload(
            person_id=strawberry.ID(person),
            consent=Consent.from_model(recorded),
            effective=Consent.from_model(effective),
        )
