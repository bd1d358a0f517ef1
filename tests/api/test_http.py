"""The HTTP surface in-process (ASGI) against a real embedded FalkorDB graph."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from graphcdp import __version__
from graphcdp.settings import load_settings
from graphcdp.store.falkordb import FalkorDBStore
from tests.api.graphql_client import asgi_client


@pytest.fixture
async def client(falkordb_store: FalkorDBStore) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(falkordb_store, load_settings()) as http:
        yield http


async def test_version_and_health_query(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": "{ version health { database ok latencyMs } }"})
    assert response.status_code == 200
    body = response.json()
    assert body["data"]["version"] == __version__
    assert body["data"]["health"]["ok"] is True
    assert body["data"]["health"]["database"] == "falkordb"
    assert body["data"]["health"]["latencyMs"] > 0


async def test_graphiql_is_served_to_browsers(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_liveness_and_readiness(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok", "version": __version__}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["ready"] is True


async def test_invalid_query_is_a_graphql_error_not_a_crash(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": "{ nosuchfield }"})
    assert response.status_code == 200
    assert "Cannot query field 'nosuchfield'" in response.json()["errors"][0]["message"]
