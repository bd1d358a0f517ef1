"""What the HTTP benchmarks share: a real `graphcdp serve` process on a given FalkorDB graph, a load
generator of concurrent clients that times every request, the same for calls straight to the database,
and random identifiers of the graph to ask by.

Requests are numbered; request i is always sent by worker i % clients, in order. A benchmark can rely
on that: request i - clients has finished before request i starts, so a request may build on what an
earlier one of the same worker wrote.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import httpx

from graphcdp.auth.keys import new_secret
from graphcdp.store import GraphStore
from graphcdp.store.embedded import free_port
from graphcdp_bench.cypher import bench_statement

SAMPLE_IDENTIFIERS = bench_statement("bench/sample_identifiers")

GRAPHCDP = Path(sys.executable).with_name("graphcdp")
READY_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0
# Without TCP_NODELAY the request headers and body leave as two small segments, and Nagle's algorithm
# meets the server's delayed ACK: ~40 ms on every POST that has nothing to do with the service.
NODELAY = [(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]
MAX_WARMUP = 50

# The admin key of the services a benchmark starts (GRAPHCDP_ADMIN_KEY), new in every run, sent by its clients.
BENCH_KEY = new_secret()
HttpRequest = Callable[[httpx.AsyncClient, int], Awaitable[None]]
Call = Callable[[int], Awaitable[None]]


class BenchRequestError(RuntimeError):
    """A benchmark request failed: its time would measure an error, not the service."""


@dataclass(frozen=True)
class SampledIdentifier:
    key: str
    type: str
    value: str
    person: str
    traits: Mapping[str, Any] = field(default_factory=dict)  # the golden traits of that person


def default_warmup(total: int) -> int:
    """Untimed requests before each level: enough to open the connections and warm the caches."""
    return min(MAX_WARMUP, total // 10)


class BenchServer:
    """`graphcdp serve` as its own process on an existing FalkorDB graph, for as long as the `async with`.

    Its environment is ours without any GRAPHCDP_ setting, and its working directory a fresh temporary
    one, so neither the caller's variables nor a `.env` file change what is measured.
    """

    def __init__(
        self,
        falkordb_url: str,
        graph: str,
        *,
        ready_timeout: float = READY_TIMEOUT,
        settings: Mapping[str, str] | None = None,
        workers: int = 1,
    ) -> None:
        self.falkordb_url = falkordb_url
        self.workers = workers  # `serve --workers`: 1 serves in one process
        self.graph = graph
        self.settings = dict(settings or {})  # GRAPHCDP_ variables the benchmark itself sets
        self.ready_timeout = ready_timeout
        self.port = 0
        self.work_dir: Path | None = None
        self._process: asyncio.subprocess.Process | None = None
        self._log: IO[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        """The served process (the supervisor of `--workers`, its workers under it), while it runs."""
        return self._process.pid if self._process is not None else None

    @property
    def log_path(self) -> Path:
        if self.work_dir is None:
            raise RuntimeError("BenchServer is not started")
        return self.work_dir / "serve.log"

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except (OSError, RuntimeError):
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:]) or "(empty log)"

    def _environment(self) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if not key.startswith("GRAPHCDP_")}
        env.update(
            GRAPHCDP_BACKEND="falkordb",
            GRAPHCDP_FALKORDB_URL=self.falkordb_url,
            GRAPHCDP_GRAPH=self.graph,
            GRAPHCDP_PORT=str(self.port),
            GRAPHCDP_LOG_LEVEL="warning",
            GRAPHCDP_GRAPHIQL="false",
            GRAPHCDP_ADMIN_KEY=BENCH_KEY,  # the clients send it (http_client)
            GRAPHCDP_RATE_LIMIT="0",  # the benchmark measures throughput: no per-key limit
            GRAPHCDP_WORKERS=str(self.workers),
        )
        env.update(self.settings)
        return env

    async def __aenter__(self) -> BenchServer:
        self.work_dir = Path(tempfile.mkdtemp(prefix="graphcdp-bench-serve-"))
        self.port = free_port()
        self._log = self.log_path.open("wb")
        self._process = await asyncio.create_subprocess_exec(
            str(GRAPHCDP),
            "serve",
            cwd=self.work_dir,
            env=self._environment(),
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        try:
            await self._wait_ready()
        except BaseException:
            await self.stop()
            raise
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        await self.stop()
        if error is None and self.work_dir is not None:  # the log is kept when something went wrong
            shutil.rmtree(self.work_dir, ignore_errors=True)

    async def _wait_ready(self) -> None:
        assert self._process is not None
        deadline = time.monotonic() + self.ready_timeout
        async with httpx.AsyncClient(base_url=self.base_url, timeout=2) as client:
            while time.monotonic() < deadline:
                if (code := self._process.returncode) is not None:
                    raise BenchRequestError(
                        f"graphcdp serve exited with code {code} before it was ready; log tail:\n{self.log_tail()}"
                    )
                try:
                    if (await client.get("/readyz")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.02)
        raise BenchRequestError(
            f"graphcdp serve was not ready within {self.ready_timeout:g} s on {self.base_url}; "
            f"log tail:\n{self.log_tail()}"
        )

    async def stop(self) -> None:
        """SIGTERM (uvicorn finishes its requests and closes the store), SIGKILL if it hangs."""
        process, self._process = self._process, None
        if process is not None and process.returncode is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), STOP_TIMEOUT)
            except TimeoutError:
                process.kill()
                await process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None


async def graphql(client: httpx.AsyncClient, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    """POST one GraphQL operation; its `data`, or BenchRequestError with the body if anything failed."""
    response = await client.post("/graphql", json={"query": query, "variables": variables})
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code != 200 or not isinstance(body, dict) or body.get("errors") or not body.get("data"):
        shown = json.dumps(body)[:1000] if body is not None else response.text[:1000]
        raise BenchRequestError(f"HTTP {response.status_code}: {shown}")
    data: dict[str, Any] = body["data"]
    return data


def http_client(base_url: str, clients: int = 1) -> httpx.AsyncClient:
    """A client with `clients` connections, kept alive, TCP_NODELAY set."""
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    transport = httpx.AsyncHTTPTransport(socket_options=NODELAY, limits=limits)
    headers = {"Authorization": f"Bearer {BENCH_KEY}"}
    return httpx.AsyncClient(base_url=base_url, transport=transport, timeout=120, headers=headers)


async def _timed_workers(call: Call, first: int, count: int, clients: int, samples: list[float] | None) -> None:
    """Requests first … first+count-1, request i by worker i % clients; times appended to `samples`."""

    async def worker(numbers: Sequence[int]) -> None:
        for i in numbers:
            started = time.perf_counter()
            await call(i)
            if samples is not None:
                samples.append((time.perf_counter() - started) * 1000)

    end = first + count
    try:
        async with asyncio.TaskGroup() as group:  # the first failure cancels the other workers
            for w in range(clients):
                group.create_task(worker(range(first + (w - first) % clients, end, clients)))
    except ExceptionGroup as failed:
        raise failed.exceptions[0] from None


async def run_concurrent(
    call: Call, *, clients: int, total: int, warmup: int | None = None
) -> tuple[list[float], float]:
    """`total` calls by `clients` concurrent workers, after `warmup` untimed ones (default_warmup).

    Calls are numbered from 0: the warm-up takes 0 … warmup-1, the timed ones the next `total`. Returns
    the timed calls' latencies in ms and the wall seconds they took together. A failing call raises.
    """
    if clients < 1 or total < 1:
        raise ValueError("clients and total must be at least 1")
    warmup = default_warmup(total) if warmup is None else warmup
    if warmup:
        await _timed_workers(call, 0, warmup, clients, None)
    samples: list[float] = []
    started = time.perf_counter()
    await _timed_workers(call, warmup, total, clients, samples)
    return samples, time.perf_counter() - started


async def run_clients(
    request: HttpRequest, *, base_url: str, clients: int, total: int, warmup: int | None = None
) -> tuple[list[float], float]:
    """`run_concurrent` over HTTP: each worker has its own httpx client and kept-alive connection.

    One client shared by all workers cost the load generator more CPU than the service under test used:
    at 128 workers it ran at 100% of a core while `graphcdp serve` used 10%, and the figures measured the
    generator. A client per worker keeps each request's bookkeeping to one connection.

    `request(client, i)` sends request i; it should check the answer (see `graphql`) and raise on a
    failure, so that no error is ever timed as if it were an answer.
    """
    async with contextlib.AsyncExitStack() as stack:
        workers = [await stack.enter_async_context(http_client(base_url)) for _ in range(clients)]

        async def call(i: int) -> None:
            await request(workers[i % clients], i)

        return await run_concurrent(call, clients=clients, total=total, warmup=warmup)


async def sample_identifiers(store: GraphStore, count: int) -> list[SampledIdentifier]:
    """Up to `count` random identifiers of the graph that lead to a person (drawn by the database)."""
    rows = await store.run(SAMPLE_IDENTIFIERS, {"count": count})
    # The database's draw is not seeded; sorted by key, a seeded pick depends only on what it drew.
    return sorted(
        (
            SampledIdentifier(
                str(r["key"]), str(r["type"]), str(r["value"]), str(r["person"]), json.loads(r["traits"] or "{}")
            )
            for r in rows
        ),
        key=lambda s: s.key,
    )
