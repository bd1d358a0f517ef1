"""Issue 17, finding 13: callers get a code and a short message, operators get the detail in the log. /readyz needs
no key, so a failing database is `ready: false` and a reason code there, without the database's message, log tail
or statement names; the `health` query says as little; a document nested too deep to parse is a parse error, not
Python's error text."""

from __future__ import annotations

import logging
import uuid

import pytest
from redis.asyncio import Redis

from graphcdp.errors import ErrorCode
from graphcdp.settings import load_settings
from graphcdp.store.embedded import EmbeddedFalkorDB
from graphcdp.store.falkordb import FalkorDBStore
from tests.api.graphql_client import asgi_client, logged, request_records
from tests.conftest import catalog


async def test_a_failing_database_shows_callers_a_reason_code_and_operators_the_detail(
    embedded_falkordb: EmbeddedFalkorDB, caplog: pytest.LogCaptureFixture
) -> None:
    # The graph's key holds a string: FalkorDB refuses every statement on it (a real WRONGTYPE error).
    name = f"test_{uuid.uuid4().hex[:12]}"
    redis = Redis(host="127.0.0.1", port=embedded_falkordb.port, password=embedded_falkordb.password)
    store = await FalkorDBStore.connect(embedded_falkordb.url, name, catalog("falkordb"))
    try:
        async with asgi_client(store, load_settings()) as client:
            assert (await client.get("/readyz")).json() == {"ready": True}
            await redis.set(name, "not a graph")
            caplog.set_level(logging.INFO)
            ready = await client.get("/readyz", headers={"Authorization": ""})
            health = (await client.post("/graphql", json={"query": "{ health { ok detail database } }"})).json()
    finally:
        await redis.delete(name)
        await redis.aclose()
        await store.close()

    assert ready.status_code == 503
    assert ready.json() == {"ready": False, "reason": "DATABASE_UNAVAILABLE"}
    assert health["data"]["health"] == {
        "ok": False,
        "detail": ErrorCode.DATABASE_UNAVAILABLE.meaning,
        "database": "falkordb",
    }
    for answer in (ready.text, str(health)):
        assert "WRONGTYPE" not in answer and "system/" not in answer and name not in answer
    warnings = [r.getMessage() for r in request_records(caplog) if r.levelno == logging.WARNING]
    assert len(warnings) == 2 and all("DATABASE_UNAVAILABLE" in w and "WRONGTYPE" in w for w in warnings), warnings


async def test_a_document_nested_too_deep_to_parse_is_a_parse_error(
    falkordb_store: FalkorDBStore, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    # Every request logged as slow: parsing a deep document may pass the threshold under load, and no other
    # warning is allowed.
    async with asgi_client(falkordb_store, load_settings(slow_request_ms=0)) as client:
        for levels in (300, 3000):
            document = "{ version " + "{ version " * levels + "}" * (levels + 1)
            response = await client.post(
                "/graphql", json={"query": document}, headers={"accept": "application/graphql-response+json"}
            )
            assert response.status_code == 400, response.text
            [error] = response.json()["errors"]
            assert error["extensions"]["code"] in ("GRAPHQL_PARSE_FAILED", "QUERY_TOO_DEEP"), error
            assert "recursion" not in error["message"].lower()
        assert (await client.post("/graphql", json={"query": "{ version }"})).json()["data"]["version"]
    assert [r for r in logged(caplog) if r.levelno >= logging.WARNING or r.exc_info] == []
    assert len([r for r in caplog.records if r.name == "graphcdp.slow_requests"]) == 3
