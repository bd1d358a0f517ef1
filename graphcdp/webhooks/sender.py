"""One HTTP attempt of a delivery: the event as JSON, signed by the Standard Webhooks scheme (webhook-id,
webhook-timestamp, webhook-signature), so a receiver verifies it with any Standard Webhooks library."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
from standardwebhooks.webhooks import Webhook

from graphcdp import __version__
from graphcdp.model.feed import Change

MAX_ERROR = 200  # characters of an attempt's error kept in the delivery log


@dataclass(frozen=True)
class Attempt:
    delivered: bool
    status_code: int | None
    error: str | None  # never the receiver's answer: it is the receiver's data, and may be anything


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def event_body(change: Change) -> str:
    """The body of a delivery: `type`, `timestamp` and `data` as Standard Webhooks suggests; `data` is the change
    as the `changes` query shows it (ids, keys and types; never values)."""
    return json.dumps(
        {
            "type": f"person.{change.kind.value.lower()}",
            "timestamp": _iso(change.at),
            "data": {
                "sequence": str(change.sequence),
                "kind": change.kind.value,
                "personId": change.person_id,
                "at": _iso(change.at),
                "data": change.data,
            },
        },
        sort_keys=True,
        separators=(",", ":"),
    )


def signed_headers(secret: str, message_id: str, sent_at_ms: int, body: str) -> dict[str, str]:
    sent_at = datetime.fromtimestamp(sent_at_ms // 1000, UTC)
    return {
        "content-type": "application/json",
        "user-agent": f"graphcdp/{__version__}",
        "webhook-id": message_id,
        "webhook-timestamp": str(sent_at_ms // 1000),
        "webhook-signature": Webhook(secret).sign(message_id, sent_at, body),
    }


class WebhookSender:
    """Sends attempts, `concurrency` at a time, each bounded by the timeout. One httpx client per slot, each with one
    connection: httpx's pool shared by many tasks slows down as they grow (to a local receiver, 16 tasks on one
    client sent 455 POSTs/s, on 16 clients 1,250/s; bench/README.md)."""

    def __init__(self, timeout: float, concurrency: int) -> None:
        self._clients = [
            httpx.AsyncClient(
                timeout=httpx.Timeout(timeout),
                limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
                follow_redirects=False,  # a redirect is the receiver's mistake: it would send the body elsewhere
            )
            for _ in range(concurrency)
        ]
        self._idle: asyncio.Queue[httpx.AsyncClient] = asyncio.Queue()
        for client in self._clients:
            self._idle.put_nowait(client)

    async def send(self, url: str, headers: dict[str, str], body: str) -> Attempt:
        client = await self._idle.get()
        try:
            response = await client.post(url, content=body.encode(), headers=headers)
        except httpx.HTTPError as exc:
            return Attempt(
                False, None, f"{type(exc).__name__}: {str(exc)[:MAX_ERROR]}" if str(exc) else type(exc).__name__
            )
        finally:
            self._idle.put_nowait(client)
        if 200 <= response.status_code < 300:
            return Attempt(True, response.status_code, None)
        return Attempt(False, response.status_code, f"the receiver answered HTTP {response.status_code}")

    async def close(self) -> None:
        for client in self._clients:
            await client.aclose()
