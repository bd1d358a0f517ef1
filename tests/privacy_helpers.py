"""Shared by the privacy tests: Ada, Bob and the household email they share, ingested through the services,
and the whole graph as text to look for values in."""

from __future__ import annotations

import json
from typing import Any

from graphcdp.model.profiles import ConsentStatus, TouchpointInput
from graphcdp.privacy.consent import ConsentRequest
from graphcdp.store import GraphStore
from graphcdp.store.cypher import Query, StatementName
from graphcdp.wiring import Services
from tests.identity_helpers import rec

EVERYTHING = Query(StatementName("test/everything"), dict)
T0 = 1_700_000_000_000

# Her values: distinctive, so that finding one anywhere means it was not erased.
ADA_EMAIL = "ada.zyxwvut@example.com"
ADA_PHONE = "+44 20 7946 0321"
ADA_PHONE_E164 = "+442079460321"
ADA_COOKIE = "ck-ada-qqxjv"
ADA_NAME = "Adalbertina Quixotel"
ADA_VALUES = [ADA_EMAIL, ADA_PHONE_E164, ADA_COOKIE, "Adalbertina", "Quixotel", "cust-ada-771", "order-ada-1"]
HOUSEHOLD = "family.zyxw@example.com"
BOB_EMAIL = "bob.mmnop@example.com"


def tp(id_: str, at: int, *ids: tuple[str, str], type_: str = "page_view", **extra: Any) -> TouchpointInput:
    return TouchpointInput.model_validate(
        {"id": id_, "type": type_, "occurredAt": at, "identifiers": [{"type": t, "value": v} for t, v in ids], **extra}
    )


async def ingest_ada_and_bob(services: Services) -> str:
    """Ada (records, a touchpoint, an order, consent) and Bob, who shares a household email with her; merge
    protection (one customer id per person) keeps them two persons. Returns Ada's person id."""
    identity, profiles = services.identity, services.profiles
    out = await identity.upsert_records(
        [
            rec(
                "crm",
                "cust-ada-771",
                T0,
                ("email", ADA_EMAIL),
                ("customer_id", "cust-ada-771"),
                ("email", HOUSEHOLD),
                firstName="Adalbertina",
                lastName="Quixotel",
                birthDate="1815-12-10",
            ),
            rec("pos", "pos-ada-9", T0 + 1, ("phone", ADA_PHONE), ("email", ADA_EMAIL), city="London"),
            rec(
                "crm",
                "cust-bob-1",
                T0 + 2,
                ("email", BOB_EMAIL),
                ("customer_id", "cust-bob-1"),
                ("email", HOUSEHOLD),
                firstName="Bob",
                lastName="Builder",
            ),
        ]
    )
    assert not out.errors
    tracked = await profiles.track(
        [
            tp("pv-ada-1", T0 + 10, ("cookie_id", ADA_COOKIE)),
            tp("login-ada-1", T0 + 11, ("cookie_id", ADA_COOKIE), ("email", ADA_EMAIL), type_="login"),
            tp("order-ada-1", T0 + 12, ("email", ADA_EMAIL), type_="order", amount=42.5, currency="GBP"),
            tp("household-1", T0 + 13, ("email", HOUSEHOLD), type_="page_view"),
        ]
    )
    assert not tracked.errors
    await profiles.set_consent(
        ConsentRequest("email", ADA_EMAIL, "marketing", "email", ConsentStatus.GRANTED, T0, "crm")
    )
    await profiles.set_consent(
        ConsentRequest("email", ADA_EMAIL, "marketing", "email", ConsentStatus.REVOKED, T0 + 5, "web")
    )
    ada = await identity.profile("email", ADA_EMAIL)
    bob = await identity.profile("email", BOB_EMAIL)
    assert ada is not None and bob is not None and ada.id != bob.id
    assert ada.id == (await identity.profile("cookie_id", ADA_COOKIE) or ada).id
    return ada.id


async def graph_text(store: GraphStore) -> str:
    """Every node and edge as text, but the change feed's ERASED events: they name the erased ids on purpose, so
    systems downstream erase her too (docs/change-feed.md), and hold nothing else."""
    rows = await store.run(EVERYTHING, {})
    kept = [row for row in rows if not ("Change" in row["labels"] and row["properties"].get("kind") == "ERASED")]
    return json.dumps(kept, default=str).lower()
