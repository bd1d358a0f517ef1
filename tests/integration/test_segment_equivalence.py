"""What segments compute in Cypher equals what the service computes in Python, on random data in the real database:
every metric against `compute_metrics`, and the consent in force against `effective_consents`."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from graphcdp.identity.normalize import IdentifierPolicy
from graphcdp.identity.service import IdentityService
from graphcdp.model.predictions import BetaGeoParameters
from graphcdp.model.profiles import ConsentStatus, TouchpointInput
from graphcdp.privacy.consent import ConsentRequest, consent_statements, effective_consents
from graphcdp.profiles.metrics import DAY_MS, MetricsConfig, compute_metrics
from graphcdp.profiles.service import ProfileService
from graphcdp.segments.compiler import compile_explain, compile_metrics, dialect_of
from graphcdp.segments.definition import parse_definition
from graphcdp.segments.explanation import explanation
from graphcdp.settings import load_settings
from graphcdp.store import GraphStore
from tests.identity_helpers import rec

NOW = 1_780_000_000_000
TYPES = ["order", "order", "return", "page_view", "email_open", "search"]
PERSONS = 25


def random_touchpoints(rng: random.Random, email: str, person: int) -> list[TouchpointInput]:
    items = []
    for n in range(rng.choice([0, 1, 2, 3, 5, 8, 13, 30])):
        # Mostly the last year and a half, some far back, a few after `now` (the future of the clock asked).
        at = NOW - rng.choice([rng.randint(0, 500 * DAY_MS), rng.randint(0, 30 * DAY_MS), -rng.randint(0, DAY_MS)])
        type_ = rng.choice(TYPES)
        amount = rng.choice([None, round(rng.uniform(0, 400), 2), rng.randint(1, 300), 0.125, 0.25])
        items.append(
            TouchpointInput.model_validate(
                {
                    "id": f"tp-{person}-{n}",
                    "type": type_,
                    "occurredAt": at,
                    "amount": amount,
                    "identifiers": [{"type": "email", "value": email}],
                }
            )
        )
    return items


# A fitted BG/NBD model (probabilityAlive), and one under which a long purchase history overflows the odds.
ALIVE = [BetaGeoParameters(r=0.8, alpha=30.0, a=0.7, b=4.0), BetaGeoParameters(r=240.0, alpha=0.01, a=5.0, b=0.1)]


@pytest.mark.parametrize(("seed", "alive"), [(1, ALIVE[0]), (2, ALIVE[1]), (3, None)])
async def test_every_metric_in_cypher_equals_compute_metrics(
    store: GraphStore, seed: int, alive: BetaGeoParameters | None
) -> None:
    settings = load_settings()
    config = replace(MetricsConfig.from_settings(settings), alive=alive)
    identity = IdentityService(store, settings)
    profiles = ProfileService(identity, settings)
    rng = random.Random(seed)
    events: dict[str, list[list[object]]] = {}
    for n in range(PERSONS):
        email = f"p{n}@example.com"
        items = random_touchpoints(rng, email, n)
        if not items:
            continue
        await profiles.track(items)
        person = await identity.profile("email", email)
        assert person is not None
        events[person.id] = [[t.occurred_at, t.type, t.amount] for t in items]
    dialect = dialect_of(store)
    for now in (NOW, NOW - 40 * DAY_MS, NOW + 400 * DAY_MS):
        read = compile_metrics(dialect, now, metrics=config)
        for person, person_events in events.items():
            rows = await read.run(store, person=person)
            expected = compute_metrics(person_events, now, config).model_dump()
            assert rows[0].metrics.model_dump() == expected, (seed, now, person_events)
            assert (expected["probability_alive"] is None) == (alive is None or not expected["orders"])


async def test_the_consent_in_force_in_cypher_equals_effective_consents(store: GraphStore) -> None:
    settings = load_settings()
    identity = IdentityService(store, settings)
    profiles = ProfileService(identity, settings)
    policy = IdentifierPolicy()
    rng = random.Random(7)
    persons: list[str] = []
    for n in range(8):
        emails = [f"c{n}@example.com", f"c{n}@work.example.com"]
        await identity.upsert_records([rec("crm", f"c{n}", NOW, *(("email", e) for e in emails))])
        times = [NOW - rng.randint(0, 3) * DAY_MS for _ in range(3)]  # few distinct times: ties are common
        for _ in range(rng.randint(0, 7)):
            await profiles.set_consent(
                ConsentRequest(
                    "email",
                    rng.choice(emails),
                    rng.choice(["marketing", "analytics"]),
                    rng.choice(["email", "sms"]),
                    rng.choice(list(ConsentStatus)),
                    rng.choice(times),
                    rng.choice(["crm", "web"]),
                )
            )
        person = await identity.profile("email", emails[0])
        assert person is not None
        persons.append(person.id)
    dialect = dialect_of(store)
    config = MetricsConfig.from_settings(settings)
    for person, statements in zip(persons, await consent_statements(store, persons), strict=True):
        in_force = {(s.purpose, s.channel): s.status for s in effective_consents(statements)}
        for purpose in ("marketing", "analytics"):
            for channel in ("email", "sms"):
                definition = parse_definition({"consent": {"purpose": purpose, "channel": channel}}, policy)
                rows = await compile_explain(definition, dialect, NOW, metrics=config).run(store, person=person)
                held = explanation(definition, rows[0]).member
                assert held == (in_force.get((purpose, channel)) is ConsentStatus.GRANTED), (statements, purpose)
            anywhere = parse_definition({"consent": {"purpose": purpose}}, policy)
            rows = await compile_explain(anywhere, dialect, NOW, metrics=config).run(store, person=person)
            granted = any(s is ConsentStatus.GRANTED for (p, _), s in in_force.items() if p == purpose)
            assert explanation(anywhere, rows[0]).member == granted
