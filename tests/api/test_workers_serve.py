"""`graphcdp serve --workers 2` on the embedded database: a supervisor owns the database and runs the background
jobs, two workers serve. Concurrent writers through both workers end with the clusters one sequential run gives;
each webhook event is delivered once (one dispatcher); an erasure through a worker takes her values off the
database's disk; a key revoked through one worker stops working in the other; every worker answers /mcp; a
worker that dies is started again, and every worker when the database is; SIGTERM stops the workers and then the
database."""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from graphcdp.identity.service import IdentityService
from graphcdp.model.identity import RecordInput
from graphcdp.settings import load_settings
from graphcdp.store.embedded import EmbeddedFalkorDB
from graphcdp.store.falkordb import FalkorDBStore
from tests.api.test_concurrency import UPSERT, overlapping_records
from tests.conftest import catalog
from tests.disk_search import files_holding
from tests.identity_helpers import partition
from tests.mcp_world import http_session
from tests.run_helpers import SERVICE_RUNS
from tests.service_process import (
    AUTH_HEADERS,
    GRAPHCDP,
    TEST_ADMIN_KEY,
    children,
    client_limits,
    free_port,
    service_environment,
    wait_ready,
)
from tests.webhook_receiver import Receiver

BOUND = 60.0  # seconds a condition may take before the test fails instead of hanging; not a measurement
GRAPH = "workers"
FORGET = "mutation($id: ID!) { forgetPerson(id: $id) { personId } }"
who_is = 'query($v: String!) { context(identifier: {type: "email", value: $v}) { personId } }'


class Supervised:
    """`graphcdp serve --workers 2` on a data directory of its own."""

    def __init__(self, work_dir: Path) -> None:
        self.work_dir = work_dir
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        env = service_environment(
            GRAPHCDP_PORT=str(port),
            GRAPHCDP_DATA_DIR=str(work_dir / "data"),
            GRAPHCDP_GRAPH=GRAPH,
            GRAPHCDP_KEY_CACHE_SECONDS="0.5",
            GRAPHCDP_CHANGE_POLL_INTERVAL="0.2",
            GRAPHCDP_ERASURE_COMPACTION="0",  # an erasure answers once the files are rewritten
        )
        self.log = (work_dir / "serve.log").open("a")
        self.process = subprocess.Popen(
            [*GRAPHCDP, "serve", "--workers", "2"], env=env, cwd=work_dir, stdout=self.log, stderr=self.log, text=True
        )
        wait_ready(self.url, self.process, 90)

    def workers(self) -> list[int]:
        """The pids of the supervisor's worker processes (python children; the database is redis-server)."""
        return children(self.process.pid, "spawn_main")

    def ask(self, query: str, headers: dict[str, str] | None = None, **variables: Any) -> dict[str, Any]:
        # A new connection per request: the kernel hands each to whichever worker accepts first.
        response = httpx.post(
            f"{self.url}/graphql", json={"query": query, "variables": variables}, headers=headers or AUTH_HEADERS
        )
        return dict(response.json())

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=60)
        self.log.close()
        return code


@pytest.fixture
def supervised(tmp_path: Path) -> Iterator[Supervised]:
    service = Supervised(tmp_path)
    try:
        yield service
    finally:
        if service.process.poll() is None:
            service.stop()


def _until(condition: Any, what: str) -> None:
    deadline = time.monotonic() + BOUND
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


