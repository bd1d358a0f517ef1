"""Shared fixtures: one real embedded FalkorDB per test session, a fresh graph per test, and Neo4j
when one is reachable (NEO4J_URI, or a Docker engine for testcontainers)."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from graphcdp.store import GraphStore
from graphcdp.store.cypher import DEFAULT_ROOT, CypherCatalog
from graphcdp.store.embedded import EmbeddedFalkorDB
from graphcdp.store.falkordb import FalkorDBStore
from graphcdp.store.neo4j import Neo4jStore
from tests.webhook_receiver import Receiver

# Statements only the tests use (kept out of cypher/, which holds what the service runs).
TEST_CYPHER = Path(__file__).parent / "cypher"
NEO4J_HOW_TO = (
    "Neo4j tests need a real Neo4j 5: set NEO4J_URI (and NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE) "
    "or run a Docker engine so testcontainers can start neo4j:5"
)


def catalog(dialect: str) -> CypherCatalog:
    return CypherCatalog.load(dialect, roots=(DEFAULT_ROOT, TEST_CYPHER))


@pytest.fixture(scope="session")
async def embedded_falkordb(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[EmbeddedFalkorDB]:
    server = EmbeddedFalkorDB(tmp_path_factory.mktemp("falkordb"))
    await server.start()
    yield server
    await server.stop()


def _docker_answers() -> bool:
    try:
        import docker

        docker.from_env(timeout=2).ping()
    except Exception:
        return False
    return True


@pytest.fixture(scope="session")
def neo4j_connection() -> Iterator[dict[str, Any]]:
    if uri := os.environ.get("NEO4J_URI"):
        yield {
            "uri": uri,
            "user": os.environ.get("NEO4J_USER", "neo4j"),
            "password": os.environ.get("NEO4J_PASSWORD", "graphcdp-password"),
            "database": os.environ.get("NEO4J_DATABASE", "neo4j"),
        }
        return
    if not _docker_answers():
        pytest.skip(NEO4J_HOW_TO)
    from testcontainers.neo4j import Neo4jContainer

    with Neo4jContainer("neo4j:5.26-community", password="graphcdp-password") as container:
        yield {
            "uri": container.get_connection_url(),
            "user": "neo4j",
            "password": "graphcdp-password",
            "database": "neo4j",
        }


async def _falkordb_store(server: EmbeddedFalkorDB) -> FalkorDBStore:
    return await FalkorDBStore.connect(server.url, f"test_{uuid.uuid4().hex[:12]}", catalog("falkordb"))


async def _neo4j_store(connection: dict[str, Any]) -> Neo4jStore:
    store = await Neo4jStore.connect(
        connection["uri"], connection["user"], connection["password"], connection["database"], catalog("neo4j")
    )
    await store.destroy()  # one database for all tests: start each from empty
    return store


@pytest.fixture(params=["falkordb", pytest.param("neo4j", marks=pytest.mark.neo4j)])
async def store(request: pytest.FixtureRequest, embedded_falkordb: EmbeddedFalkorDB) -> AsyncIterator[GraphStore]:
    """A fresh, empty graph with the schema in place, on each backend."""
    graph_store: GraphStore
    if request.param == "falkordb":
        graph_store = await _falkordb_store(embedded_falkordb)
    else:  # a sync fixture, so it can be asked for lazily: no Neo4j is looked for unless needed
        graph_store = await _neo4j_store(request.getfixturevalue("neo4j_connection"))
    await graph_store.ensure_schema()
    yield graph_store
    await graph_store.destroy()
    await graph_store.close()


async def _fresh_falkordb_graph(server: EmbeddedFalkorDB) -> AsyncIterator[FalkorDBStore]:
    graph_store = await _falkordb_store(server)
    await graph_store.ensure_schema()
    yield graph_store
    await graph_store.destroy()
    await graph_store.close()


@pytest.fixture
async def falkordb_store(embedded_falkordb: EmbeddedFalkorDB) -> AsyncIterator[FalkorDBStore]:
    """A fresh graph on the embedded FalkorDB only (for FalkorDB-specific behaviour)."""
    async for graph_store in _fresh_falkordb_graph(embedded_falkordb):
        yield graph_store


@pytest.fixture
async def second_falkordb_store(embedded_falkordb: EmbeddedFalkorDB) -> AsyncIterator[FalkorDBStore]:
    """Another fresh graph on the embedded FalkorDB, for tests that compare two graphs."""
    async for graph_store in _fresh_falkordb_graph(embedded_falkordb):
        yield graph_store


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A webhook destination on localhost (tests/webhook_receiver.py); a request it holds is let go at the end."""
    server = Receiver()
    yield server
    server.release()
    server.stop()
