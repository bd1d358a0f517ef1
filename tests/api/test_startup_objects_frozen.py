"""While the app serves, what start-up made is out of the collector's generations (graphcdp/api/memory.py): a full
collection walks only what requests made since, not the schema, modules and caches (40 to 64 ms each before, on a
100,000-people service)."""

from __future__ import annotations

import gc

import httpx
from pydantic import SecretStr

from graphcdp.api.app import create_app
from graphcdp.settings import load_settings
from graphcdp.store.falkordb import FalkorDBStore
from graphcdp.wiring import services_on
from tests.service_process import AUTH_HEADERS, TEST_ADMIN_KEY


async def test_the_objects_start_up_made_are_frozen_while_the_app_serves(falkordb_store: FalkorDBStore) -> None:
    async with services_on(falkordb_store, load_settings(admin_key=SecretStr(TEST_ADMIN_KEY))) as services:
        app = create_app(services=services)
        assert gc.get_freeze_count() == 0
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http,
        ):
            frozen = gc.get_freeze_count()
            answer = await http.post("/graphql", json={"query": "{ version }"}, headers=AUTH_HEADERS)
            tracked = len(gc.get_objects())
        assert gc.get_freeze_count() == 0  # given back when the app stops
    assert answer.status_code == 200
    # Everything alive at start-up, the app and its services with it, is frozen; what a request leaves is not.
    assert frozen > 10_000
    assert tracked < frozen
