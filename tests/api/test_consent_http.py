"""Which consent statement is in force, and who can pin it, over GraphQL on the real embedded database.

The finding (issue 16): a GRANTED dated 9999-12-31 pinned a customer's consent, so her later REVOKED never took
effect. Now a statement dated further ahead than GRAPHCDP_CONSENT_MAX_CLOCK_SKEW is refused, and a statement
counts from its `at` or from when the server recorded it, whichever is earlier (docs/api.md, "Consent").
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from graphcdp.clock import now_ms
from graphcdp.model.feed import ChangeKind, change_for_statement
from graphcdp.privacy.consent import RECORD_CONSENT
from graphcdp.settings import load_settings
from graphcdp.store.falkordb import FalkorDBStore
from tests.api.graphql_client import asgi_client, gql
from tests.api.test_profiles_http import DAY, T0, UPSERT

SET = """
mutation($value: String!, $status: ConsentStatus!, $at: DateTime, $source: String) {
  setConsent(identifier: {type: "email", value: $value}, purpose: "marketing", channel: "email", status: $status,
             at: $at, source: $source) {
    personId consent { status at recordedAt } effective { status at }
  }
}"""
READ = """
query($value: String!) {
  profile(identifier: {type: "email", value: $value}) {
    consents { purpose channel status at } consentHistory { status at }
  }
}"""
END_OF_9999 = "9999-12-31T00:00:00Z"
SECOND = 1000


@pytest.fixture
async def client(falkordb_store: FalkorDBStore) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(falkordb_store, load_settings()) as http:
        yield http


async def consent(client: httpx.AsyncClient, value: str, status: str, at: Any = None, **extra: Any) -> dict[str, Any]:
    body = await gql(client, SET, value=value, status=status, at=at, **extra)
    # Two statements sent one after the other are recorded at different milliseconds.
    await asyncio.sleep(0.005)
    return body


async def in_force(client: httpx.AsyncClient, value: str) -> str | None:
    body = await gql(client, READ, value=value)
    profile = body["data"]["profile"]
    if profile is None:
        return None
    statuses = {(c["purpose"], c["channel"]): c["status"] for c in profile["consents"]}
    return statuses.get(("marketing", "email"))


async def history(client: httpx.AsyncClient, value: str) -> list[str]:
    body = await gql(client, READ, value=value)
    return [c["status"] for c in body["data"]["profile"]["consentHistory"]]


async def test_a_grant_dated_in_year_9999_is_refused_and_her_revocation_stays_in_force(
    client: httpx.AsyncClient,
) -> None:
    await consent(client, "eve@example.com", "REVOKED")
    pin = await consent(client, "eve@example.com", "GRANTED", END_OF_9999)
    assert pin["data"] is None
    error = pin["errors"][0]
    assert error["extensions"]["code"] == "CONSENT_IN_FUTURE"
    assert error["path"] == ["setConsent"]
    assert error["message"].startswith("at: 9999-12-31T00:00:00.000Z is in the future")
    # Epoch milliseconds beyond any calendar are refused the same way (and do not crash the message).
    beyond = await consent(client, "eve@example.com", "GRANTED", 10**17)
    assert beyond["errors"][0]["extensions"]["code"] == "CONSENT_IN_FUTURE"
    # Nothing was recorded: the history holds her revocation alone.
    assert await history(client, "eve@example.com") == ["REVOKED"]
    assert await in_force(client, "eve@example.com") == "REVOKED"


async def test_a_refused_statement_creates_no_person(client: httpx.AsyncClient) -> None:
    refused = await consent(client, "new@example.com", "GRANTED", END_OF_9999)
    assert refused["errors"][0]["extensions"]["code"] == "CONSENT_IN_FUTURE"
    assert await in_force(client, "new@example.com") is None  # no profile at all


async def test_a_grant_dated_ahead_within_the_skew_is_kept_but_cannot_outrank_a_later_revocation(
    client: httpx.AsyncClient,
) -> None:
    ahead = now_ms() + 240 * SECOND  # inside the default skew of 300 s
    granted = await consent(client, "fay@example.com", "GRANTED", ahead)
    assert granted["data"]["setConsent"]["consent"]["status"] == "GRANTED"
    assert granted["data"]["setConsent"]["effective"]["status"] == "GRANTED"
    # Her revocation, made now: earlier by `at` than the grant, but recorded after it.
    revoked = await consent(client, "fay@example.com", "REVOKED")
    assert revoked["data"]["setConsent"]["effective"]["status"] == "REVOKED"
    assert await in_force(client, "fay@example.com") == "REVOKED"
    assert await history(client, "fay@example.com") == ["REVOKED", "GRANTED"]  # oldest `at` first, both kept


async def test_a_grant_back_dated_before_her_revocation_but_sent_after_it_does_not_win(
    client: httpx.AsyncClient,
) -> None:
    await consent(client, "gia@example.com", "GRANTED", T0)
    await consent(client, "gia@example.com", "REVOKED", T0 + 2 * DAY)
    late = await consent(client, "gia@example.com", "GRANTED", T0 + DAY, source="replayed-connector")
    assert late["data"]["setConsent"]["effective"] == {"status": "REVOKED", "at": "2023-11-16T22:13:20.000Z"}
    # Dated at the very instant of the revocation: the protective statement wins the tie.
    tie = await consent(client, "gia@example.com", "GRANTED", T0 + 2 * DAY, source="same-instant")
    assert tie["data"]["setConsent"]["effective"]["status"] == "REVOKED"
    assert await in_force(client, "gia@example.com") == "REVOKED"
    # The same for DENIED.
    await consent(client, "gus@example.com", "DENIED", T0 + 2 * DAY)
    await consent(client, "gus@example.com", "GRANTED", T0 + DAY)
    assert await in_force(client, "gus@example.com") == "DENIED"


async def test_a_pin_stored_before_this_rule_no_longer_holds(
    client: httpx.AsyncClient, falkordb_store: FalkorDBStore
) -> None:
    # A 9999 grant written when the API still took it (straight into the graph: the API refuses it now).
    await gql(
        client,
        UPSERT,
        records=[{"source": "crm", "sourceId": "h1", "identifiers": [{"type": "email", "value": "hal@example.com"}]}],
    )
    pinned = {
        "id": "c:pinned-before-the-fix",
        "identifier": "email:hal@example.com",
        "purpose": "marketing",
        "channel": "email",
        "status": "GRANTED",
        "at": 253_402_214_400_000,  # 9999-12-31
        "source": "attacker",
    }
    change = change_for_statement(ChangeKind.CONSENT_CHANGED, {"purpose": "marketing", "channel": "email"})
    await falkordb_store.run(RECORD_CONSENT, {"now": now_ms(), "consent": pinned, "change": change})
    await asyncio.sleep(0.005)
    assert await in_force(client, "hal@example.com") == "GRANTED"
    revoked = await consent(client, "hal@example.com", "REVOKED")
    assert revoked["data"]["setConsent"]["effective"]["status"] == "REVOKED"
    assert await in_force(client, "hal@example.com") == "REVOKED"


async def test_she_can_grant_again_after_revoking_and_an_old_revocation_delivered_late_changes_nothing(
    client: httpx.AsyncClient,
) -> None:
    # The rule is not "revocations always win": her own later grant is in force again.
    await consent(client, "ida@example.com", "REVOKED", now_ms() - 60 * SECOND)
    again = await consent(client, "ida@example.com", "GRANTED")
    assert again["data"]["setConsent"]["effective"]["status"] == "GRANTED"
    # A revocation she made before that grant, delivered late by a slow connector: she granted after it.
    await consent(client, "ida@example.com", "REVOKED", now_ms() - 30 * SECOND, source="slow-connector")
    assert await in_force(client, "ida@example.com") == "GRANTED"
    assert await history(client, "ida@example.com") == ["REVOKED", "REVOKED", "GRANTED"]


async def test_a_statement_sent_again_keeps_the_time_it_was_first_recorded(client: httpx.AsyncClient) -> None:
    first = await consent(client, "jo@example.com", "GRANTED", T0)
    again = await consent(client, "jo@example.com", "GRANTED", T0)
    recorded = first["data"]["setConsent"]["consent"]["recordedAt"]
    assert again["data"]["setConsent"]["consent"]["recordedAt"] == recorded
    assert await history(client, "jo@example.com") == ["GRANTED"]


async def test_the_allowed_clock_skew_is_a_setting(falkordb_store: FalkorDBStore) -> None:
    ahead = now_ms() + 60 * SECOND
    async with asgi_client(falkordb_store, load_settings(consent_max_clock_skew=0)) as strict:
        refused = await consent(strict, "kim@example.com", "GRANTED", ahead)
        assert refused["errors"][0]["extensions"]["code"] == "CONSENT_IN_FUTURE"
        assert "at most 0 s ahead" in refused["errors"][0]["message"]
    async with asgi_client(falkordb_store, load_settings(consent_max_clock_skew=120)) as lenient:
        accepted = await consent(lenient, "kim@example.com", "GRANTED", ahead)
        assert accepted["data"]["setConsent"]["consent"]["status"] == "GRANTED"
