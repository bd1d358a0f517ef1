"""The slow-request log (graphcdp/api/slow_requests.py): a GraphQL request that took at least
GRAPHCDP_SLOW_REQUEST_MS is logged with the statements it sent, their round trips and FalkorDB's own times, and
never a value of the request."""

from __future__ import annotations

import asyncio
import logging
import re

import pytest

from graphcdp.settings import load_settings
from graphcdp.store.falkordb import FalkorDBStore
from tests.api.graphql_client import asgi_client, gql

UPSERT = """
mutation($records: [RecordInput!]!) {
  upsertRecords(records: $records) { results { index personId action } errors { index code message } }
}"""
EMAIL = "slow.lane@example.com"
RECORD = {
    "source": "crm",
    "sourceId": "slow-1",
    "identifiers": [{"type": "email", "value": EMAIL}],
    "traits": {"firstName": "Ada"},
}
LINE = re.compile(
    r"^slow request: ([\d.]+) ms; (\d+) statements, ([\d.]+) ms round trip, ([\d.]+) ms in the database: "
)
STATEMENT = re.compile(r"(identity/upsert_records|identity/commit_resolution)(?: x\d+)? ([\d.]+)/([\d.]+) ms")


def _slow_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "graphcdp.slow_requests"]


async def test_every_request_is_logged_with_its_statements_at_zero(
    falkordb_store: FalkorDBStore, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with asgi_client(falkordb_store, load_settings(slow_request_ms=0)) as client:
        answer = await gql(client, UPSERT, records=[RECORD])
    assert answer["data"]["upsertRecords"]["results"][0]["action"] == "CREATED"
    (line,) = _slow_lines(caplog)
    head = LINE.match(line)
    assert head is not None, line
    elapsed, count, round_trips, in_database = float(head[1]), int(head[2]), float(head[3]), float(head[4])
    assert count >= 2  # the record's write and the resolution's commit at least
    assert 0 < in_database <= round_trips <= elapsed
    named = {m[1]: (float(m[2]), float(m[3])) for m in STATEMENT.finditer(line)}
    assert set(named) == {"identity/upsert_records", "identity/commit_resolution"}
    for round_trip, database in named.values():
        assert 0 < database <= round_trip
    # No value of the request in any line the request logged, at any level.
    assert not [r for r in caplog.records if EMAIL in r.getMessage() or "Ada" in r.getMessage()]


async def test_a_request_under_the_threshold_is_not_logged(
    falkordb_store: FalkorDBStore, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with asgi_client(falkordb_store, load_settings(slow_request_ms=60_000)) as client:
        await gql(client, UPSERT, records=[RECORD])
        await gql(client, "{ version }")
    assert _slow_lines(caplog) == []


async def test_concurrent_upserts_written_together_each_log_their_group_s_statements(
    falkordb_store: FalkorDBStore, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    records = [
        {"source": "crm", "sourceId": f"group-{i}", "identifiers": [{"type": "email", "value": f"g{i}@example.com"}]}
        for i in range(6)
    ]
    async with asgi_client(falkordb_store, load_settings(slow_request_ms=0)) as client:
        await gql(client, UPSERT, records=[RECORD])  # the first request's warm-up, alone
        caplog.clear()
        answers = await asyncio.gather(*(gql(client, UPSERT, records=[record]) for record in records))
    assert all(a["data"]["upsertRecords"]["results"][0]["action"] == "CREATED" for a in answers)
    lines = _slow_lines(caplog)
    assert len(lines) == len(records)
    # Requests that waited for a write in progress were written together, and each says which statements served it.
    assert any("requests together" in line for line in lines)
    for line in lines:
        assert "identity/upsert_records" in line, line
