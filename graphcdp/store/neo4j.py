"""GraphStore on Neo4j 5 through the official async driver.

Every statement runs in a managed transaction (`execute_read` / `execute_write`), which the driver
retries on transient errors (deadlocks, leader switches) for up to `transient_retry_time` seconds.
"""

from __future__ import annotations

import time
from typing import Any

from neo4j import AsyncDriver, AsyncGraphDatabase, AsyncManagedTransaction, basic_auth, unit_of_work
from neo4j.exceptions import AuthError, ClientError, Neo4jError, ServiceUnavailable, SessionExpired

from graphcdp.errors import DatabaseUnavailableError, QueryError, StartupError
from graphcdp.model.base import NoRow
from graphcdp.model.health import DatabaseHealth, Ping
from graphcdp.store import timings
from graphcdp.store.base import Params, WriteSignal, checked_params
from graphcdp.store.cypher import CypherCatalog, Mode, Query, RowT, Statement, statement
from graphcdp.store.schema import wait_for_indexes

PING = statement("system/ping", Ping)
CLEAR = statement("admin/clear_graph", NoRow)


class Neo4jStore:
    backend = "neo4j"

    def __init__(self, driver: AsyncDriver, database: str, catalog: CypherCatalog, timeout: float) -> None:
        self._driver = driver
        self._database = database
        self.catalog = catalog
        self.writes = WriteSignal()
        self._timeout = timeout

    @classmethod
    async def connect(
        cls,
        uri: str,
        user: str,
        password: str,
        database: str,
        catalog: CypherCatalog,
        *,
        query_timeout: float = 30.0,
        transient_retry_time: float = 30.0,
    ) -> Neo4jStore:
        try:
            driver = AsyncGraphDatabase.driver(
                uri, auth=basic_auth(user, password), max_transaction_retry_time=transient_retry_time
            )
        except (ValueError, Neo4jError) as exc:
            raise StartupError(f"invalid Neo4j URI {uri!r} ({exc}); check GRAPHCDP_NEO4J_URI") from None
        try:
            await driver.verify_connectivity(database=database)
        except AuthError:
            await driver.close()
            raise StartupError(
                f"Neo4j at {uri} refused the credentials; check GRAPHCDP_NEO4J_USER / GRAPHCDP_NEO4J_PASSWORD"
            ) from None
        except (ServiceUnavailable, SessionExpired, OSError, Neo4jError) as exc:
            await driver.close()
            why = " ".join(str(exc).split())  # the driver's message spans lines
            raise StartupError(
                f"cannot reach Neo4j at {uri} ({why}); check GRAPHCDP_NEO4J_URI and that Neo4j runs"
            ) from None
        return cls(driver, database, catalog, query_timeout)

    async def run(self, query: Query[RowT], params: Params | None = None) -> list[RowT]:
        statement = self.catalog.get(query.name)
        with timings.timed(statement.name):  # for the slow-request log
            rows = await self._execute(statement, params)
        if statement.wakes_followers:
            self.writes.fire()
        return query.decode(rows)

    async def _execute(self, statement: Statement, params: Params | None) -> list[dict[str, Any]]:
        values = checked_params(statement, params)

        @unit_of_work(timeout=self._timeout)
        async def work(tx: AsyncManagedTransaction) -> list[dict[str, Any]]:
            result = await tx.run(statement.text, values)
            return [record.data() async for record in result]

        try:
            async with self._driver.session(database=self._database) as session:
                if statement.mode is Mode.READ:
                    return await session.execute_read(work)
                return await session.execute_write(work)
        except (ServiceUnavailable, SessionExpired) as exc:
            raise DatabaseUnavailableError(f"Neo4j does not answer: {exc}") from None
        except ClientError as exc:
            raise QueryError(f"{statement.name}: {exc.code}: {exc.message}") from None
        except Neo4jError as exc:
            raise QueryError(f"{statement.name}: {exc}") from None

    async def ensure_schema(self) -> None:
        for schema_statement in self.catalog.schema_statements():
            await self._execute(schema_statement, {})
        await wait_for_indexes(self, built="ONLINE")  # CREATE INDEX returns before the index is populated

    async def health(self) -> DatabaseHealth:
        started = time.perf_counter()
        try:
            await self.run(PING, {})
        except (DatabaseUnavailableError, QueryError) as exc:
            return DatabaseHealth(backend=self.backend, ok=False, detail=exc.message)
        latency = (time.perf_counter() - started) * 1000
        return DatabaseHealth(backend=self.backend, ok=True, detail=f"database {self._database!r}", latency_ms=latency)

    async def destroy(self) -> None:
        await self.run(CLEAR, {})

    async def compact(self) -> bool:
        """Neo4j manages its own store and transaction log files (docs/privacy.md): nothing to do here."""
        return False

    async def settle(self) -> None:
        """Neo4j applies each write as it commits: nothing is left pending after a bulk write."""

    async def close(self) -> None:
        await self._driver.close()