async def test_concurrent_writers_through_two_workers_converge_on_the_sequential_clusters(
    supervised: Supervised, embedded_falkordb: EmbeddedFalkorDB
) -> None:
    assert len(supervised.workers()) == 2
    records = overlapping_records(seed=3)
    reference = await FalkorDBStore.connect(embedded_falkordb.url, "workers_reference", catalog("falkordb"))
    await reference.ensure_schema()
    outcome = await IdentityService(reference, load_settings()).upsert_records(
        [RecordInput.model_validate(r) for r in records]
    )
    assert outcome.errors == []
    expected = await partition(reference)
    await reference.destroy()
    await reference.close()

    rng = random.Random(5)
    shares = []
    for client in range(8):
        share = [r for r in records if rng.random() < 0.4] + records[client::8]
        rng.shuffle(share)
        shares.append(share)

    async def run_client(share: list[dict[str, Any]]) -> list[Any]:
        errors: list[Any] = []
        for start in range(0, len(share), 3):
            # A connection per batch, so each client's batches go to both workers.
            async with httpx.AsyncClient(
                base_url=supervised.url, headers=AUTH_HEADERS, timeout=60, limits=client_limits()
            ) as http:
                body = (
                    await http.post("/graphql", json={"query": UPSERT, "variables": {"r": share[start : start + 3]}})
                ).json()
            assert "errors" not in body, body
            errors += body["data"]["upsertRecords"]["errors"]
        return errors

    results = await asyncio.gather(*(run_client(s) for s in shares))
    assert [e for errors in results for e in errors] == []
    assert supervised.stop() == 0  # the database's files are closed: read the graph they hold
    server = EmbeddedFalkorDB(supervised.work_dir / "data")
    await server.start()
    try:
        stored = await FalkorDBStore.connect(server.url, GRAPH, catalog("falkordb"), password=server.password)
        try:
            assert await partition(stored) == expected
            # The supervisor and each worker recorded their run, and removed it as they stopped with their writes
            # finished: the next start has nothing to repair.
            assert await stored.run(SERVICE_RUNS, {}) == []
        finally:
            await stored.close()
    finally:
        await server.stop()


def test_each_webhook_event_is_delivered_once_and_a_revoked_key_stops_in_every_worker(supervised: Supervised) -> None:
    receiver = Receiver()
    try:
        created = "mutation($u: String!) { createDestination(url: $u) { destination { id secret } } }"
        destination = supervised.ask(created, u=receiver.url)["data"]["createDestination"]["destination"]
        receiver.secret = destination["secret"]
        for n in range(6):
            record = {
                "source": "crm",
                "sourceId": f"w{n}",
                "identifiers": [{"type": "email", "value": f"w{n}@example.com"}],
            }
            body = supervised.ask(UPSERT, r=[record])
            assert body["data"]["upsertRecords"]["errors"] == [], body
        changes = supervised.ask("{ changes(first: 100) { edges { node { sequence } } } }")["data"]["changes"]["edges"]
        sequences = sorted(int(edge["node"]["sequence"]) for edge in changes)
        assert len(sequences) >= 6
        _until(lambda: len(receiver.receipts) >= len(sequences), "every change delivered")
        time.sleep(1.0)  # a second dispatcher would have sent its copies by now
        assert sorted(int(r.sequence) for r in receiver.receipts) == sequences  # each once
        assert all(r.verified for r in receiver.receipts)
    finally:
        receiver.stop()

    key = supervised.ask('mutation { createApiKey(name: "reader", scopes: ["profiles:read"]) { secret } }')
    reader = {"Authorization": f"Bearer {key['data']['createApiKey']['secret']}"}
    who = '{ context(identifier: {type: "email", value: "w0@example.com"}) { personId } }'
    for _ in range(6):  # new connections: both workers know a key created in one of them
        assert supervised.ask(who, headers=reader)["data"]["context"]["personId"]
    assert supervised.ask('mutation { revokeApiKey(name: "reader") { name } }')["data"]["revokeApiKey"]
    time.sleep(1.0)  # the key cache time (0.5 s) has passed in every worker
    for _ in range(6):
        assert supervised.ask(who, headers=reader)["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"

    asyncio.run(_every_worker_answers_mcp(supervised.url, "w0@example.com"))


async def _every_worker_answers_mcp(url: str, email: str) -> None:
    """/mcp through new connections, which the kernel spreads over both workers (each worker runs its own MCP
    endpoint; a worker without it would leave the call waiting)."""
    for _ in range(4):
        async with http_session(url, TEST_ADMIN_KEY) as session:
            result = await asyncio.wait_for(session.call_tool("get_customer_context", {"identifier": email}), BOUND)
            assert not result.is_error and result.structured_content, result


def test_an_erasure_compacts_and_a_worker_or_the_database_that_dies_is_started_again(
    supervised: Supervised,
) -> None:
    # An erasure through a worker rewrites the supervisor's database files: her values leave the disk.
    for n in range(3):
        record = {
            "source": "crm",
            "sourceId": f"e{n}",
            "identifiers": [{"type": "email", "value": f"e{n}@example.com"}],
        }
        assert supervised.ask(UPSERT, r=[record])["data"]["upsertRecords"]["errors"] == []
    person = supervised.ask(who_is, v="e1@example.com")["data"]["context"]["personId"]
    assert files_holding(supervised.work_dir / "data", "e1@example.com")
    erased = supervised.ask(FORGET, id=person)
    assert "errors" not in erased, erased
    assert files_holding(supervised.work_dir / "data", "e1@example.com") == []
    assert files_holding(supervised.work_dir / "data", "e2@example.com")  # the search finds what is there

    first, second = supervised.workers()
    os.kill(first, signal.SIGKILL)
    _until(lambda: len(supervised.workers()) == 2 and first not in supervised.workers(), "the worker replaced")
    assert second in supervised.workers()
    _until(lambda: httpx.get(f"{supervised.url}/readyz").status_code == 200, "ready again")

    # The database dies: the supervisor starts it again (new port, new password) and every worker with it.
    [database] = children(supervised.process.pid, "redis-server")
    before = set(supervised.workers())
    os.kill(database, signal.SIGKILL)
    _until(lambda: not before & set(supervised.workers()) and len(supervised.workers()) == 2, "workers restarted")
    who = '{ context(identifier: {type: "email", value: "nobody@example.com"}) { personId } }'

    def answers() -> bool:
        try:  # while the workers start again, a connection waits for one of them to accept it
            return supervised.ask(who).get("data") == {"context": None}
        except httpx.TransportError:
            return False

    _until(answers, "the workers answer on the new database")

    workers = supervised.workers()
    assert supervised.stop() == 0
    for pid in workers:
        assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2]
    log = (supervised.work_dir / "serve.log").read_text()
    assert "ended with exit code -9; starting it again in" in log
    # The database was stopped too: the data directory can be opened again at once.
    wait_ready_again = Supervised(supervised.work_dir)
    assert wait_ready_again.stop() == 0


