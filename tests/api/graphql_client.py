"""The app in-process over HTTP (httpx's ASGI transport) on a real store, and a GraphQL call helper."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from graphcdp.api.app import create_app
from graphcdp.settings import Settings
from graphcdp.store import GraphStore
from graphcdp.wiring import services_on


@asynccontextmanager
async def asgi_client(store: GraphStore, settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with services_on(store, settings) as services:
        app = create_app(services=services)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
            yield http


async def gql(client: httpx.AsyncClient, document: str, **variables: Any) -> dict[str, Any]:
    response = await client.post("/graphql", json={"query": document, "variables": variables})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body
