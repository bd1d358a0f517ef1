"""GraphStore on FalkorDB through its own async client (never its Bolt port)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from falkordb.asyncio import FalkorDB
from falkordb.asyncio.query_result import QueryResult
from falkordb.edge import Edge
from falkordb.exceptions import SchemaVersionMismatchException
from falkordb.helpers import stringify_param_value
from falkordb.node import Node
from falkordb.path import Path as FalkorPath
from redis.asyncio import BlockingConnectionPool
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError, ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from graphcdp.errors import DatabaseUnavailableError, QueryError, StartupError
from graphcdp.model.health import AdjacencyRead, DatabaseHealth, Ping
from graphcdp.store import timings
from graphcdp.store.base import Params, WriteSignal, checked_params
from graphcdp.store.cancellation import kept
from graphcdp.store.compact_reply import NotPlain, execution_ms, plain_rows
from graphcdp.store.cypher import CypherCatalog, Mode, Query, RowT, Statement, statement
from graphcdp.store.embedded import EmbeddedFalkorDB, rewrite_append_only_file
from graphcdp.store.params_header import params_header
from graphcdp.store.schema import INDEX_BUILD_MAX_WAIT, UNIQUE_KEYS, wait_for_indexes

log = logging.getLogger(__name__)

PING = statement("system/ping", Ping)
SETTLE_ADJACENCY = statement("system/settle_adjacency", AdjacencyRead)
_EMPTY_KEY = "empty key"
_RO_QUERY = "GRAPH.RO_QUERY"  # the command the client's ro_query sends
COMPACT_MAX_WAIT = 300.0  # seconds a worker waits for the rewrite it asked for
SOCKET_TIMEOUT_MARGIN = 5.0  # seconds past the query timeout before a silent server counts as gone


# Most values are one of these: checked first, by exact type, because every value of a large answer or
# parameter passes through here (millions per import).
_PLAIN_TYPES = frozenset({str, int, float, bool, type(None)})
_PASSED_AS_IS = frozenset({str, int, float, type(None)})  # not bool: Cypher spells it lower case


def _result_rows(result: QueryResult) -> list[dict[str, Any]]:
    columns: Sequence[str] = [column[1] for column in result.header]
    return [dict(zip(columns, (_plain(v) for v in row), strict=True)) for row in result.result_set]


def _plain(value: Any) -> Any:
    """Driver objects → plain Python: nodes and edges become their property maps."""
    if type(value) in _PLAIN_TYPES:
        return value
    if isinstance(value, Node | Edge):
        return {key: _plain(v) for key, v in value.properties.items()}
    if isinstance(value, FalkorPath):
        return [_plain(n) for n in value.nodes()]
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {key: _plain(v) for key, v in value.items()}
    return value


class _CypherLiteral:
    """Rendered as-is in the parameter header (the client writes Python's `True`, which Cypher lacks)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __str__(self) -> str:
        return self.text


def _param(value: Any) -> Any:
    if type(value) in _PASSED_AS_IS:
        return value
    if isinstance(value, bool):
        return _CypherLiteral("true" if value else "false")
    if isinstance(value, list | tuple):
        return [_param(v) for v in value]
    if isinstance(value, dict):
        return {key: _param(v) for key, v in value.items()}
    return value


class FalkorDBStore:
    backend = "falkordb"

    def __init__(
        self,
        db: FalkorDB,
        graph: str,
        catalog: CypherCatalog,
        timeout: float,
        embedded: EmbeddedFalkorDB | None = None,
        *,
        pool_options: dict[str, Any] | None = None,
    ) -> None:
        self._db = db
        self._graph_name = graph
        self._graph = db.select_graph(graph)
        self.catalog = catalog
        self.writes = WriteSignal()
        self._timeout_ms = int(timeout * 1000)
        self.embedded = embedded
        self._pool_options = pool_options or {}
        self._reconnecting = False  # the embedded database is back: the store checks its schema is in force
        self.rewrites_files = False  # the server is graphcdp's own, started by another process (compact)
        if embedded is not None:
            self.backend = "embedded"
            embedded.on_restart(self._reconnect)

    @classmethod
    async def connect(
        cls,
        url: str,
        graph: str,
        catalog: CypherCatalog,
        *,
        password: str | None = None,
        query_timeout: float = 30.0,
        embedded: EmbeddedFalkorDB | None = None,
        max_connections: int = 64,
    ) -> FalkorDBStore:
        # A blocking pool: when every connection is busy a query waits for one (up to the query timeout).
        # redis-py's default pool raises "Too many connections" instead, which a burst of requests hits.
        kwargs: dict[str, Any] = {
            "socket_connect_timeout": 5,
            # redis-py gives up reading after 5 s by default; FalkorDB enforces the query timeout itself,
            # so the client waits that long, and a little more for the answer to arrive.
            "socket_timeout": query_timeout + SOCKET_TIMEOUT_MARGIN,
            "max_connections": max_connections,
            "timeout": query_timeout,
            "decode_responses": True,  # as FalkorDB.from_url sets it
        }
        if password:
            kwargs["password"] = password
        try:
            db = FalkorDB(connection_pool=BlockingConnectionPool.from_url(_redis_url(url), **kwargs))
            await db.connection.ping()
        except (RedisError, OSError, ValueError) as exc:
            raise StartupError(
                f"cannot reach FalkorDB at {without_password(url)} ({exc}); check GRAPHCDP_FALKORDB_URL and that "
                "the server runs"
            ) from None
        return cls(db, graph, catalog, query_timeout, embedded, pool_options=kwargs)

    async def _reconnect(self) -> None:
        """The embedded database was started again, on a new port with a new password: a new pool for it."""
        assert self.embedded is not None
        options = {**self._pool_options, "password": self.embedded.password}
        old, self._db = (
            self._db,
            FalkorDB(connection_pool=BlockingConnectionPool.from_url(_redis_url(self.embedded.url), **options)),
        )
        self._graph = self._db.select_graph(self._graph_name)
        with contextlib.suppress(RedisError, OSError):
            await old.connection.aclose()
        # The server rebuilds uniqueness constraints and indexes in the background as it loads: until they are
        # in force a duplicate key gets through and a lookup misses, so the store stays closed until then.
        self._reconnecting = True
        try:
            await self._constraints_in_force()
            await wait_for_indexes(self, built="OPERATIONAL")
        finally:
            self._reconnecting = False

    async def run(self, query: Query[RowT], params: Params | None = None) -> list[RowT]:
        statement = self.catalog.get(query.name)
        with timings.timed(statement.name):  # for the slow-request log
            rows = await kept(self._execute(statement, params))  # a cancellation the client lost is raised again
        if statement.wakes_followers:
            self.writes.fire()
        return query.decode(rows)

    async def _execute(self, statement: Statement, params: Params | None) -> list[dict[str, Any]]:
        values = checked_params(statement, params)
        if self.embedded is not None and not self._reconnecting and not self.embedded.available:
            # How the child ended, whether or not the supervisor has started the next one yet.
            reason = await self.embedded.exit_reason(grace=0)
            ended = f" ({self.embedded.last_exit})" if self.embedded.last_exit else ""
            raise DatabaseUnavailableError(reason or f"the embedded database is being restarted{ended}")
        try:
            try:
                query = self._params_header(values) + statement.text
                if statement.mode is Mode.READ:
                    return await self._read(query)
                return await self._reply_rows(await self._write(query))
            except ResponseError as exc:
                # A read on a graph that does not exist yet: FalkorDB refuses it; an empty database answers.
                if _EMPTY_KEY not in str(exc):
                    raise
                literals = {key: _param(v) for key, v in values.items()}
                return _result_rows(await self._graph.query(statement.text, literals, timeout=self._timeout_ms))
        except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
            raise DatabaseUnavailableError(await self._why_unavailable(exc)) from None
        except ResponseError as exc:
            raise QueryError(f"{statement.name}: {exc}") from None

    def _params_header(self, values: Params) -> str:
        """The parameters as the query's header, as the client writes it (graphcdp/store/params_header.py)."""
        return params_header(values, lambda value: stringify_param_value(_param(value)))

    async def _read(self, query: str) -> list[dict[str, Any]]:
        """GRAPH.RO_QUERY as the client's `ro_query` sends it (`query` headed by its parameters), its reply read
        by `_reply_rows`."""
        command = (_RO_QUERY, self._graph_name, query, "--compact", "timeout", self._timeout_ms)
        return await self._reply_rows(await self._graph.execute_command(*command))

    async def _reply_rows(self, response: Any) -> list[dict[str, Any]]:
        """The rows of a compact reply: read in one pass when it holds plain values only (compact_reply), else by the
        client's parser (nodes, edges, paths; errors raised as it raises them)."""
        if timings.collecting() and (milliseconds := execution_ms(response)) is not None:
            timings.database_reported(milliseconds)
        try:
            return plain_rows(response)
        except NotPlain:
            pass
        result = QueryResult(self._graph)
        try:
            await result.parse(response)
        except SchemaVersionMismatchException as exc:
            await self._graph.schema.refresh(exc.version)  # as the client's own query does
            raise
        return _result_rows(result)

    async def _write(self, query: str) -> Any:
        """A write statement inside MULTI/EXEC, its reply as the server sent it. FalkorDB (4.16) runs a plain
        GRAPH.QUERY write on a worker thread, and two that arrive together can both read the graph as it was before
        either (cached plan or not): a MERGE then creates the same relationship twice, a version check passes twice,
        and the append-only file, replayed one query at a time, rebuilds a different graph. A write inside a
        transaction runs on the server's main thread, one after another, whichever process or connection
        sent it (tests/integration/test_concurrent_writes.py), so no client-side lock is needed and several
        service processes can share one database."""
        async with self._db.connection.pipeline(transaction=True) as transaction:
            command = ("GRAPH.QUERY", self._graph_name, query, "--compact", "timeout", self._timeout_ms)
            transaction.execute_command(*command)
            (response,) = await transaction.execute()
        return response

    def served_by_supervisor(self) -> None:
        """This process is a worker of `serve --workers` on the embedded database its supervisor started: the
        store says so (health) and rewrites the database's files after an erasure, as the supervisor would."""
        self.backend = "embedded"
        self.rewrites_files = True

    async def plan(self, query: Query[Any], params: Params | None = None) -> str:
        """FalkorDB's execution plan of a statement (GRAPH.EXPLAIN): which index or scan it starts from."""
        statement = self.catalog.get(query.name)
        values = {key: _param(v) for key, v in checked_params(statement, params).items()}
        return str(await self._graph.explain(statement.text, values))

    async def profile(self, query: Query[Any], params: Params | None = None) -> str:
        """FalkorDB's profile of a statement (GRAPH.PROFILE): it runs the statement (a write writes, outside
        MULTI/EXEC) and says how many rows each operator produced, and in how many milliseconds."""
        statement = self.catalog.get(query.name)
        values = {key: _param(v) for key, v in checked_params(statement, params).items()}
        return "\n".join((await kept(self._graph.profile(statement.text, values))).plan)

    async def memory_mb(self) -> float:
        """Memory this graph holds, as FalkorDB reports it (GRAPH.MEMORY USAGE, whole megabytes)."""
        usage = await kept(self._db.connection.execute_command("GRAPH.MEMORY", "USAGE", self._graph_name))
        return float(usage["total_graph_sz_mb"]) if isinstance(usage, dict) else 0.0

    async def _why_unavailable(self, exc: BaseException) -> str:
        if self.embedded is not None and (failure := await self.embedded.exit_reason()):
            return failure
        return f"FalkorDB does not answer: {exc}"

    async def ensure_schema(self) -> None:
        # Range indexes come from cypher/falkordb/schema/; uniqueness is a FalkorDB command, not Cypher.
        created = False
        for schema_statement in self.catalog.schema_statements():
            try:
                await self._execute(schema_statement, {})
                created = True
            except QueryError as exc:
                if "already indexed" not in str(exc):
                    raise
        existing = {(c["label"], tuple(c["properties"])) for c in await self._graph.list_constraints()}
        for label, key in UNIQUE_KEYS:
            if (label, (key,)) not in existing:
                await self._graph.create_node_unique_constraint(label, key)
                created = True
        # Both are built in the background, over the data already there (and again after a restart): until
        # then a uniqueness key is not enforced and an index answers with what it holds so far.
        await self._constraints_in_force()
        await wait_for_indexes(self, built="OPERATIONAL")
        if created and self.embedded is not None:
            # A replayed command's index only serves once the whole append-only file is loaded; a snapshot's
            # is built as it loads. So the new schema goes into the file's base (EmbeddedFalkorDB.compact).
            await self.embedded.compact()

    async def _constraints_in_force(self, max_wait: float = INDEX_BUILD_MAX_WAIT) -> None:
        """Wait until FalkorDB has built every uniqueness constraint (it does so in the background)."""
        deadline = time.monotonic() + max_wait
        while time.monotonic() < deadline:
            if all(c["status"] == "OPERATIONAL" for c in await self._graph.list_constraints()):
                return
            await asyncio.sleep(0.05)
        raise StartupError(f"FalkorDB did not build the graph's uniqueness constraints within {max_wait:g}s")

    async def health(self) -> DatabaseHealth:
        started = time.perf_counter()
        try:
            await self.run(PING, {})
        except DatabaseUnavailableError as exc:
            return DatabaseHealth(backend=self.backend, ok=False, detail=exc.message)
        except QueryError as exc:
            return DatabaseHealth(backend=self.backend, ok=False, detail=exc.message)
        latency = (time.perf_counter() - started) * 1000
        return DatabaseHealth(backend=self.backend, ok=True, detail=f"graph {self._graph_name!r}", latency_ms=latency)

    async def destroy(self) -> None:
        try:
            await self._graph.delete()
        except ResponseError as exc:
            if _EMPTY_KEY not in str(exc):
                raise QueryError(f"cannot delete graph {self._graph_name}: {exc}") from None

    async def compact(self) -> bool:
        """Rewrite the embedded database's append-only file from the data as it is now (erased values leave
        the disk); a server graphcdp did not start keeps its own files: False. The graph's query log goes
        first: it is a key of the database, so the rewrite would keep it."""
        if self.embedded is not None:
            await self._forget_query_log()
            return await self.embedded.compact()
        if self.rewrites_files:  # a worker of `serve --workers`, on the embedded database of its supervisor
            await self._forget_query_log()
            return await rewrite_append_only_file(self._db.connection, COMPACT_MAX_WAIT, "the supervisor's log")
        return False

    async def settle(self) -> None:
        """Merge the changes FalkorDB holds pending in the graph's matrices, so the single writes after a bulk
        write cost what they cost on a freshly loaded graph (docs/performance.md, "Writes slow down with every
        edge written"). GRAPH.MEMORY USAGE reads the node-label, label and relationship type matrices; it leaves
        out the adjacency matrix (every edge, whatever its type), which `system/settle_adjacency` reads. Reading a
        matrix written since its last read merges its pending changes once they reach
        DELTA_MAX_PENDING_CHANGES. Both run on a worker thread under the graph's read lock (writers wait for
        them, readers do not); SAMPLES 1 keeps the memory estimate itself cheap. Only a matter of speed: a
        failure is logged, the write it follows stands."""
        started = time.perf_counter()
        try:
            await kept(self._db.connection.execute_command("GRAPH.MEMORY", "USAGE", self._graph_name, "SAMPLES", 1))
            await self.run(SETTLE_ADJACENCY)
        except (RedisError, OSError, QueryError, DatabaseUnavailableError) as exc:
            log.warning("settling the graph's pending changes failed (%s)", type(exc).__name__)
            return
        log.info("settled the graph's pending changes in %.0f ms", (time.perf_counter() - started) * 1000)

    async def _forget_query_log(self) -> None:
        """Delete the graph's query log (FalkorDB's CMD_INFO stream: recent queries with their parameters, so
        with the values an erasure removed). The embedded server keeps none (CMD_INFO off); one a file of an
        older build holds, or one written while it was on, must not outlive the rewrite."""
        await self._db.connection.delete(query_log_key(self._graph_name))

    async def close(self) -> None:
        try:
            await self._db.connection.aclose()
        finally:
            if self.embedded is not None:
                await self.embedded.stop()


def query_log_key(graph: str) -> str:
    """The stream in which FalkorDB (CMD_INFO on) keeps the last MAX_INFO_QUERIES queries of a graph."""
    return f"telemetry{{{graph}}}"


def without_password(url: str) -> str:
    """The URL to show in a message or a log: a password in it replaced by `***`."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


def _redis_url(url: str) -> str:
    """FalkorDB's falkor:// and falkors:// URLs are redis:// and rediss:// ones (as FalkorDB.from_url maps them)."""
    for falkor, redis in (("falkor://", "redis://"), ("falkors://", "rediss://")):
        if url.startswith(falkor):
            return redis + url[len(falkor) :]
    return url