def _listening(pid: int, port: int) -> bool:
    """Whether process `pid` holds a socket listening on TCP `port` (IPv4)."""
    rows = [row.split() for row in Path("/proc/net/tcp").read_text().splitlines()[1:]]
    listeners = {f"socket:[{row[9]}]" for row in rows if row[1].endswith(f":{port:04X}") and row[3] == "0A"}
    return any(target in listeners for target in _fd_targets(pid))


def _sockets(pid: int) -> int:
    return sum(1 for target in _fd_targets(pid) if target.startswith("socket:"))


def _fd_targets(pid: int) -> list[str]:
    """What the open file descriptors of `pid` point at; one closed while they are read is left out."""
    targets = []
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(FileNotFoundError):
            targets.append(os.readlink(fd))
    return targets


def test_connections_opened_together_are_spread_over_both_workers(supervised: Supervised) -> None:
    # 32 connections at once, as a load generator opens them: on one shared listening socket the worker that
    # woke first accepted every one waiting, and the other served none of them.
    workers = supervised.workers()
    host, port = supervised.url.removeprefix("http://").split(":")
    # Wait until each worker holds a listening socket on the port (the service is ready, and answers, as soon as
    # one does).
    _until(lambda: all(_listening(pid, int(port)) for pid in workers), "both workers listening")
    before = {pid: _sockets(pid) for pid in workers}
    opened = []
    try:
        for _ in range(32):
            connection = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            connection.setblocking(False)
            connection.connect_ex((host, int(port)))
            opened.append(connection)
        accepted: dict[int, int] = {}

        def all_accepted() -> bool:
            accepted.update({pid: _sockets(pid) - before[pid] for pid in workers})
            return sum(accepted.values()) >= 32

        _until(all_accepted, "the 32 connections accepted")
        # Spread by the kernel's hash of each connection: fewer than 6 of 32 on one worker is a 1-in-10,000 draw.
        assert min(accepted.values()) >= 6, accepted
    finally:
        for connection in opened:
            connection.close()
