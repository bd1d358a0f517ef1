"""/mcp on the app in-process (its lifespan run, as `graphcdp serve` runs it): requests are admitted like those to
/graphql, so they count against the key's rate limit. What the tools answer is tests/api/test_mcp_serve.py's."""

from __future__ import annotations

import httpx
from pydantic import SecretStr

from graphcdp.api.app import create_app
from graphcdp.settings import load_settings
from graphcdp.store.falkordb import FalkorDBStore
from graphcdp.wiring import services_on
from tests.service_process import AUTH_HEADERS, TEST_ADMIN_KEY

PING = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
HEADERS = {**AUTH_HEADERS, "Accept": "application/json, text/event-stream"}


async def test_mcp_requests_count_against_the_keys_rate_limit(falkordb_store: FalkorDBStore) -> None:
    settings = load_settings(admin_key=SecretStr(TEST_ADMIN_KEY), rate_limit=0.001, rate_limit_burst=2)
    async with services_on(falkordb_store, settings) as services:
        app = create_app(services=services)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http,
        ):
            answered = await http.post("/mcp", json=PING, headers=HEADERS)
            graphql = await http.post("/graphql", json={"query": "{ version }"}, headers=HEADERS)
            limited = await http.post("/mcp", json=PING, headers=HEADERS)
    assert answered.status_code == 200 and answered.json()["id"] == 1
    assert graphql.status_code == 200  # the key's second request: its burst is 2, shared by both endpoints
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
    assert limited.json()["error"]["code"] == "RATE_LIMITED"
