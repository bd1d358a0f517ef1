"""`graphcdp serve --workers N`: a supervisor and N worker processes serving one database.

The supervisor opens the services as a single `serve` does (so the embedded database, the schema, the start-up
repairs and the first API key happen once), then runs the background jobs: the segment sweep, the webhook
dispatcher and change-feed retention, each in this one process. The workers accept requests on the supervisor's
port, each with its own services connected to the same database (the embedded one as a FalkorDB server), without
background jobs. Each worker listens on a socket of its own bound to that port with SO_REUSEPORT (the supervisor's
never listens), so the kernel spreads connections over the workers evenly: on one shared socket, whichever worker
woke first accepted every connection waiting, and 32 kept-alive clients could all end up on one worker while the
other idled (bench/README.md). Writes from several processes are correct because the store sends every
write inside MULTI/EXEC (graphcdp/store/falkordb.py). A worker that dies is started again; when the embedded
database is restarted (new port, new password), every worker is.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import multiprocessing
import os
import signal
import socket
import sys
import time
from dataclasses import dataclass, field
from multiprocessing.context import SpawnProcess
from typing import Any

from graphcdp.settings import Backend, Settings, load_settings

log = logging.getLogger("graphcdp")

_PR_SET_PDEATHSIG = 1
_WATCH_INTERVAL = 0.5  # seconds between two looks at the workers
_STABLE_AFTER = 10.0  # a worker that ran this long before dying is started again at once
_MAX_RESTART_DELAY = 30.0  # seconds, at most, before a worker that keeps dying is started again
_SPAWN = multiprocessing.get_context("spawn")  # a fresh interpreter: no event loop or connection inherited


def default_workers() -> int:
    """One worker per core."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def database_overrides(settings: Settings, store: Any) -> dict[str, object]:
    """The settings a worker needs on top of the environment's to reach the supervisor's database: the embedded
    one as a FalkorDB server at its current address."""
    embedded = getattr(store, "embedded", None)
    if settings.backend is not Backend.EMBEDDED or embedded is None:
        return {}
    return {"backend": Backend.FALKORDB, "falkordb_url": embedded.url, "falkordb_password": embedded.password}


