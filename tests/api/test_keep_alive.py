"""The tests' clients of a running `graphcdp serve` drop an idle connection before the service does.

The service closes a connection idle for `SERVICE_KEEP_ALIVE` seconds, and httpx by default keeps one just as
long: a request sent in the last milliseconds meets a socket the service is closing, and fails with
RemoteProtocolError ("Server disconnected without sending a response") or ReadError. The fuzzing test met it
once in CI (tests/api/test_fuzz_serve.py). This test sends requests after idling right at the edge: with the
clients' expiry set back to the service's own, it failed in 3 runs out of 3 (a script sending the same requests
beforehand: 5 to 12 of the 250 failed in each of 4 runs); with `client_limits`, none fail."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.service_process import AUTH_HEADERS, SERVICE_KEEP_ALIVE, client_limits, running_service

REQUESTS = 250
EDGE = 0.025  # idle times spread over the last 25 ms before the service closes the connection


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_service(tmp_path_factory.mktemp("keep-alive"), GRAPHCDP_RATE_LIMIT="0") as url:
        yield url


def sent_after_idling(url: str, idle: float) -> str | None:
    """The error of a request sent on a connection left idle for `idle` seconds, or None if it was answered."""
    with httpx.Client(base_url=url, headers=AUTH_HEADERS, timeout=10, limits=client_limits(1)) as client:
        client.post("/graphql", json={"query": "{ __typename }"}).raise_for_status()
        time.sleep(idle)
        try:
            client.post("/graphql", json={"query": "{ __typename }"}).raise_for_status()
        except httpx.TransportError as exc:
            return f"{idle:.4f} s: {type(exc).__name__}"
    return None


def test_a_request_after_a_connection_idles_to_the_service_keep_alive_is_answered(url: str) -> None:
    idles = [SERVICE_KEEP_ALIVE - EDGE + EDGE * n / REQUESTS for n in range(REQUESTS)]
    with ThreadPoolExecutor(max_workers=REQUESTS) as pool:
        errors = [error for error in pool.map(lambda idle: sent_after_idling(url, idle), idles) if error]
    assert errors == []
