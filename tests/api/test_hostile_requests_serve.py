"""Issue 17, findings 1, 4 and 6 against `graphcdp serve` as it runs: a fragment bomb is refused in bounded time
while health checks keep answering, and each unreadable body is a 400 (or 413) on a connection the service keeps
open, with no traceback in its log."""

from __future__ import annotations

import http.client
import json
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.api.test_bad_bodies_http import BAD_BODIES
from tests.api.test_request_limits_http import fragment_bomb
from tests.service_process import AUTH_HEADERS, running_service

HEADERS = {**AUTH_HEADERS, "content-type": "application/json", "accept": "application/graphql-response+json"}


@pytest.mark.timeout(120)
def test_hostile_requests_are_refused_quickly_and_the_connection_stays_open(tmp_path: Path) -> None:
    with running_service(tmp_path) as url:
        host, port = url.removeprefix("http://").split(":")
        health: list[int] = []
        stop = threading.Event()

        def probe() -> None:
            while not stop.is_set():
                try:
                    health.append(httpx.get(f"{url}/healthz", timeout=2).status_code)
                except httpx.HTTPError:
                    health.append(0)
                time.sleep(0.05)

        prober = threading.Thread(target=probe)
        prober.start()
        try:
            connection = http.client.HTTPConnection(host, int(port), timeout=10)
            started = time.monotonic()
            connection.request("POST", "/graphql", json.dumps({"query": fragment_bomb(30)}), HEADERS)
            bomb = connection.getresponse()
            assert (
                bomb.status == 400 and json.loads(bomb.read())["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY"
            )
            assert time.monotonic() - started < 2
            sock = connection.sock
            for body in [*BAD_BODIES.values(), json.dumps({"query": "{ version }" + " " * (9 << 20)}).encode()]:
                connection.request("POST", "/graphql", body, HEADERS)
                answer = connection.getresponse()
                payload = json.loads(answer.read())
                assert answer.status in (400, 413), (answer.status, payload)
                assert payload["errors"][0]["extensions"]["code"] in ("BAD_REQUEST", "REQUEST_TOO_LARGE")
                if answer.status == 400:  # a 413 may close: the rest of the body was never read
                    assert answer.getheader("connection") != "close" and connection.sock is sock
            connection.close()
        finally:
            stop.set()
            prober.join()
        assert health and set(health) == {200}
        assert httpx.get(f"{url}/readyz").json() == {"ready": True}
    log = (tmp_path / "serve.log").read_text()
    assert "Traceback" not in log and " 500 " not in log
