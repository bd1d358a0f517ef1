"""Webhook destinations on the real embedded database, with a real HTTP receiver on loopback: the dispatcher's
rounds run here one by one (the running service runs them in the background, tests/api/test_webhooks_serve.py).
Signatures verify with the standardwebhooks library; failed attempts are retried in order per person; a delivery
past its retry window becomes a dead letter that redeliver sends again; nothing is sent about a person whose consent
in force for the destination's purpose is not GRANTED; pausing, kinds, deleting and erasure."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from graphcdp.auth.audit import AuditAction
from graphcdp.clock import now_ms
from graphcdp.errors import ErrorCode, GraphCDPError
from graphcdp.model.feed import ChangeKind
from graphcdp.model.profiles import ConsentStatus
from graphcdp.model.webhooks import Delivery, DeliveryStatus, DestinationStatus
from graphcdp.privacy.consent import ConsentRequest
from graphcdp.settings import load_settings
from graphcdp.store.falkordb import FalkorDBStore
from graphcdp.wiring import Services, services_on
from tests.identity_helpers import rec
from tests.webhook_receiver import Receiver

ROUNDS = 400  # a bound so a broken dispatcher fails the test instead of hanging it; not a measurement
FAST_RETRIES: dict[str, Any] = {"webhook_retry_first_seconds": 0.01, "webhook_retry_max_seconds": 0.05}


@pytest.fixture
async def services(falkordb_store: FalkorDBStore, tmp_path: Any) -> AsyncIterator[Services]:
    settings = load_settings(erasure_compaction=0, data_dir=tmp_path, **FAST_RETRIES)
    async with services_on(falkordb_store, settings) as opened:
        yield opened


async def log(services: Services, destination: str) -> list[Delivery]:
    found, _ = await services.webhooks.deliveries(destination, (), None, 1000)
    return found


async def settle(services: Services, destination: str) -> list[Delivery]:
    """Dispatcher rounds until the destination has handed over the whole feed and nothing waits."""
    dispatcher = services.webhooks.dispatcher
    for _ in range(ROUNDS):
        if not await dispatcher.run_once():
            deliveries = await log(services, destination)
            if all(d.status is not DeliveryStatus.PENDING for d in deliveries):
                return deliveries
            await asyncio.sleep(0.02)  # a backoff is running
    raise AssertionError("the deliveries did not settle")


async def person(services: Services, source_id: str, email: str, **traits: Any) -> str:
    out = await services.identity.upsert_records([rec("crm", source_id, now_ms(), ("email", email), **traits)])
    assert out.errors == []
    return out.results[0].person_id


async def consent(services: Services, email: str, status: ConsentStatus, channel: str = "email") -> None:
    request = ConsentRequest("email", email, "marketing", channel, status, None, None)
    await services.profiles.set_consent(request)


async def test_deliveries_are_signed_in_order_per_person_and_only_with_consent(
    services: Services, receiver: Receiver
) -> None:
    granted = await person(services, "1", "ada@example.com", name="Ada")
    denied = await person(services, "2", "bob@example.com", name="Bob")
    silent = await person(services, "3", "cy@example.com", name="Cy")  # no statement at all
    other_channel = await person(services, "4", "di@example.com", name="Di")
    await consent(services, "ada@example.com", ConsentStatus.GRANTED)
    await consent(services, "bob@example.com", ConsentStatus.GRANTED)
    await consent(services, "bob@example.com", ConsentStatus.REVOKED)  # in force: REVOKED
    await consent(services, "di@example.com", ConsentStatus.GRANTED, channel="sms")
    destination, secret = await services.webhooks.create(
        receiver.url, purpose="Marketing", channel="email", actor="test"
    )
    assert secret.startswith("whsec_") and destination.purpose == "marketing"
    assert secret not in destination.sealed_secret  # kept encrypted
    receiver.secret = secret
    receiver.fail_first = 2
    for n in range(3):  # three changes per person, after the destination was made
        for source_id, email in (("1", "ada"), ("2", "bob"), ("3", "cy"), ("4", "di")):
            await person(services, source_id, f"{email}@example.com", name=email, visits=n)

    deliveries = await settle(services, destination.id)

    by_person: dict[str, list[Delivery]] = {}
    for d in deliveries:
        by_person.setdefault(d.person_id, []).append(d)
    assert {d.status for d in by_person[granted]} == {DeliveryStatus.DELIVERED}
    assert len(by_person[granted]) == 3 and all(d.attempts == 3 for d in by_person[granted])
    for blocked in (denied, silent, other_channel):
        assert {d.status for d in by_person[blocked]} == {DeliveryStatus.SUPPRESSED_BY_CONSENT}
        assert {d.last_error for d in by_person[blocked]} == {"suppressed by consent"}
    received = receiver.delivered()
    assert {r.person_id for r in receiver.receipts} == {granted}  # nothing else was even attempted
    assert all(r.verified for r in receiver.receipts)
    assert [r.sequence for r in received] == sorted(d.sequence for d in by_person[granted])
    assert {r.message_id for r in received} == {d.id for d in by_person[granted]}
    first = received[0].body
    assert first["type"] == "person.traits_changed" and first["data"]["kind"] == "TRAITS_CHANGED"
    assert "ada" not in str(first)  # keys and ids, never values


async def test_a_failing_receiver_keeps_each_persons_order(services: Services, receiver: Receiver) -> None:
    destination, secret = await services.webhooks.create(receiver.url, actor="test")
    receiver.secret = secret
    receiver.fail_first = 1
    persons = [await person(services, str(n), f"p{n}@example.com", visits=0) for n in range(5)]
    for visits in range(1, 4):
        for n in range(5):
            await person(services, str(n), f"p{n}@example.com", visits=visits)
    deliveries = await settle(services, destination.id)
    assert {d.status for d in deliveries} == {DeliveryStatus.DELIVERED}
    received = receiver.delivered()
    assert len(received) == len(deliveries) and all(r.verified for r in received)
    for p in persons:
        mine = [r.sequence for r in received if r.person_id == p]
        assert mine == sorted(mine) and len(mine) >= 4  # CREATED (and more), then three TRAITS_CHANGED


async def test_past_its_retry_window_a_delivery_is_a_dead_letter_that_redeliver_sends_again(
    falkordb_store: FalkorDBStore, receiver: Receiver, tmp_path: Any
) -> None:
    settings = load_settings(data_dir=tmp_path, webhook_retry_hours=0.00001, **FAST_RETRIES)  # 36 ms
    async with services_on(falkordb_store, settings) as services:
        destination, secret = await services.webhooks.create(receiver.url, actor="test")
        receiver.secret = secret
        receiver.stop()  # down
        await person(services, "1", "ada@example.com", name="Ada")
        deliveries = await settle(services, destination.id)
        assert deliveries and {d.status for d in deliveries} == {DeliveryStatus.DEAD_LETTER}
        assert all(d.attempts >= 1 and d.last_error for d in deliveries)
        receiver.start()  # back, on the same port
        again = await services.webhooks.redeliver(deliveries[0].id, actor="test")
        assert again.status is DeliveryStatus.PENDING
        settled = {d.id: d for d in await settle(services, destination.id)}
        assert settled[deliveries[0].id].status is DeliveryStatus.DELIVERED
        assert [r.message_id for r in receiver.delivered()] == [deliveries[0].id]
        actions = {e.action for e in await services.audit.entries(10)}
        assert {AuditAction.DESTINATION_CREATED.value, AuditAction.DELIVERY_REDELIVERED.value} <= actions
        with pytest.raises(GraphCDPError) as missing:
            await services.webhooks.redeliver("dst_none.1", actor="test")
        assert missing.value.code is ErrorCode.DELIVERY_NOT_FOUND


async def test_kinds_pause_resume_and_delete(services: Services, receiver: Receiver) -> None:
    destination, secret = await services.webhooks.create(receiver.url, kinds=[ChangeKind.CREATED], actor="test")
    receiver.secret = secret
    paused = await services.webhooks.set_status(destination.id, DestinationStatus.PAUSED, actor="test")
    assert paused.status is DestinationStatus.PAUSED
    ada = await person(services, "1", "ada@example.com", name="Ada")
    await person(services, "1", "ada@example.com", name="Ada L.")  # TRAITS_CHANGED: not asked for
    assert not await services.webhooks.dispatcher.run_once()  # paused: nothing handed over
    assert await log(services, destination.id) == []
    await services.webhooks.set_status(destination.id, DestinationStatus.ACTIVE, actor="test")
    deliveries = await settle(services, destination.id)  # caught up with what happened while paused
    assert [(d.kind, d.person_id, d.status) for d in deliveries] == [
        (ChangeKind.CREATED, ada, DeliveryStatus.DELIVERED)
    ]
    deleted = await services.webhooks.delete(destination.id, actor="test")
    assert deleted.id == destination.id and await services.webhooks.all() == []
    with pytest.raises(GraphCDPError) as gone:
        await log(services, destination.id)
    assert gone.value.code is ErrorCode.DESTINATION_NOT_FOUND


async def test_an_erasure_removes_her_deliveries_and_erased_is_delivered(
    services: Services, receiver: Receiver
) -> None:
    destination, secret = await services.webhooks.create(receiver.url, purpose="marketing", actor="test")
    receiver.secret = secret
    ada = await person(services, "1", "ada@example.com", name="Ada")
    bob = await person(services, "2", "bob@example.com", name="Bob")
    await consent(services, "bob@example.com", ConsentStatus.GRANTED)
    await settle(services, destination.id)
    assert {d.person_id for d in await log(services, destination.id)} == {ada, bob}
    await services.privacy.forget_person(ada)
    deliveries = await settle(services, destination.id)
    hers = [d for d in deliveries if d.person_id == ada]
    assert [(d.kind, d.status) for d in hers] == [(ChangeKind.ERASED, DeliveryStatus.DELIVERED)]
    assert receiver.delivered()[-1].body["data"]["kind"] == "ERASED"  # sent whatever her consent was


async def test_a_destination_is_checked(services: Services) -> None:
    for url in ("ftp://example.com/hook", "not a url", "http:///path", "https://" + "a" * 2050 + ".com"):
        with pytest.raises(GraphCDPError) as refused:
            await services.webhooks.create(url, actor="test")
        assert refused.value.code is ErrorCode.INVALID_DESTINATION, url
    with pytest.raises(GraphCDPError) as refused:
        await services.webhooks.create("https://example.com/hook", channel="email", actor="test")
    assert refused.value.code is ErrorCode.INVALID_DESTINATION


async def test_her_revocation_is_delivered_and_then_nothing_more(services: Services, receiver: Receiver) -> None:
    ada = await person(services, "1", "ada@example.com", name="Ada")
    await consent(services, "ada@example.com", ConsentStatus.GRANTED)
    destination, secret = await services.webhooks.create(
        receiver.url, purpose="marketing", channel="email", actor="test"
    )
    receiver.secret = secret
    await person(services, "1", "ada@example.com", name="Ada", visits=1)  # sent: she consents
    await settle(services, destination.id)  # (consent is checked when a delivery is sent)
    await consent(services, "ada@example.com", ConsentStatus.GRANTED, channel="sms")  # another channel: suppressed
    await consent(services, "ada@example.com", ConsentStatus.REVOKED)  # sent: the receiver must stop
    await person(services, "1", "ada@example.com", name="Ada", visits=2)  # suppressed: she revoked
    deliveries = await settle(services, destination.id)
    assert [(d.kind, d.status) for d in deliveries] == [
        (ChangeKind.TRAITS_CHANGED, DeliveryStatus.DELIVERED),
        (ChangeKind.CONSENT_CHANGED, DeliveryStatus.SUPPRESSED_BY_CONSENT),
        (ChangeKind.CONSENT_CHANGED, DeliveryStatus.DELIVERED),
        (ChangeKind.TRAITS_CHANGED, DeliveryStatus.SUPPRESSED_BY_CONSENT),
    ]
    assert {d.person_id for d in deliveries} == {ada}
    revoked = receiver.delivered()[-1].body["data"]
    assert revoked["kind"] == "CONSENT_CHANGED" and revoked["data"]["status"] == "REVOKED"


async def test_an_event_gone_from_the_feed_before_it_went_is_a_dead_letter_about_nobody(
    services: Services, receiver: Receiver
) -> None:
    destination, _ = await services.webhooks.create(receiver.url, actor="test")
    await person(services, "1", "ada@example.com", name="Ada")
    dispatcher = services.webhooks.dispatcher
    (current,) = await services.webhooks.all()
    assert await dispatcher.hand_over(current) >= 1
    assert await services.changes.prune(now=now_ms() + 8 * 86_400_000) >= 1  # retention removed the events
    deliveries = await settle(services, destination.id)
    assert deliveries and {(d.status, d.person_id) for d in deliveries} == {(DeliveryStatus.DEAD_LETTER, "erased")}
    assert all("left the change feed" in str(d.last_error) for d in deliveries)
    assert receiver.receipts == []


async def test_a_destination_with_segments_is_sent_its_members_events_and_their_entering(
    services: Services, receiver: Receiver
) -> None:
    await services.segments.save("gold", {"trait": "tier", "eq": "gold"})
    await services.segments.save("vip", {"trait": "tier", "eq": "platinum"})
    destination, secret = await services.webhooks.create(receiver.url, segments=["gold"], actor="test")
    receiver.secret = secret
    ada = await person(services, "1", "ada@example.com", tier="gold")  # enters gold as she is created
    bob = await person(services, "2", "bob@example.com", tier="silver")
    cy = await person(services, "3", "cy@example.com", tier="silver")
    await settle(services, destination.id)
    await person(services, "1", "ada@example.com", tier="gold", visits=1)  # a member's change: sent
    await person(services, "2", "bob@example.com", tier="platinum")  # he enters another segment: not sent
    await person(services, "3", "cy@example.com", tier="gold")  # she enters gold: sent
    await settle(services, destination.id)
    await person(services, "1", "ada@example.com", tier="silver", visits=1)  # she leaves gold: only that is sent
    deliveries = await settle(services, destination.id)

    sent = [(d.person_id, d.kind) for d in deliveries]
    assert bob not in {person_id for person_id, _ in sent}
    assert (cy, ChangeKind.SEGMENT_ENTERED) in sent and (cy, ChangeKind.CREATED) not in sent
    ada_sent = [kind for person_id, kind in sent if person_id == ada]
    assert ada_sent[0] is ChangeKind.CREATED and ada_sent.count(ChangeKind.TRAITS_CHANGED) == 1
    assert ada_sent.count(ChangeKind.SEGMENT_EXITED) == 1
    received = receiver.delivered()
    assert len(received) == len(deliveries) and all(r.verified for r in received)
    moves = [
        (r.body["data"]["personId"], r.body["data"]["kind"], r.body["data"]["data"])
        for r in received
        if r.body["data"]["kind"] in ("SEGMENT_ENTERED", "SEGMENT_EXITED")
    ]
    assert sorted(moves) == sorted(
        [
            (ada, "SEGMENT_ENTERED", {"segment": "gold"}),
            (cy, "SEGMENT_ENTERED", {"segment": "gold"}),
            (ada, "SEGMENT_EXITED", {"segment": "gold"}),
        ]
    )