def limit_shares(settings: Settings, count: int) -> dict[str, object]:
    """Each worker's share of the per-key limits, so that a key never gets more than its limits across the
    workers together: the rate divided evenly, the burst and the open subscriptions rounded down (at least 1).
    A client keeping one connection meets its worker's share; one spreading its connections, the whole."""
    return {
        "rate_limit": settings.rate_limit / count,
        "rate_limit_burst": max(1, settings.rate_limit_burst // count),
        "max_subscriptions_per_key": max(1, settings.max_subscriptions_per_key // count),
    }


@dataclass
class WorkerPool:
    """N worker processes on one listening socket, started again when they die."""

    count: int
    sock: socket.socket
    overrides: dict[str, object]
    processes: dict[int, SpawnProcess] = field(default_factory=dict)  # worker number -> its process
    started: dict[int, float] = field(default_factory=dict)  # worker number -> when it was started
    quick_deaths: dict[int, int] = field(default_factory=dict)  # deaths in a row within _STABLE_AFTER of a start
    due: dict[int, float] = field(default_factory=dict)  # dead workers -> when to start them again
    paused: bool = False  # all of them are being started again (the database moved): replace none meanwhile

    def start(self, number: int) -> None:
        process = _SPAWN.Process(
            target=worker_main, args=(number, self.overrides, self.sock), name=f"graphcdp-worker-{number}"
        )
        process.start()
        self.processes[number] = process
        self.started[number] = time.monotonic()

    def start_all(self) -> None:
        for number in range(self.count):
            self.start(number)

    def replace_dead(self, stopping: bool) -> None:
        """Start the dead workers again: at once after a long life, later and later when they keep dying soon
        after their start (a worker that cannot start would otherwise be spawned twice a second)."""
        if self.paused:
            return
        now = time.monotonic()
        for number, process in list(self.processes.items()):
            if process.is_alive() or stopping or number in self.due:
                continue
            quick = now - self.started[number] < _STABLE_AFTER
            self.quick_deaths[number] = self.quick_deaths.get(number, 0) + 1 if quick else 0
            delay = min(_MAX_RESTART_DELAY, _WATCH_INTERVAL * 2 ** self.quick_deaths[number]) if quick else 0.0
            log.warning("worker %d (pid %s) ended with exit code %s; starting it again in %.1f s", number,
                        process.pid, process.exitcode, delay)  # fmt: skip
            self.due[number] = now + delay
        for number, when in list(self.due.items()):
            if when <= now and not stopping:
                del self.due[number]
                self.processes[number].close()
                self.start(number)

    def stop_all(self, timeout: float) -> None:
        """SIGTERM (each finishes its requests in flight), then SIGKILL what is left after `timeout` seconds."""
        for process in self.processes.values():
            if process.is_alive():
                process.terminate()
        for process in self.processes.values():
            process.join(timeout)
            if process.is_alive():
                process.kill()
                process.join(5)
        self.processes.clear()
        self.due.clear()


async def supervise(settings: Settings, sock: socket.socket, count: int) -> None:
    from graphcdp.cli.serve import announce_first_key
    from graphcdp.segments.sweep import segment_sweep
    from graphcdp.wiring import open_services

    async with open_services(settings, repair_in_background=True) as services:
        await announce_first_key(settings, services)
        shares = limit_shares(settings, count)
        pool = WorkerPool(count, sock, database_overrides(settings, services.store) | shares)
        embedded = getattr(services.store, "embedded", None)

        async def restart_workers() -> None:  # the embedded database came back on a new port with a new password
            pool.paused = True
            try:
                await asyncio.to_thread(pool.stop_all, settings.shutdown_timeout / 2)
                pool.overrides = database_overrides(settings, services.store) | shares
                pool.start_all()
            finally:
                pool.paused = False

        if embedded is not None:
            embedded.on_restart(restart_workers)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        host, port = sock.getsockname()[:2]
        log.info("graphcdp: %d workers serve http://%s:%d/graphql (database: %s); this process runs the background "
                 "jobs", count, host, port, settings.backend)  # fmt: skip
        try:
            async with segment_sweep(services.segments, settings.segment_sweep_interval), services.webhooks.sending():
                pool.start_all()
                while not stop.is_set():
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), _WATCH_INTERVAL)
                    if embedded is not None and embedded.gave_up:  # no worker can serve: let a process manager act
                        log.error("the embedded database could not be started again; stopping")
                        raise SystemExit(1)
                    pool.replace_dead(stopping=stop.is_set())
        finally:
            # Requests in flight get half the shutdown budget; the database's stop has the other half.
            await asyncio.to_thread(pool.stop_all, settings.shutdown_timeout / 2)


def own_listener(shared: socket.socket) -> socket.socket:
    """A socket of this worker's own on the supervisor's address, in its SO_REUSEPORT group (see the module's
    docstring); the supervisor's socket is closed here, as this worker never accepts on it."""
    address = shared.getsockname()
    sock = socket.socket(shared.family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(address)
    shared.close()
    return sock


def worker_main(number: int, overrides: dict[str, object], sock: socket.socket) -> None:
    """A worker process: the service on the supervisor's socket and database, without background jobs."""
    # SIGTERM when the supervisor dies, however it dies: a worker never outlives it.
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() == 1:  # the supervisor died before the line above
        sys.exit(1)
    from graphcdp.cli.serve import configure_logging, loop_factory, serve_on

    settings = load_settings(**overrides)
    configure_logging(settings)
    own = own_listener(sock)
    try:
        with asyncio.Runner(loop_factory=loop_factory()) as runner:
            runner.run(serve_on(settings, own, worker=number, rewrites_files="falkordb_url" in overrides))
    except KeyboardInterrupt:  # Ctrl-C reaches the whole process group; the supervisor stops us in order
        pass
