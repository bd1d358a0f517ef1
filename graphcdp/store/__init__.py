"""Graph database access. The only package that imports a database driver."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from graphcdp.settings import Backend, Settings
from graphcdp.store.base import GraphStore, Params
from graphcdp.store.cypher import DEFAULT_ROOT, CypherCatalog, Query, StatementName, statement
from graphcdp.store.embedded import EmbeddedFalkorDB
from graphcdp.store.falkordb import FalkorDBStore

__all__ = ["GraphStore", "Params", "Query", "StatementName", "open_store", "statement"]


async def open_store(
    settings: Settings, *, ensure_schema: bool = True, cypher_roots: Sequence[Path] = ()
) -> GraphStore:
    """Connect to (or start) the configured database, load the Cypher catalog (with the statements of
    `cypher_roots` beside graphcdp's own), bootstrap the schema."""
    roots = (DEFAULT_ROOT, *cypher_roots)
    store: GraphStore
    if settings.backend is Backend.NEO4J:
        # Imported here: the Neo4j driver costs every start of an embedded service a fifth of a second.
        from graphcdp.store.neo4j import Neo4jStore

        store = await Neo4jStore.connect(
            settings.neo4j_uri,
            settings.neo4j_user,
            settings.neo4j_password.get_secret_value(),
            settings.neo4j_database,
            CypherCatalog.load("neo4j", roots),
            query_timeout=settings.query_timeout,
            transient_retry_time=settings.neo4j_retry_time,
        )
    else:
        catalog = CypherCatalog.load("falkordb", roots)
        password = settings.falkordb_password.get_secret_value() if settings.falkordb_password else None
        embedded = None
        url = settings.falkordb_url
        if settings.backend is Backend.EMBEDDED:
            embedded = EmbeddedFalkorDB(
                settings.data_dir,
                settings.embedded_port,
                settings.embedded_start_timeout,
                password=settings.embedded_password.get_secret_value() if settings.embedded_password else None,
                restart_attempts=settings.embedded_restart_attempts,
                restart_max_delay=settings.embedded_restart_max_delay,
                stop_timeout=settings.shutdown_timeout / 2,  # the other half is uvicorn's, for requests in flight
                max_pending_changes=settings.embedded_max_pending_changes,
            )
            await embedded.start()
            url, password = embedded.url, embedded.password
        try:
            store = await FalkorDBStore.connect(
                url,
                settings.graph,
                catalog,
                password=password,
                query_timeout=settings.query_timeout,
                embedded=embedded,
                max_connections=settings.falkordb_max_connections,
            )
        except BaseException:
            if embedded is not None:
                await embedded.stop()
            raise
    if ensure_schema:
        try:
            await store.ensure_schema()
        except BaseException:
            await store.close()
            raise
    return store
