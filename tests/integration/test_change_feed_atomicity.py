"""The change feed is an outbox: an event is written by the statement that writes its change, so neither goes
without the other. A stale resolution commit (it writes nothing) appends nothing; a statement that fails halfway
leaves neither its change nor its events; a database killed with SIGKILL in the middle of a stream of upserts
keeps, after its restart, exactly the events of the changes it kept."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import threading
import time
from pathlib import Path

import httpx

from graphcdp.clock import now_ms
from graphcdp.errors import ErrorCode
from graphcdp.feed.reader import bounds, read_changes
from graphcdp.identity.commit import commit
from graphcdp.identity.component import read_component
from graphcdp.identity.planner import plan
from graphcdp.identity.service import IdentityService
from graphcdp.model.feed import ChangeKind
from graphcdp.settings import load_settings
from graphcdp.store import GraphStore, open_store
from graphcdp.store.cypher import Query, StatementName
from tests.conftest import TEST_CYPHER
from tests.identity_helpers import rec
from tests.integration.test_healing import _database_pid
from tests.service_process import AUTH_HEADERS, client_limits, running_service, wait_dead

SQUAT = Query(StatementName("test/squat_change_sequence"), dict)
PERSON_IDS = Query(StatementName("test/person_ids"), dict)


async def person_ids(store: GraphStore) -> set[str]:
    return {row["id"] for row in await store.run(PERSON_IDS, {})}


async def test_a_stale_commit_appends_no_event(store: GraphStore) -> None:
    identity = IdentityService(store, load_settings())
    await identity.upsert_records([rec("crm", "1", 1000, ("email", "ada@example.com"), firstName="Ada")])
    persons, feed = await person_ids(store), await bounds(store)
    assert feed.last == 1

    # A plan made from a component that no longer holds (its record belongs to someone now): it would create a
    # person, so it carries a CREATED event, and the commit's check refuses it.
    component = await read_component(store, ["crm:1"], [], 100)
    for record in component.records.values():
        record.person = None
    for identifier in component.identifiers.values():
        identifier.person = None
    stale = plan(component, identity.rules, now_ms())
    assert [c.kind for c in stale.changes] == [ChangeKind.CREATED]
    assert await commit(store, stale) is False

    assert await person_ids(store) == persons
    assert await bounds(store) == feed
    assert [c.kind for c in (await read_changes(store, None, 10)).changes] == [ChangeKind.CREATED]


async def test_a_statement_failing_halfway_leaves_neither_change_nor_event(store: GraphStore) -> None:
    identity = IdentityService(store, load_settings())
    await identity.upsert_records([rec("crm", "1", 1000, ("email", "ada@example.com"))])
    feed = await bounds(store)
    await store.run(SQUAT, {"sequence": feed.last + 1})  # the next event's sequence is taken: its CREATE fails
    persons = await person_ids(store)

    failed = await identity.upsert_records([rec("crm", "2", 2000, ("email", "grace@example.com"))])
    assert [e.code for e in failed.errors] == [ErrorCode.QUERY_ERROR]  # unique constraint violation on Change

    assert await person_ids(store) == persons  # the commit's person was not written either
    grace = await identity.record("crm", "2")
    assert grace is not None and grace.person is None  # stored, waiting to be resolved (repair does it)
    assert (await bounds(store)).last == feed.last


UPSERT = "mutation($r: [RecordInput!]!) { upsertRecords(records: $r) { results { personId } } }"


def _batch(n: int) -> list[dict[str, object]]:
    """20 records, each with an email of its own: 20 persons, 20 CREATED events."""
    return [
        {"source": "crm", "sourceId": f"{n}-{k}", "identifiers": [{"type": "email", "value": f"p{n}-{k}@example.com"}]}
        for k in range(20)
    ]


def test_a_database_killed_mid_batch_keeps_each_change_with_its_events(tmp_path: Path) -> None:
    with running_service(tmp_path) as url:
        database = _database_pid(tmp_path / "data")
        stop, batches = threading.Event(), [0]

        def write() -> None:
            with httpx.Client(base_url=url, headers=AUTH_HEADERS, timeout=10, limits=client_limits()) as http:
                while not stop.is_set():
                    with contextlib.suppress(httpx.HTTPError):  # 503 or a cut connection while it is down
                        http.post("/graphql", json={"query": UPSERT, "variables": {"r": _batch(batches[0])}})
                    batches[0] += 1

        writer = threading.Thread(target=write)
        writer.start()
        try:
            while batches[0] < 5:
                stop.wait(0.01)
            os.kill(database, signal.SIGKILL)  # while batches are being written
            assert wait_dead(database)
        finally:
            stop.set()
            writer.join()
        # Back up: the feed goes on from where the kept events end.
        deadline = time.monotonic() + 30
        while httpx.get(f"{url}/readyz", timeout=10).status_code != 200:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        answer = httpx.post(
            f"{url}/graphql", json={"query": UPSERT, "variables": {"r": _batch(-1)}}, headers=AUTH_HEADERS, timeout=10
        )
        assert answer.status_code == 200, answer.text
    asyncio.run(_check_the_feed_matches_the_graph(tmp_path / "data"))


async def _check_the_feed_matches_the_graph(data_dir: Path) -> None:
    settings = load_settings(data_dir=data_dir)
    store = await open_store(settings, cypher_roots=(TEST_CYPHER,))
    try:
        feed = await bounds(store)
        events = (await read_changes(store, None, feed.last + 1)).changes
        assert [c.sequence for c in events] == list(range(1, feed.last + 1))  # one unbroken run
        assert {c.kind for c in events} == {ChangeKind.CREATED}
        created = [c.person_id for c in events]
        assert len(created) == len(set(created))
        assert set(created) == await person_ids(store)  # every person has its event, every event its person
        assert len(created) % 20 == 0 and len(created) >= 5 * 20  # whole batches (each is one commit)
    finally:
        await store.close()
