"""Webhook destinations over GraphQL (scope admin): create one (its signing secret shown this once), list, pause,
resume and delete them, read a destination's delivery log and send a delivery again (docs/webhooks.md)."""

from __future__ import annotations

import strawberry

from graphcdp.api.auth import needs
from graphcdp.api.changes import parse_sequence
from graphcdp.api.context import Info
from graphcdp.api.pagination import PageInfo, check_page_size
from graphcdp.api.scalars import DateTime
from graphcdp.auth.scopes import Scope
from graphcdp.model import webhooks as model
from graphcdp.model.feed import ChangeKind

strawberry.enum(model.DestinationStatus, name="DestinationStatus", description="Whether a destination is sent events.")
strawberry.enum(model.DeliveryStatus, name="DeliveryStatus", description="Where a delivery stands (docs/webhooks.md).")


@strawberry.type(description="A webhook destination: an HTTP endpoint sent the change feed's events, signed.")
class Destination:
    id: strawberry.ID
    url: str
    secret: str | None = strawberry.field(
        description="The signing secret (whsec_…, Standard Webhooks): in createDestination's answer only, null "
        "everywhere else. Keep it: it is never shown again."
    )
    kinds: list[ChangeKind] | None = strawberry.field(description="Only these kinds of change (null: all).")
    segments: list[str] | None = strawberry.field(
        description="Only persons in these segments, and their entering and leaving them (null: everyone)."
    )
    purpose: str | None = strawberry.field(
        description="Persons whose consent in force for this purpose (and channel) is not GRANTED are sent nothing."
    )
    channel: str | None
    status: model.DestinationStatus
    created_at: DateTime
    position: str = strawberry.field(description="The last sequence of the change feed handed over to it.")

    @classmethod
    def from_model(cls, destination: model.Destination, secret: str | None = None) -> Destination:
        return cls(
            id=strawberry.ID(destination.id),
            url=destination.url,
            secret=secret,
            kinds=list(destination.kinds) or None,
            segments=list(destination.segments) or None,
            purpose=destination.purpose,
            channel=destination.channel,
            status=destination.status,
            created_at=destination.created_at,
            position=str(destination.position),
        )


@strawberry.type
class DestinationPayload:
    destination: Destination


@strawberry.type(description="One event for one destination, and how sending it went.")
class Delivery:
    id: strawberry.ID = strawberry.field(description="Also its webhook-id header, the same on every attempt.")
    destination_id: strawberry.ID
    sequence: str = strawberry.field(description="The event's sequence in the change feed.")
    person_id: strawberry.ID
    kind: ChangeKind
    status: model.DeliveryStatus
    attempts: int
    created_at: DateTime = strawberry.field(description="When it was handed over.")
    next_attempt_at: DateTime | None
    last_attempt_at: DateTime | None
    last_status_code: int | None = strawberry.field(description="The HTTP status of the last attempt.")
    last_error: str | None = strawberry.field(
        description="Why the last attempt failed (never the receiver's answer), or `suppressed by consent`."
    )
    delivered_at: DateTime | None

    @classmethod
    def from_model(cls, delivery: model.Delivery) -> Delivery:
        return cls(
            id=strawberry.ID(delivery.id),
            destination_id=strawberry.ID(delivery.destination_id),
            sequence=str(delivery.sequence),
            person_id=strawberry.ID(delivery.person_id),
            kind=delivery.kind,
            status=delivery.status,
            attempts=delivery.attempts,
            created_at=delivery.created_at,
            next_attempt_at=delivery.next_attempt_at,
            last_attempt_at=delivery.last_attempt_at,
            last_status_code=delivery.last_status_code,
            last_error=delivery.last_error,
            delivered_at=delivery.delivered_at,
        )


@strawberry.type
class DeliveryEdge:
    cursor: str
    node: Delivery


@strawberry.type
class DeliveryConnection:
    edges: list[DeliveryEdge]
    page_info: PageInfo


@strawberry.type
class WebhookQuery:
    @strawberry.field(extensions=needs(Scope.ADMIN), description="Every webhook destination, oldest first.")
    async def destinations(self, info: Info) -> list[Destination]:
        return [Destination.from_model(d) for d in await info.context.services.webhooks.all()]

    @strawberry.field(
        extensions=needs(Scope.ADMIN),
        description="A destination's delivery log by sequence, after the cursor `after`, of a status (null: all).",
    )
    async def deliveries(
        self,
        info: Info,
        destination_id: strawberry.ID,
        status: model.DeliveryStatus | None = None,
        after: str | None = None,
        first: int = 100,
    ) -> DeliveryConnection:
        check_page_size(first, info.context.settings.max_page_size)
        found, more = await info.context.services.webhooks.deliveries(
            str(destination_id), [status] if status else [], parse_sequence(after), first
        )
        edges = [DeliveryEdge(cursor=str(d.sequence), node=Delivery.from_model(d)) for d in found]
        end = edges[-1].cursor if edges else after
        return DeliveryConnection(edges=edges, page_info=PageInfo(has_next_page=more, end_cursor=end))


@strawberry.type
class WebhookMutation:
    @strawberry.mutation(
        extensions=needs(Scope.ADMIN),
        description="A webhook destination, sent the events from now on (of `kinds`; of persons in `segments`; "
        "with a `purpose`, only of persons whose consent in force for it, and the channel, is GRANTED). The answer "
        "holds its signing secret, this once.",
    )
    async def create_destination(
        self,
        info: Info,
        *,
        url: str,
        kinds: list[ChangeKind] | None = None,
        segments: list[str] | None = None,
        purpose: str | None = None,
        channel: str | None = None,
    ) -> DestinationPayload:
        destination, secret = await info.context.services.webhooks.create(
            url, kinds or (), segments or (), purpose, channel, actor=info.context.principal.name
        )
        return DestinationPayload(destination=Destination.from_model(destination, secret))

    @strawberry.mutation(
        extensions=needs(Scope.ADMIN),
        description="Stop sending to a destination; events go on being kept for it (within the change feed's "
        "retention) and are sent after resumeDestination.",
    )
    async def pause_destination(self, info: Info, id: strawberry.ID) -> Destination:
        webhooks = info.context.services.webhooks
        paused = await webhooks.set_status(str(id), model.DestinationStatus.PAUSED, actor=info.context.principal.name)
        return Destination.from_model(paused)

    @strawberry.mutation(
        extensions=needs(Scope.ADMIN), description="Send to a paused destination again, from where it stopped."
    )
    async def resume_destination(self, info: Info, id: strawberry.ID) -> Destination:
        webhooks = info.context.services.webhooks
        resumed = await webhooks.set_status(str(id), model.DestinationStatus.ACTIVE, actor=info.context.principal.name)
        return Destination.from_model(resumed)

    @strawberry.mutation(
        extensions=needs(Scope.ADMIN), description="Delete a destination and its delivery log; answers it as it was."
    )
    async def delete_destination(self, info: Info, id: strawberry.ID) -> Destination:
        deleted = await info.context.services.webhooks.delete(str(id), actor=info.context.principal.name)
        return Destination.from_model(deleted)

    @strawberry.mutation(
        extensions=needs(Scope.ADMIN),
        description="Send a delivery again (a dead letter, or any other) with a new retry window, in its person's "
        "order among the deliveries still waiting.",
    )
    async def redeliver(self, info: Info, id: strawberry.ID) -> Delivery:
        return Delivery.from_model(
            await info.context.services.webhooks.redeliver(str(id), actor=info.context.principal.name)
        )
