"""Concurrent writers converge: 8 HTTP clients against two service processes sharing one database end
with exactly the clusters that one sequential run of the same records gives."""

from __future__ import annotations

import asyncio
import random
import subprocess
import uuid
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
from tests.conftest import catalog
from tests.identity_helpers import partition
from tests.identity_helpers import rec_item as rec
from tests.service_process import AUTH_HEADERS, GRAPHCDP, client_limits, free_port, service_environment, wait_ready

UPSERT = """mutation($r: [RecordInput!]!) {
  upsertRecords(records: $r) { results { index } errors { index code message } }
}"""


def overlapping_records(seed: int) -> list[dict[str, Any]]:
    """People whose records link through emails, phones and cookies, with chains, households that
    share an email across customer ids (merge protection), blocked junk, and anonymous cookies."""
    rng = random.Random(seed)
    records: list[dict[str, Any]] = []
    at = 1_700_000_000_000
    for person in range(30):
        email, phone = ("email", f"p{person}@example.com"), ("phone", f"+1 650 253 {person:04d}")
        cookie, customer = ("cookie_id", f"ck-{person}"), ("customer_id", f"C{person}")
        household = ("email", f"family{person // 3}@example.com")
        at += rng.randint(1, 1000)
        records.append(rec("crm", f"c{person}", at, customer, email, household, firstName=f"N{person}"))
        at += rng.randint(1, 1000)
        records.append(rec("web", f"w{person}", at, cookie, ("email", email[1].upper())))
        at += rng.randint(1, 1000)
        records.append(rec("pos", f"p{person}", at, phone, ("email", "test@test.com")))
        at += rng.randint(1, 1000)
        records.append(rec("app", f"a{person}", at, cookie, phone))  # chain: pos → app → web → crm
        if person % 5 == 0:  # a second customer account sharing the phone: must not merge
            at += rng.randint(1, 1000)
            records.append(rec("crm", f"c{person}b", at, ("customer_id", f"C{person}b"), phone))
    return records


# Each process writes the requests that arrive together as one group (graphcdp/identity/upsert_groups.py), or
# each on its own: both must converge.
@pytest.fixture(params=["grouped", "each alone"])
def two_services(
    request: pytest.FixtureRequest, embedded_falkordb: EmbeddedFalkorDB, tmp_path: Path
) -> Iterator[tuple[list[str], str]]:
    group_records = "50" if request.param == "grouped" else "1"
    graph = f"concurrency_{uuid.uuid4().hex[:8]}"
    processes, urls = [], []
    try:
        for n in range(2):
            port = free_port()
            env = service_environment(
                GRAPHCDP_BACKEND="falkordb",
                GRAPHCDP_FALKORDB_URL=embedded_falkordb.url,
                GRAPHCDP_GRAPH=graph,
                GRAPHCDP_PORT=str(port),
                GRAPHCDP_LOG_LEVEL="warning",
                GRAPHCDP_UPSERT_GROUP_RECORDS=group_records,
            )
            process = subprocess.Popen([*GRAPHCDP, "serve"], env=env, cwd=tmp_path, stderr=subprocess.PIPE, text=True)
            processes.append(process)
            urls.append(f"http://127.0.0.1:{port}")
            wait_ready(urls[n], process)
        yield urls, graph
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=20)


async def test_eight_clients_two_processes_converge_on_the_sequential_clusters(
    two_services: tuple[list[str], str], embedded_falkordb: EmbeddedFalkorDB
) -> None:
    urls, graph = two_services
    records = overlapping_records(seed=7)

    # The reference: one sequential run, in the given order, on a graph of its own.
    reference = await FalkorDBStore.connect(embedded_falkordb.url, f"{graph}_ref", catalog("falkordb"))
    await reference.ensure_schema()
    outcome = await IdentityService(reference, load_settings()).upsert_records(
        [RecordInput.model_validate(r) for r in records]
    )
    assert outcome.errors == []
    expected = await partition(reference)
    await reference.destroy()
    await reference.close()
    assert 1 < len(expected) < len(records)  # the data really links and really is protected

    # 8 clients, 4 per process, each sending an overlapping, shuffled share in small batches.
    rng = random.Random(11)
    shares = []
    for client in range(8):
        share = [r for r in records if rng.random() < 0.4] + records[client::8]  # overlap between clients
        rng.shuffle(share)
        shares.append(share)

    async def run_client(number: int, share: list[dict[str, Any]]) -> list[Any]:
        errors: list[Any] = []
        async with httpx.AsyncClient(
            base_url=urls[number % 2], headers=AUTH_HEADERS, timeout=60, limits=client_limits()
        ) as http:
            for start in range(0, len(share), 3):
                response = await http.post(
                    "/graphql", json={"query": UPSERT, "variables": {"r": share[start : start + 3]}}
                )
                body = response.json()
                assert "errors" not in body, body
                errors += body["data"]["upsertRecords"]["errors"]
        return errors

    results = await asyncio.gather(*(run_client(n, s) for n, s in enumerate(shares)))
    assert [e for errors in results for e in errors] == []

    shared = await FalkorDBStore.connect(embedded_falkordb.url, graph, catalog("falkordb"))
    try:
        assert await partition(shared) == expected
    finally:
        await shared.destroy()
        await shared.close()
