"""The app in-process over HTTP (httpx's ASGI transport) on a real store, and a GraphQL call helper."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from graphcdp.api.app import create_app
from graphcdp.settings import Settings
from graphcdp.store import GraphStore
from graphcdp.wiring import services_on
from tests.service_process import AUTH_HEADERS, TEST_ADMIN_KEY


@asynccontextmanager
async def asgi_client(store: GraphStore, settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The app on `store`, and a client that sends the test admin key (given to `settings` unless it has one)."""
    if settings.admin_key is None:
        settings = settings.model_copy(update={"admin_key": SecretStr(TEST_ADMIN_KEY)})
    async with services_on(store, settings) as services:
        app = create_app(services=services)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test", headers=AUTH_HEADERS) as http:
            yield http


async def gql(client: httpx.AsyncClient, document: str, **variables: Any) -> dict[str, Any]:
    response = await client.post("/graphql", json={"query": document, "variables": variables})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


# Tasks in the app's lifespan (the feed's retention, the segments' sweep, the run's beat and its end) may meet the
# broken graph too and log their own failure: the request's lines are the others.
BACKGROUND_LOGGERS = ("graphcdp.feed.service", "graphcdp.segments.sweep", "graphcdp.lifecycle.runs")


# A slow request's line (graphcdp/api/slow_requests.py) depends on the machine's load: under CI's full suite a
# request can pass the threshold anywhere, so a test that wants no warning means no warning but that one.
TIMING_LOGGERS = ("graphcdp.slow_requests",)


def logged(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """The captured lines but the slow-request log's."""
    return [r for r in caplog.records if r.name not in TIMING_LOGGERS]


def request_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in logged(caplog) if r.name not in BACKGROUND_LOGGERS]
