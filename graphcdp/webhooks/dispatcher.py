"""The dispatcher: a background task of the running service that hands the change feed over to each active
destination (creating its deliveries in the graph, with its position, in one statement) and sends what is due.

Everything it works from is in the graph, so a restart (or a SIGKILL) loses nothing: a delivery sent but not yet
recorded as delivered is sent again (at least once; receivers deduplicate by webhook-id). Per destination it sends
one delivery per person at a time, the oldest waiting, so each person's events arrive in order; different persons
go in parallel, up to GRAPHCDP_WEBHOOK_CONCURRENCY. Ingestion never waits for it: it runs beside the requests, and a
slow or dead receiver only makes its own deliveries wait."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Collection
from dataclasses import dataclass

from graphcdp.clock import now_ms
from graphcdp.feed.reader import ChangesExpiredError, CursorAheadError, bounds, read_changes
from graphcdp.model.feed import Change
from graphcdp.model.webhooks import (
    Counted,
    Delivery,
    DeliveryStatus,
    Destination,
    DestinationStatus,
    HandedOver,
    NextAttempt,
)
from graphcdp.settings import Settings
from graphcdp.store import GraphStore, statement
from graphcdp.webhooks.audience import Audience
from graphcdp.webhooks.consent import SUPPRESSED_BY_CONSENT, ConsentRule, consenting
from graphcdp.webhooks.retry import RetryPolicy
from graphcdp.webhooks.secrets import SecretBox
from graphcdp.webhooks.sender import Attempt, WebhookSender, event_body, signed_headers

DESTINATIONS = statement("webhooks/destinations", Destination)
HAND_OVER = statement("webhooks/hand_over", HandedOver)
DUE = statement("webhooks/due_deliveries", Delivery)
NEXT_ATTEMPT = statement("webhooks/next_attempt", NextAttempt)
RECORD_OUTCOMES = statement("webhooks/record_outcomes", Counted)
CHANGES_BY_SEQUENCE = statement("webhooks/changes_by_sequence", Change)
PRUNE_DELIVERIES = statement("webhooks/prune_deliveries", Counted)

HAND_OVER_PAGE = 500  # events read from the feed per destination and round
SEND_BATCH = 500  # deliveries (one per person) sent per destination and round
PRUNE_EVERY_MS = 60_000
PRUNE_BATCH = 10_000
STOP_GRACE = 1.0  # seconds a round in progress may take to finish when the service stops
EVENT_GONE = "its event left the change feed (retention) before it was delivered"

log = logging.getLogger(__name__)


def delivery_id(destination_id: str, sequence: int) -> str:
    """Also the webhook-id: the same on every attempt, so a receiver recognizes a delivery it already has."""
    return f"{destination_id}.{sequence}"


@dataclass(frozen=True)
class Outcome:
    id: str
    status: DeliveryStatus
    attempted: int
    next_attempt_at: int | None
    status_code: int | None
    error: str | None
    gone: bool = False  # its event left the feed: the log forgets whom it was about

    def param(self) -> dict[str, object]:
        return {
            "id": self.id,
            "status": self.status.value,
            "attempted": self.attempted,
            "nextAttemptAt": self.next_attempt_at,
            "statusCode": self.status_code,
            "error": self.error,
            "gone": self.gone,
        }


@dataclass(frozen=True)
class Clearance:
    """What consent lets a batch send: the persons allowed (None: the destination has no purpose, everyone) and
    the events sent whatever her consent (ConsentRule.sent_regardless)."""

    persons: frozenset[str] | None
    regardless: frozenset[int]

    def sends(self, change: Change) -> bool:
        return self.persons is None or change.person_id in self.persons or change.sequence in self.regardless


class Dispatcher:
    def __init__(self, store: GraphStore, settings: Settings, box: SecretBox) -> None:
        self.store = store
        self.box = box
        self.policy = RetryPolicy.from_settings(settings)
        self.retention_ms = int(settings.change_retention_days * 86_400_000)
        self.poll_interval = settings.change_poll_interval
        self.timeout = settings.webhook_timeout
        self.concurrency = settings.webhook_concurrency
        self.audience = Audience(store)
        self._rng = random.Random()  # noqa: S311 - jitter, not crypto
        self._sender: WebhookSender | None = None
        self._task: asyncio.Task[None] | None = None
        self._stop = asyncio.Event()
        self._pruned_at = 0
        self._active: list[Destination] = []  # the active destinations of the last round (run_once)

    # --- one round ------------------------------------------------------------------------------------------

    async def run_once(self) -> int:
        """Hand the feed over to every active destination and send what is due; how many deliveries were
        handed over or settled (0: nothing to do now)."""
        destinations = [
            d for d in await self.store.run(DESTINATIONS, {"id": None}) if d.status is DestinationStatus.ACTIVE
        ]
        self._active = destinations
        done = await asyncio.gather(*(self._round(d) for d in destinations))
        await self._prune()
        return sum(done)

    async def _round(self, destination: Destination) -> int:
        """One destination's round; its failure (a secret that does not decrypt, say) stops no other."""
        try:
            return await self.hand_over(destination) + await self.send_due(destination)
        except Exception:
            if not await self._database_answers():
                raise  # the database is away: the whole round waits for it
            log.warning("webhook destination %s: its round failed", destination.id, exc_info=True)
            return 0

    async def _database_answers(self) -> bool:
        try:
            await bounds(self.store)
        except Exception:
            return False
        return True

    async def hand_over(self, destination: Destination) -> int:
        """Create the deliveries of the events after the destination's position (those it asked for) and move
        the position past them, in one statement."""
        position = destination.position
        try:
            page = await read_changes(self.store, position, HAND_OVER_PAGE)
        except ChangesExpiredError:
            feed = await bounds(self.store)
            log.warning(
                "webhook destination %s: events %d to %d were removed by retention before they were handed over",
                destination.id, position + 1, feed.first - 1,
            )  # fmt: skip
            return await self._move(destination, feed.first - 1, []) or 1
        except CursorAheadError:  # the database was replaced under it: start from its newest event
            return await self._move(destination, (await bounds(self.store)).last, []) or 1
        if not page.changes and page.last <= position:
            return 0
        to = page.changes[-1].sequence if page.has_next else max(page.last, position)
        wanted = await self._wanted(destination, page.changes)
        return await self._move(destination, to, wanted) or 1

    async def _wanted(self, destination: Destination, changes: list[Change]) -> list[Change]:
        kinds = set(destination.kinds)
        chosen = [c for c in changes if not kinds or c.kind in kinds]
        if destination.segments:
            chosen = await self.audience.in_segments(destination.segments, chosen)
        return chosen

    async def _move(self, destination: Destination, to: int, changes: list[Change]) -> int:
        now = now_ms()
        deliveries = [
            {
                "id": delivery_id(destination.id, c.sequence),
                "sequence": c.sequence,
                "personId": c.person_id,
                "kind": c.kind.value,
            }
            for c in changes
        ]
        params = {
            "destination": destination.id,
            "from": destination.position,
            "to": to,
            "deliveries": deliveries,
            "now": now,
            "deadline": now + self.policy.window_ms,
        }
        moved = await self.store.run(HAND_OVER, params)
        return len(deliveries) if moved else 0

    async def send_due(self, destination: Destination) -> int:
        """Send the due deliveries (the oldest waiting one of each person) and record how each went."""
        now = now_ms()
        due = await self.store.run(DUE, {"destination": destination.id, "now": now, "limit": SEND_BATCH})
        if not due:
            return 0
        found = await self.store.run(CHANGES_BY_SEQUENCE, {"sequences": [d.sequence for d in due]})
        changes = {c.sequence: c for c in found}
        allowed = await self._consenting(destination, found)
        secret = self.box.open(destination.sealed_secret)
        outcomes = await asyncio.gather(
            *(self._settle(destination, secret, d, changes.get(d.sequence), allowed) for d in due)
        )
        await self.store.run(RECORD_OUTCOMES, {"outcomes": [o.param() for o in outcomes], "now": now_ms()})
        self._report(destination, outcomes)
        return len(outcomes)

    @staticmethod
    def _report(destination: Destination, outcomes: list[Outcome]) -> None:
        """Failed attempts at INFO (a receiver down is expected to recover), dead letters at WARNING."""
        failed = sum(o.status is DeliveryStatus.PENDING for o in outcomes)
        dead = sum(o.status is DeliveryStatus.DEAD_LETTER for o in outcomes)
        if failed:
            log.info("webhook destination %s: %d attempts failed, to be retried", destination.id, failed)
        if dead:
            log.warning(
                "webhook destination %s: %d deliveries dead-lettered (redeliver sends them)", destination.id, dead
            )

    async def _consenting(self, destination: Destination, changes: Collection[Change]) -> Clearance:
        if destination.purpose is None:
            return Clearance(None, frozenset())
        rule = ConsentRule(destination.purpose, destination.channel)
        regardless = frozenset(c.sequence for c in changes if rule.sent_regardless(c))
        asked = {c.person_id for c in changes if c.sequence not in regardless}
        return Clearance(frozenset(await consenting(self.store, rule, asked)), regardless)

    async def _settle(
        self, destination: Destination, secret: str, delivery: Delivery, change: Change | None, allowed: Clearance
    ) -> Outcome:
        if change is None:
            return Outcome(delivery.id, DeliveryStatus.DEAD_LETTER, 0, None, None, EVENT_GONE, gone=True)
        if not allowed.sends(change):
            return Outcome(delivery.id, DeliveryStatus.SUPPRESSED_BY_CONSENT, 0, None, None, SUPPRESSED_BY_CONSENT)
        body = event_body(change)
        attempt = await self._client().send(destination.url, signed_headers(secret, delivery.id, now_ms(), body), body)
        return self._after(delivery, attempt)

    def _after(self, delivery: Delivery, attempt: Attempt) -> Outcome:
        if attempt.delivered:
            return Outcome(delivery.id, DeliveryStatus.DELIVERED, 1, None, attempt.status_code, None)
        next_at = now_ms() + self.policy.delay_ms(delivery.attempts + 1, self._rng)
        if next_at > delivery.deadline:
            return Outcome(delivery.id, DeliveryStatus.DEAD_LETTER, 1, None, attempt.status_code, attempt.error)
        return Outcome(delivery.id, DeliveryStatus.PENDING, 1, next_at, attempt.status_code, attempt.error)

    def _client(self) -> WebhookSender:
        if self._sender is None:
            self._sender = WebhookSender(self.timeout, self.concurrency)
        return self._sender

    async def _prune(self) -> None:
        """Settled deliveries older than the change feed's retention leave the log, a batch a minute."""
        now = now_ms()
        if now - self._pruned_at < PRUNE_EVERY_MS:
            return
        self._pruned_at = now
        await self.store.run(PRUNE_DELIVERIES, {"before": now - self.retention_ms, "limit": PRUNE_BATCH})

    async def _seconds_to_next_attempt(self) -> float:
        """Until the earliest backoff ends (at most the poll interval, which also catches other processes), for
        the destinations the round just run found active (one created or resumed since wakes the next round)."""
        wait = self.poll_interval
        for destination in self._active:
            at = (await self.store.run(NEXT_ATTEMPT, {"destination": destination.id}))[0].at
            if at is not None:
                wait = min(wait, max(0.0, (at - now_ms()) / 1000))
        return wait

    # --- the background task ---------------------------------------------------------------------------------

    def start(self) -> None:
        if self._task is None:
            self._stop.clear()
            self._task = asyncio.create_task(self._run(), name="webhook dispatcher")

    async def _run(self) -> None:
        while not self._stop.is_set():
            token = self.store.writes.token()  # taken before the round: a write during it wakes the next one
            try:
                if await self.run_once():
                    continue
                wait = await self._seconds_to_next_attempt()
            except Exception:  # a database restart, a timeout: the next round tries again
                log.warning("webhook dispatch failed; retrying in %.0f s", self.poll_interval, exc_info=True)
                wait = self.poll_interval
            await self._sleep(token, wait)

    async def _sleep(self, token: asyncio.Event, seconds: float) -> None:
        """Until a write of this process, close(), or `seconds`."""
        waits = [asyncio.ensure_future(token.wait()), asyncio.ensure_future(self._stop.wait())]
        try:
            await asyncio.wait(waits, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiting in waits:
                waiting.cancel()

    async def close(self) -> None:
        """Stop: the round in progress gets a moment to record its outcomes, then it is cancelled (a hung database
        or receiver must not hold up a shutdown; what it sent unrecorded is sent again at the next start)."""
        self._stop.set()
        if self._task is not None:
            done, _ = await asyncio.wait({self._task}, timeout=STOP_GRACE)
            if not done:
                self._task.cancel()
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await self._task
            self._task = None
        if self._sender is not None:
            await self._sender.close()
            self._sender = None
