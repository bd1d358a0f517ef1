"""Webhooks end to end: a real `graphcdp serve` and a real HTTP receiver on loopback that fails the first attempts
of each delivery, then is down for a while, then hangs while the service is killed with SIGKILL in the middle of a
delivery, then answers again to the restarted service. Every event of a consenting person is delivered at least
once, each person's events in order, every signature verifies with the standardwebhooks library, and nothing is
sent about the persons without consent (their deliveries say suppressed by consent)."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.service_process import (
    AUTH_HEADERS,
    GRAPHCDP,
    free_port,
    service_environment,
    wait_dead,
    wait_ready,
)
from tests.webhook_receiver import Receiver

UPSERT = "mutation($r: [RecordInput!]!) { upsertRecords(records: $r) { results { personId } errors { code } } }"
CONSENT = (
    'mutation($v: String!, $s: ConsentStatus!) { setConsent(identifier: {type: "email", value: $v}, '
    'purpose: "marketing", channel: "email", status: $s) { effective { status } } }'
)
CREATE = (
    'mutation($u: String!) { createDestination(url: $u, purpose: "marketing", channel: "email") '
    "{ destination { id url secret position } } }"
)
DELIVERIES = (
    "query($d: ID!, $s: DeliveryStatus, $a: String) { deliveries(destinationId: $d, status: $s, after: $a, "
    "first: 100) { edges { node { id sequence personId status attempts lastError } } pageInfo { hasNextPage "
    "endCursor } } }"
)
CHANGES = (
    "query($a: String) { changes(after: $a, first: 100) { edges { node { sequence personId kind } } "
    "pageInfo { hasNextPage endCursor } } }"
)
BOUND = 90.0  # seconds a condition may take before the test fails instead of hanging; not a measurement
SETTINGS = {
    "GRAPHCDP_WEBHOOK_RETRY_FIRST_SECONDS": "0.05",
    "GRAPHCDP_WEBHOOK_RETRY_MAX_SECONDS": "0.3",
    "GRAPHCDP_WEBHOOK_RETRY_HOURS": "1",
    "GRAPHCDP_WEBHOOK_TIMEOUT": "60",  # the hanging receiver is not given up on before the kill
    "GRAPHCDP_CHANGE_POLL_INTERVAL": "0.2",
}


class Service:
    """`graphcdp serve` on a data directory, which a test can SIGKILL and start again."""

    def __init__(self, work_dir: Path) -> None:
        self.work_dir = work_dir
        self.process: subprocess.Popen[str] | None = None
        self.url = ""

    def start(self) -> None:
        port = free_port()
        env = service_environment(GRAPHCDP_PORT=str(port), GRAPHCDP_DATA_DIR=str(self.work_dir / "data"), **SETTINGS)
        self.url = f"http://127.0.0.1:{port}"
        with (self.work_dir / "serve.log").open("a") as log:
            self.process = subprocess.Popen(
                [*GRAPHCDP, "serve"], env=env, cwd=self.work_dir, stdout=log, stderr=log, text=True
            )
        wait_ready(self.url, self.process, 60)

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def ask(self, document: str, **variables: Any) -> dict[str, Any]:
        response = httpx.post(
            f"{self.url}/graphql", json={"query": document, "variables": variables}, headers=AUTH_HEADERS, timeout=60
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        assert "errors" not in body, body
        data: dict[str, Any] = body["data"]
        return data

    def upsert(self, *records: dict[str, Any]) -> list[str]:
        out = self.ask(UPSERT, r=list(records))["upsertRecords"]
        assert out["errors"] == []
        return [r["personId"] for r in out["results"]]

    def pages(self, document: str, field: str, **variables: Any) -> list[dict[str, Any]]:
        nodes: list[dict[str, Any]] = []
        after = variables.pop("a", None)
        while True:
            page = self.ask(document, a=after, **variables)[field]
            nodes += [edge["node"] for edge in page["edges"]]
            if not page["pageInfo"]["hasNextPage"]:
                return nodes
            after = page["pageInfo"]["endCursor"]


@pytest.fixture
def service(tmp_path: Path) -> Iterator[Service]:
    running = Service(tmp_path)
    yield running
    running.stop()


def until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + BOUND
    while not condition():
        assert time.monotonic() < deadline, f"still waiting for {what}"
        time.sleep(0.05)


def record(source_id: str, *emails: str, **traits: Any) -> dict[str, Any]:
    return {
        "source": "crm",
        "sourceId": source_id,
        "identifiers": [{"type": "email", "value": e} for e in emails],
        "traits": traits,
    }


CONSENTING = ["ada", "bea", "cy", "dee"]
WITHOUT = ["eve", "fay"]  # eve DENIED, fay never asked


def change_everyone(service: Service, visits: int) -> None:
    service.upsert(*(record(name, f"{name}@example.com", name=name, visits=visits) for name in CONSENTING + WITHOUT))


def test_every_event_is_delivered_in_order_through_failures_an_outage_and_a_sigkill(
    service: Service, receiver: Receiver
) -> None:
    service.start()
    ids = dict(
        zip(
            CONSENTING + WITHOUT,
            service.upsert(*(record(n, f"{n}@example.com", name=n) for n in CONSENTING + WITHOUT)),
            strict=True,
        )
    )
    for name in CONSENTING:
        service.ask(CONSENT, v=f"{name}@example.com", s="GRANTED")
    service.ask(CONSENT, v="eve@example.com", s="DENIED")
    destination = service.ask(CREATE, u=receiver.url)["createDestination"]["destination"]
    assert destination["secret"].startswith("whsec_")
    receiver.secret = destination["secret"]
    listed = service.ask("{ destinations { id secret } }")["destinations"]
    assert listed == [{"id": destination["id"], "secret": None}]  # shown once

    # The receiver fails the first two attempts of each delivery.
    receiver.fail_first = 2
    change_everyone(service, 1)
    until(lambda: len({r.person_id for r in receiver.delivered()}) == len(CONSENTING), "the first deliveries")

    # Down: attempts fail to connect and wait out their backoff.
    receiver.stop()
    change_everyone(service, 2)

    def failing() -> bool:
        waiting = service.pages(DELIVERIES, "deliveries", d=destination["id"], s="PENDING")
        return any(d["attempts"] >= 1 and d["lastError"] for d in waiting)

    until(failing, "an attempt at the receiver while it is down")

    # Back, but hanging: the service is killed while a delivery is in flight.
    receiver.hang = True
    receiver.start()
    assert receiver.in_flight.wait(BOUND), "no delivery reached the receiver once it was back"
    change_everyone(service, 3)  # ingestion goes on while the receiver holds a delivery
    database_pids = embedded_database_pids(service)
    service.kill()
    for pid in database_pids:
        assert wait_dead(pid), "the embedded database outlived its killed service"
    receiver.release()

    service.start()  # the same data directory: its positions and delivery log
    change_everyone(service, 4)
    merged = service.upsert(record("both", "cy@example.com", "dee@example.com"))[0]  # cy and dee: one person
    consenting = {ids[n] for n in CONSENTING} | {merged}

    changes = service.pages(CHANGES, "changes", a=destination["position"])

    def settled() -> bool:
        waiting = service.pages(DELIVERIES, "deliveries", d=destination["id"], s="PENDING")
        position = service.ask("{ destinations { position } }")["destinations"][0]["position"]
        return not waiting and int(position) >= int(changes[-1]["sequence"])

    until(settled, "every delivery to settle")

    expected = {f"{destination['id']}.{c['sequence']}" for c in changes if c["personId"] in consenting}
    received = receiver.delivered()
    assert expected <= {r.message_id for r in received}  # at least once
    assert {r.person_id for r in receiver.receipts} <= consenting  # nothing about eve or fay, not even attempted
    assert all(r.verified for r in receiver.receipts)  # standardwebhooks verifies every request
    for person in consenting:
        sequences = [r.sequence for r in received if r.person_id == person]
        for n, sequence in enumerate(sequences):  # never an older event after a newer one was delivered
            assert all(sequence >= earlier for earlier in sequences[:n]), (person, sequences)

    log = service.pages(DELIVERIES, "deliveries", d=destination["id"])
    for name in WITHOUT:
        theirs = [d for d in log if d["personId"] == ids[name]]
        assert len(theirs) == 4  # one per change, each suppressed
        assert {(d["status"], d["lastError"]) for d in theirs} == {("SUPPRESSED_BY_CONSENT", "suppressed by consent")}
    assert {d["status"] for d in log if d["personId"] in consenting} == {"DELIVERED"}
    assert destination["secret"] not in (service.work_dir / "serve.log").read_text()


def embedded_database_pids(service: Service) -> list[int]:
    """The children of the service (its embedded FalkorDB)."""
    assert service.process is not None
    children = Path(f"/proc/{service.process.pid}/task/{service.process.pid}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def test_the_webhook_key_file_is_private(service: Service, receiver: Receiver) -> None:
    service.start()
    service.ask(CREATE, u=receiver.url)
    key = service.work_dir / "data" / "webhook.key"
    assert key.exists() and (os.stat(key).st_mode & 0o777) == 0o600
