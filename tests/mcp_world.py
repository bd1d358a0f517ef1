"""The customers the MCP tests ask about, written through GraphQL (over HTTP to a running service, or executed
in-process on an embedded database that a `graphcdp mcp` process opens afterwards), and the SDK clients that
connect to graphcdp's MCP server over stdio and over streamable HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client
from pydantic import SecretStr

from graphcdp.api.in_process import InProcessGateway
from graphcdp.settings import Settings
from graphcdp.wiring import open_services
from tests.service_process import CLIENT_KEEP_ALIVE, GRAPHCDP, TEST_ADMIN_KEY, client_limits, service_environment

Execute = Callable[[str, Mapping[str, Any]], Awaitable[dict[str, Any]]]

HOPPERS = 30  # more than a page of search hits and of segment members
ADA_PAGE_VIEWS, ADA_ORDERS = 27, 3  # her journey: more than a page too
SETTINGS = {"GRAPHCDP_MATCHING": "false"}  # identifier links only: who is whom does not hang on trait scores

_UPSERT = """mutation($records: [RecordInput!]!) { upsertRecords(records: $records) { errors { message } } }"""
_TRACK = """mutation($t: [TouchpointInput!]!) { trackTouchpoints(touchpoints: $t) { errors { message } } }"""
_CONSENT = """mutation { setConsent(identifier: {type: "email", value: "ada@example.com"}, purpose: "marketing",
  channel: "email", status: GRANTED) { effective { status } } }"""
_SEGMENT = """mutation { saveSegment(key: "hoppers", name: "The Hoppers",
  definition: {trait: "lastName", eq: "Hopper"}) { errors { message } } }"""
_KEY = """mutation { createApiKey(name: "writer-only", scopes: ["records:write"]) { secret } }"""
_ADA = """{ profile(identifier: {type: "email", value: "ada@example.com"}) { id } }"""
_NAMES = ("Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Niklaus", "Radia", "Ken", "Margaret")


@dataclass(frozen=True)
class World:
    ada_id: str
    writer_key: str  # a key with records:write only: it may not read what the tools read


def _records() -> list[dict[str, Any]]:
    ada = [
        {
            "source": "crm",
            "sourceId": "1",
            "identifiers": [
                {"type": "email", "value": "Ada@Example.com"},
                {"type": "phone", "value": "+44 20 7946 0001"},
                {"type": "customer_id", "value": "C-1"},
            ],
            "traits": {"firstName": "Ada", "lastName": "Lovelace", "birthDate": "1815-12-10"},
        },
        {
            "source": "pos",
            "sourceId": "7",
            "identifiers": [{"type": "phone", "value": "+442079460001"}, {"type": "loyalty_id", "value": "L-7"}],
        },
    ]
    hoppers = [
        {
            "source": "crm",
            "sourceId": f"h{n}",
            "identifiers": [{"type": "email", "value": f"hopper{n}@example.org"}],
            "traits": {"firstName": f"{_NAMES[n % len(_NAMES)]}", "lastName": "Hopper"},
        }
        for n in range(HOPPERS)
    ]
    return ada + hoppers


def _touchpoints() -> list[dict[str, Any]]:
    by_ada = [{"type": "email", "value": "ada@example.com"}]
    views = [
        {
            "id": f"v{n}",
            "type": "page_view",
            "channel": "web",
            "occurredAt": f"2026-10-{n + 1:02d}T10:00:00Z",
            "identifiers": by_ada,
        }
        for n in range(ADA_PAGE_VIEWS)
    ]
    orders = [
        {
            "id": f"o{n}",
            "type": "order",
            "channel": "store",
            "occurredAt": f"2026-11-0{n + 1}T12:00:00Z",
            "amount": 40.0 + n,
            "currency": "EUR",
            "identifiers": by_ada,
        }
        for n in range(ADA_ORDERS)
    ]
    return views + orders


async def populate(execute: Execute) -> World:
    """Ada (two records linked by her phone, consent, 30 touchpoints), 30 Hoppers, the `hoppers` segment and a
    key that may only write."""
    assert (await execute(_UPSERT, {"records": _records()}))["upsertRecords"]["errors"] == []
    assert (await execute(_TRACK, {"t": _touchpoints()}))["trackTouchpoints"]["errors"] == []
    assert (await execute(_CONSENT, {}))["setConsent"]["effective"]["status"] == "GRANTED"
    assert (await execute(_SEGMENT, {}))["saveSegment"]["errors"] == []
    writer_key = (await execute(_KEY, {}))["createApiKey"]["secret"]
    ada_id = (await execute(_ADA, {}))["profile"]["id"]
    return World(ada_id=ada_id, writer_key=writer_key)


async def populate_over_http(graphql_url: str) -> World:
    import httpx

    async with httpx.AsyncClient(
        headers={"Authorization": f"Bearer {TEST_ADMIN_KEY}"}, timeout=60, limits=client_limits()
    ) as http:

        async def execute(document: str, variables: Mapping[str, Any]) -> dict[str, Any]:
            body = (await http.post(graphql_url, json={"query": document, "variables": dict(variables)})).json()
            assert "errors" not in body, body
            data: dict[str, Any] = body["data"]
            return data

        return await populate(execute)


async def populate_data_dir(data_dir: Path) -> World:
    """The world written in this process on the embedded database in `data_dir`, closed again afterwards."""
    settings = Settings(data_dir=data_dir, admin_key=SecretStr(TEST_ADMIN_KEY), matching=False)
    async with open_services(settings) as services:
        principal = await services.keys.authenticate(TEST_ADMIN_KEY)
        assert principal is not None
        gateway = InProcessGateway(services, principal)

        async def execute(document: str, variables: Mapping[str, Any]) -> dict[str, Any]:
            answer = await gateway.execute(document, variables)
            assert not answer.errors and answer.data is not None, answer
            return answer.data

        return await populate(execute)


@asynccontextmanager
async def stdio_session(data_dir: Path, api_key: str, *args: str) -> AsyncIterator[ClientSession]:
    """A real `graphcdp mcp` process on the embedded database in `data_dir`, answering as `api_key`."""
    env = service_environment(GRAPHCDP_DATA_DIR=str(data_dir), GRAPHCDP_API_KEY=api_key, **SETTINGS)
    parameters = StdioServerParameters(command=GRAPHCDP[0], args=[*GRAPHCDP[1:], "mcp", *args], env=env)
    async with stdio_client(parameters) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        yield session


@asynccontextmanager
async def http_session(base_url: str, api_key: str | None) -> AsyncIterator[ClientSession]:
    """The SDK's streamable HTTP client on /mcp of a running `graphcdp serve`, sending `api_key`."""
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    async with (
        httpx2.AsyncClient(
            headers=headers, timeout=30, limits=httpx2.Limits(keepalive_expiry=CLIENT_KEEP_ALIVE)
        ) as http,
        streamable_http_client(f"{base_url}/mcp", http_client=http) as (read, write),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        yield session
