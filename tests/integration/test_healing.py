"""Healing (issue 17, findings 10-12): `graphcdp serve` outlives its embedded database, repairs what a crash left
half-written, and holds its data directory, database child included."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import httpx

from graphcdp.identity.input import ParsedRecord, parse_record
from graphcdp.identity.service import UPSERT_RECORDS, record_param
from graphcdp.identity.startup import RUNS_RECORDED
from graphcdp.settings import load_settings
from graphcdp.store import GraphStore
from graphcdp.store.cypher import Query, StatementName
from graphcdp.store.embedded import EmbeddedFalkorDB
from graphcdp.wiring import services_on
from tests.identity_helpers import RECORD_CLUSTERS, partition, rec
from tests.run_helpers import SERVICE_RUNS, a_process, forget_migrations, record_run
from tests.service_process import (
    AUTH_HEADERS,
    GRAPHCDP,
    alive,
    embedded_database_in_a_child,
    free_port,
    running_service,
    service_environment,
    wait_dead,
    wait_ready,
)

UPSERT = (
    'mutation { upsertRecords(records: [{source: "crm", sourceId: "before-kill", '
    'identifiers: [{type: "email", value: "ada@example.com"}]}]) { results { personId } errors { code } } }'
)
PROFILE = '{ profile(identifier: {type: "email", value: "ada@example.com"}) { id } }'
PERSON_STATES = Query(StatementName("test/person_states"), dict)
GIVE_IDENTIFIER_A_PERSON = Query(StatementName("test/give_identifier_a_person"), dict)


def _database_pid(data_dir: Path) -> int:
    """The embedded database under the service whose pid the data directory's lock file holds."""
    service = int((data_dir / ".graphcdp.lock").read_text().split()[0])
    children = [
        int(pid) for task in Path(f"/proc/{service}/task").iterdir() for pid in (task / "children").read_text().split()
    ]
    servers = [pid for pid in children if "redis-server" in Path(f"/proc/{pid}/cmdline").read_text()]
    assert len(servers) == 1, servers
    return servers[0]


def _ask(url: str, document: str) -> httpx.Response:
    return httpx.post(f"{url}/graphql", json={"query": document}, headers=AUTH_HEADERS, timeout=10)


def test_the_service_restarts_its_killed_database_and_loses_nothing_acknowledged(tmp_path: Path) -> None:
    with running_service(tmp_path) as url:
        written = _ask(url, UPSERT).json()["data"]["upsertRecords"]
        assert written["errors"] == []
        person = written["results"][0]["personId"]
        database = _database_pid(tmp_path / "data")

        os.kill(database, signal.SIGKILL)
        assert wait_dead(database)
        # Meanwhile: refused at once, with a code and a time to come back (not 500, not a hang).
        during = _ask(url, PROFILE)
        outage: list[httpx.Response] = [during]
        deadline = time.monotonic() + 30
        while (ready := httpx.get(f"{url}/readyz", timeout=10)).status_code != 200:
            assert ready.status_code == 503
            assert httpx.get(f"{url}/healthz", timeout=10).status_code == 200  # alive: it is healing
            assert time.monotonic() < deadline, "the database did not come back within 30 s"
            outage.append(_ask(url, PROFILE))
            time.sleep(0.05)
        assert during.status_code == 503, during.text
        for response in outage:
            assert response.status_code in {200, 503}, response.text
            if response.status_code == 503:
                assert int(response.headers["Retry-After"]) >= 1
                assert response.json()["errors"][0]["extensions"]["code"] == "DATABASE_UNAVAILABLE"

        new_database = _database_pid(tmp_path / "data")
        assert new_database != database and alive(new_database)
        after = _ask(url, PROFILE)
        assert after.status_code == 200
        assert after.json()["data"]["profile"]["id"] == person  # acknowledged before the kill: still there
        assert _ask(url, UPSERT).json()["data"]["upsertRecords"]["errors"] == []  # and it takes writes again
        assert httpx.get(f"{url}/healthz", timeout=10).status_code == 200
    log = (tmp_path / "serve.log").read_text()
    assert "was killed by SIGKILL; starting it again" in log
    assert "ada@example.com" not in log


