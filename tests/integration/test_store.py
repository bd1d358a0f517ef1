"""The GraphStore contract, on the embedded FalkorDB and (when reachable) on Neo4j."""

from __future__ import annotations

import pytest

from graphcdp.errors import QueryError, UnknownStatementError
from graphcdp.store import GraphStore, timings
from graphcdp.store.cypher import Query, StatementName

MERGE = Query(StatementName("test/merge_identifier"), dict)
CREATE = Query(StatementName("test/create_identifier"), dict)
KEYS = Query(StatementName("test/identifier_keys"), dict)
BROKEN = Query(StatementName("test/broken"), dict)


async def test_write_then_read_returns_rows_as_dicts(store: GraphStore) -> None:
    rows = await store.run(MERGE, {"key": "email:ada@example.com", "type": "email"})
    assert len(rows) == 1
    identifier = rows[0]["identifier"]
    assert identifier["key"] == "email:ada@example.com"
    assert identifier["type"] == "email"
    assert isinstance(identifier["createdAt"], int)  # epoch milliseconds, on both engines

    await store.run(MERGE, {"key": "phone:+4915112345678", "type": "phone"})
    await store.run(MERGE, {"key": "email:ada@example.com", "type": "email"})  # MERGE: no duplicate
    assert await store.run(KEYS, {}) == [{"key": "email:ada@example.com"}, {"key": "phone:+4915112345678"}]


async def test_schema_bootstrap_is_idempotent_and_enforces_uniqueness(store: GraphStore) -> None:
    await store.ensure_schema()  # a second start-up on the same graph must not fail
    await store.run(CREATE, {"key": "cookie_id:abc"})
    with pytest.raises(QueryError):
        await store.run(CREATE, {"key": "cookie_id:abc"})
    assert await store.run(KEYS, {}) == [{"key": "cookie_id:abc"}]


async def test_missing_parameter_is_reported_before_the_database_sees_it(store: GraphStore) -> None:
    with pytest.raises(QueryError, match=r"missing parameters \['type'\]"):
        await store.run(MERGE, {"key": "email:x@example.com"})
    with pytest.raises(QueryError, match=r"unexpected \['typo'\]"):
        await store.run(MERGE, {"key": "email:x@example.com", "type": "email", "typo": 1})
    assert await store.run(KEYS, {}) == []


async def test_rejected_statement_names_the_statement(store: GraphStore) -> None:
    with pytest.raises(QueryError, match="test/broken"):
        await store.run(BROKEN, {})


async def test_a_request_s_statements_are_timed_the_rejected_one_too(store: GraphStore) -> None:
    """The slow-request log lists every statement a request sent, one the database refused as well."""
    with timings.collected() as sent:
        await store.run(KEYS, {})
        with pytest.raises(QueryError):
            await store.run(BROKEN, {})
    assert [s.name for s in sent.statements] == ["test/identifier_keys", "test/broken"]
    assert all(s.round_trip_ms > 0 for s in sent.statements)
    await store.run(KEYS, {})  # outside a request: nothing collected
    assert len(sent.statements) == 2


async def test_unknown_statement_name(store: GraphStore) -> None:
    with pytest.raises(UnknownStatementError, match="no/such"):
        await store.run(Query(StatementName("no/such"), dict), {})


async def test_health_answers(store: GraphStore) -> None:
    health = await store.health()
    assert health.ok
    assert health.latency_ms is not None and health.latency_ms >= 0
