"""WebhookService: managing destinations (scope admin) and their delivery logs; the dispatcher does the sending."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Collection, Sequence
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

from graphcdp.auth.audit import AuditAction, AuditTrail
from graphcdp.clock import now_ms
from graphcdp.errors import ErrorCode, GraphCDPError
from graphcdp.feed.reader import bounds
from graphcdp.model.feed import ChangeKind
from graphcdp.model.inputs import ItemInvalid, check_text
from graphcdp.model.webhooks import (
    DeletedDestination,
    Delivery,
    DeliveryStatus,
    Destination,
    DestinationStatus,
)
from graphcdp.settings import Settings
from graphcdp.store import GraphStore, statement
from graphcdp.webhooks.dispatcher import DESTINATIONS, Dispatcher
from graphcdp.webhooks.retry import RetryPolicy
from graphcdp.webhooks.secrets import SecretBox, new_secret

CREATE = statement("webhooks/create_destination", Destination)
SET_STATUS = statement("webhooks/set_destination_status", Destination)
DELETE = statement("webhooks/delete_destination", DeletedDestination)
DELIVERIES = statement("webhooks/deliveries", Delivery)
REDELIVER = statement("webhooks/redeliver", Delivery)

MAX_URL = 2048
MAX_NAME = 64  # a purpose, channel or segment key
MAX_SEGMENTS = 100


class DestinationNotFoundError(GraphCDPError):
    code = ErrorCode.DESTINATION_NOT_FOUND


class DeliveryNotFoundError(GraphCDPError):
    code = ErrorCode.DELIVERY_NOT_FOUND


class InvalidDestinationError(GraphCDPError):
    code = ErrorCode.INVALID_DESTINATION


def _text(value: str, field: str) -> str:
    try:
        return check_text(value, field)
    except ItemInvalid as exc:
        raise InvalidDestinationError(exc.message) from None


def check_url(url: str) -> str:
    url = _text(url, "url").strip()
    parts = urlsplit(url)
    if len(url) > MAX_URL or parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidDestinationError(f"url: an http or https URL with a host, at most {MAX_URL} characters")
    return url


def _name(value: str | None, field: str) -> str | None:
    """A purpose, channel or segment key, as consent statements and segments spell them (trimmed; purposes and
    channels in lower case, like setConsent)."""
    if value is None:
        return None
    name = _text(value, field).strip()
    if not name or len(name) > MAX_NAME:
        raise InvalidDestinationError(f"{field}: 1 to {MAX_NAME} characters")
    return name


class WebhookService:
    def __init__(self, store: GraphStore, settings: Settings, audit: AuditTrail) -> None:
        self.store = store
        self.audit = audit
        self.box = SecretBox(settings)
        self.policy = RetryPolicy.from_settings(settings)
        self.dispatcher = Dispatcher(store, settings, self.box)

    async def create(
        self,
        url: str,
        kinds: Collection[ChangeKind] = (),
        segments: Sequence[str] = (),
        purpose: str | None = None,
        channel: str | None = None,
        *,
        actor: str,
    ) -> tuple[Destination, str]:
        """A new destination, sent the events from now on; with its signing secret, which is never shown again."""
        if channel is not None and purpose is None:
            raise InvalidDestinationError("channel: a channel needs a purpose (the consent asked for is per purpose)")
        if len(segments) > MAX_SEGMENTS:
            raise InvalidDestinationError(f"segments: at most {MAX_SEGMENTS}")
        purpose_name = _name(purpose, "purpose")
        channel_name = _name(channel, "channel")
        keys = sorted({str(_name(key, "segments")) for key in segments})
        secret = new_secret()
        params = {
            "id": "dst_" + secrets.token_hex(8),
            "url": check_url(url),
            "sealedSecret": self.box.seal(secret),
            "kinds": sorted(kind.value for kind in set(kinds)),
            "segments": keys,
            "purpose": purpose_name.lower() if purpose_name else None,
            "channel": channel_name.lower() if channel_name else None,
            "now": now_ms(),
            "position": (await bounds(self.store)).last,
        }
        destination = (await self.store.run(CREATE, params))[0]
        await self.audit.record(actor, AuditAction.DESTINATION_CREATED, destination.id)
        return destination, secret

    async def all(self) -> list[Destination]:
        return await self.store.run(DESTINATIONS, {"id": None})

    async def get(self, destination_id: str) -> Destination:
        found = await self.store.run(DESTINATIONS, {"id": destination_id})
        if not found:
            raise DestinationNotFoundError(f"no webhook destination has the id {destination_id!r}")
        return found[0]

    async def set_status(self, destination_id: str, status: DestinationStatus, *, actor: str) -> Destination:
        found = await self.store.run(SET_STATUS, {"id": destination_id, "status": status.value})
        if not found:
            raise DestinationNotFoundError(f"no webhook destination has the id {destination_id!r}")
        action = (
            AuditAction.DESTINATION_PAUSED if status is DestinationStatus.PAUSED else AuditAction.DESTINATION_RESUMED
        )
        await self.audit.record(actor, action, destination_id)
        return found[0]

    async def delete(self, destination_id: str, *, actor: str) -> Destination:
        destination = await self.get(destination_id)
        await self.store.run(DELETE, {"id": destination_id})
        await self.audit.record(actor, AuditAction.DESTINATION_DELETED, destination_id)
        return destination

    async def deliveries(
        self, destination_id: str, statuses: Collection[DeliveryStatus], after: int | None, first: int
    ) -> tuple[list[Delivery], bool]:
        """Up to `first` deliveries of the destination by sequence after `after`, and whether more follow."""
        await self.get(destination_id)
        params = {
            "destination": destination_id,
            "statuses": sorted(s.value for s in statuses),
            "after": after if after is not None else -1,
            "limit": first + 1,
        }
        found = await self.store.run(DELIVERIES, params)
        return found[:first], len(found) > first

    async def redeliver(self, delivery_id: str, *, actor: str) -> Delivery:
        """Send a delivery again (a dead letter, or any other), with a new retry window."""
        now = now_ms()
        found = await self.store.run(
            REDELIVER, {"id": delivery_id, "now": now, "deadline": now + self.policy.window_ms}
        )
        if not found:
            raise DeliveryNotFoundError(f"no delivery has the id {delivery_id!r}")
        await self.audit.record(actor, AuditAction.DELIVERY_REDELIVERED, delivery_id)
        return found[0]

    def start(self) -> None:
        """Start sending (the running service does; CLI commands do not)."""
        self.dispatcher.start()

    @asynccontextmanager
    async def sending(self) -> AsyncIterator[None]:
        """The dispatcher runs while the app serves (its lifespan)."""
        self.start()
        try:
            yield
        finally:
            await self.close()

    async def close(self) -> None:
        await self.dispatcher.close()