def test_liveness_fails_when_the_database_cannot_come_back(tmp_path: Path) -> None:
    with running_service(
        tmp_path, GRAPHCDP_EMBEDDED_RESTART_ATTEMPTS="2", GRAPHCDP_EMBEDDED_RESTART_MAX_DELAY="0.2"
    ) as url:
        assert httpx.get(f"{url}/healthz", timeout=10).status_code == 200
        # A manifest the server cannot read: every start from now on fails (the running one read it already).
        (tmp_path / "data" / "appendonlydir" / "appendonly.aof.manifest").write_text("garbage\n")
        database = _database_pid(tmp_path / "data")
        os.kill(database, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while httpx.get(f"{url}/healthz", timeout=10).status_code == 200:
            assert time.monotonic() < deadline, "liveness still 200 30 s after the database died for good"
            time.sleep(0.1)
        assert httpx.get(f"{url}/healthz", timeout=10).status_code == 503
        refused = _ask(url, PROFILE)
        assert refused.status_code == 503 and "Retry-After" in refused.headers
    assert "could not be started again after 2 attempts" in (tmp_path / "serve.log").read_text()


# --- finding 11: start-up repair ----------------------------------------------------------------------------


async def test_a_start_resolves_the_records_a_crash_left_without_a_person(store: GraphStore) -> None:
    settings = load_settings()
    async with services_on(store, settings) as services:
        policy = services.identity.policy
    # The first half of an upsert, storing the records; the kill comes before the second, resolving them.
    items = [
        rec("crm", "1", 1_000, ("email", "ada@example.com")),
        rec("shop", "9", 2_000, ("email", "ada@example.com"), ("phone", "+14155550100")),
        rec("crm", "2", 3_000, ("email", "bob@example.com")),
        *(rec("bulk", str(n), 4_000, ("cookie_id", f"c{n}")) for n in range(250)),  # more than one page
    ]
    parsed = [parse_record(index, item, policy) for index, item in enumerate(items)]
    params = [record_param(record) for record in parsed if isinstance(record, ParsedRecord)]
    killed, _ = a_process(killed=True)
    await record_run(store, killed)  # what the killed process's start recorded, and its death left
    await store.run(UPSERT_RECORDS, {"now": 5_000, "records": params, "firstHop": False})
    orphans = [row for row in await store.run(RECORD_CLUSTERS, {}) if row["person"] is None]
    assert len(orphans) == len(items)

    async with services_on(store, settings):
        pass  # the start is the repair
    assert await store.run(SERVICE_RUNS, {}) == []  # repaired: the killed run is forgotten, and this one closed

    assert await partition(store) == {
        frozenset({"crm:1", "shop:9"}),
        frozenset({"crm:2"}),
        *(frozenset({f"bulk:{n}"}) for n in range(250)),
    }
    async with services_on(store, settings) as services:
        ada = await services.identity.profile("email", "ada@example.com")
        assert ada is not None and sorted(r.key for r in ada.records) == ["crm:1", "shop:9"]


async def test_a_start_makes_no_person_without_a_record_and_empties_those_older_builds_left(
    store: GraphStore,
) -> None:
    """Issue 17, finding 3: records of more emails than the type's limit (5), stored by an upsert a crash cut
    short, are resolved at start-up without a person for each refused email; and the persons of one refused
    identifier and no record that older builds made are emptied by the next start."""
    settings = load_settings()
    async with services_on(store, settings) as services:
        policy = services.identity.policy
    emails = {n: [("email", f"u{n}-{e}@example.com") for e in range(7)] for n in range(3)}
    items = [rec("crm", str(n), 1_000 + n, *ids) for n, ids in emails.items()]
    parsed = [parse_record(index, item, policy) for index, item in enumerate(items)]
    params = [record_param(record) for record in parsed if isinstance(record, ParsedRecord)]
    killed, _ = a_process(killed=True)
    await record_run(store, killed)
    await store.run(UPSERT_RECORDS, {"now": 5_000, "records": params, "firstHop": False})

    async with services_on(store, settings):
        pass  # the start is the repair

    assert await partition(store) == {frozenset({f"crm:{n}"}) for n in emails}
    assert [p for p in await store.run(PERSON_STATES, {}) if not p["records"]] == []

    for n in emails:  # what a build before this fix left: a person of each refused email
        await store.run(GIVE_IDENTIFIER_A_PERSON, {"key": f"email:u{n}-6@example.com", "id": f"old-{n}", "now": 6_000})
    recordless = [p for p in await store.run(PERSON_STATES, {}) if not p["records"]]  # (alike persons are one row)
    assert sorted(i for p in recordless for i in p["identifiers"]) == [f"email:u{n}-6@example.com" for n in emails]
    await forget_migrations(store, RUNS_RECORDED)  # a graph from those builds: runs were not recorded yet
    async with services_on(store, settings) as services:
        assert await services.identity.person("old-0") is None  # emptied: the id answers as unknown
        assert await services.identity.profile("email", "u0-6@example.com") is None
        kept = await services.identity.profile("email", "u0-0@example.com")
        assert kept is not None and [r.key for r in kept.records] == ["crm:0"]
    assert [p for p in await store.run(PERSON_STATES, {}) if not p["records"]] == []
    assert await partition(store) == {frozenset({f"crm:{n}"}) for n in emails}


# --- finding 12: the lock covers the database child; a bounded stop ---------------------------------------------


async def test_a_start_stops_the_database_a_dead_service_left_on_its_directory(tmp_path: Path) -> None:
    """A service killed outright while its database hangs: the database outlives it. The next start must not run a
    second database on the same files."""
    parent, leftover = embedded_database_in_a_child(tmp_path)
    assert (tmp_path / ".graphcdp.lock").read_text().split() == [str(parent.pid), str(leftover)]
    os.kill(leftover, signal.SIGSTOP)  # hung: it cannot act on the SIGTERM its parent's death sends it
    parent.kill()
    parent.wait()
    assert alive(leftover)

    server = EmbeddedFalkorDB(tmp_path)
    await server.start()
    try:
        assert wait_dead(leftover, timeout=1), "the old database still runs beside the new one"
        assert server.pid is not None and server.pid != leftover
        assert (tmp_path / ".graphcdp.lock").read_text().split() == [str(os.getpid()), str(server.pid)]
    finally:
        await server.stop()
        if alive(leftover):  # without the fix: not to outlive the test
            os.kill(leftover, signal.SIGKILL)


def test_the_service_stops_within_its_shutdown_timeout_even_when_its_database_hangs(tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = service_environment(
        GRAPHCDP_PORT=str(port), GRAPHCDP_DATA_DIR=str(tmp_path / "data"), GRAPHCDP_SHUTDOWN_TIMEOUT="4"
    )
    with (tmp_path / "serve.log").open("w") as log:
        service = subprocess.Popen([*GRAPHCDP, "serve"], env=env, cwd=tmp_path, stdout=log, stderr=log, text=True)
        try:
            wait_ready(url, service)
            assert _ask(url, UPSERT).status_code == 200
            database = _database_pid(tmp_path / "data")
            os.kill(database, signal.SIGSTOP)  # hung: answers nothing, ignores SIGTERM
            in_flight = threading.Thread(target=lambda: _ask_quietly(url, PROFILE), daemon=True)
            in_flight.start()  # a request waiting on the hung database
            time.sleep(0.5)
            started = time.monotonic()
            service.terminate()
            service.wait(timeout=60)
            took = time.monotonic() - started
        finally:
            if service.poll() is None:
                service.kill()
                service.wait()
    assert took < 4 + 4, f"stopping took {took:.1f} s with GRAPHCDP_SHUTDOWN_TIMEOUT=4"
    assert service.returncode == 0
    assert wait_dead(database), "the hung database outlived the service"


def _ask_quietly(url: str, document: str) -> None:
    with contextlib.suppress(httpx.HTTPError):
        httpx.post(f"{url}/graphql", json={"query": document}, headers=AUTH_HEADERS, timeout=60)
