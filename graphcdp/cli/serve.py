"""`graphcdp serve`: the GraphQL service on its port, with the services opened before uvicorn starts."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import logging
import socket
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import uvicorn

from graphcdp import __version__
from graphcdp.errors import StartupError
from graphcdp.settings import AuthMode, Settings, load_settings

if TYPE_CHECKING:
    from graphcdp.wiring import Services

log = logging.getLogger("graphcdp")


def _bind(host: str, port: int, *, shared: bool = False) -> socket.socket:
    """Bind the service's port up front, so a clash is one clear line rather than a server traceback. `shared`:
    with SO_REUSEPORT, for the workers of `serve --workers` to bind it too (graphcdp/cli/workers.py)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio turns on TCP_NODELAY only for sockets that say they are TCP, and
    # without it every keep-alive response waits ~40 ms for the client's delayed ACK (Nagle).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if shared:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise StartupError(
            f"cannot listen on {host}:{port} ({exc.strerror or exc}); "
            "stop whatever uses it or set GRAPHCDP_PORT / --port to another port"
        ) from None
    sock.set_inheritable(True)
    return sock


class _Server(uvicorn.Server):
    """uvicorn re-raises SIGTERM/SIGINT after its graceful shutdown, which would kill us before the
    store (and the embedded database) is closed. We finish the shutdown ourselves and exit 0."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        with super().capture_signals():
            try:
                yield
            finally:
                self._captured_signals.clear()


async def serve_on(
    settings: Settings, sock: socket.socket, *, worker: int | None = None, rewrites_files: bool = False
) -> None:
    """The service on `sock` until SIGTERM or Ctrl-C. `worker`: its number among the workers of `serve --workers`
    (graphcdp/cli/workers.py), whose supervisor made the start-up work and runs the background jobs;
    `rewrites_files`: the supervisor's database is the embedded one, whose files an erasure compacts."""
    # Imported here so `graphcdp export-schema` and `--help` stay fast and need no database.
    from graphcdp.api import access_log
    from graphcdp.api.app import create_app
    from graphcdp.store.falkordb import FalkorDBStore
    from graphcdp.wiring import open_services

    # The services (and the matching model stored in the graph) are opened before uvicorn starts, so a
    # start-up problem is one clear line rather than a lifespan traceback.
    # A crash's repairs run beside the service: it answers at once (graphcdp/identity/startup.py).
    async with open_services(settings, worker=worker is not None, repair_in_background=True) as services:
        if worker is not None and rewrites_files and isinstance(services.store, FalkorDBStore):
            services.store.served_by_supervisor()
        if worker is None:
            await announce_first_key(settings, services)
        app = create_app(services=services, background_jobs=worker is None)
        host, port = sock.getsockname()[:2]
        where = f"data in {settings.data_dir.resolve()}" if settings.backend == "embedded" else settings.backend
        if worker is None:
            log.info("graphcdp %s: GraphQL on http://%s:%d/graphql (database: %s, %s)", __version__, host, port,
                     settings.backend, where)  # fmt: skip
        # Requests in flight get half the shutdown budget; the database's stop has the other half (open_store).
        config = uvicorn.Config(
            app,
            log_level=settings.log_level,
            lifespan="on",
            timeout_graceful_shutdown=max(1, round(settings.shutdown_timeout / 2)),
        )
        access_log.install()  # no query strings (GraphQL GET variables) in access lines
        # What start-up built (the schema, the statements, the models) lives as long as the process: frozen out of
        # the collector's view, a full collection walks what requests made instead of pausing one for ~0.1 s.
        gc.collect()
        gc.freeze()
        await _Server(config).serve(sockets=[sock])


async def announce_first_key(settings: Settings, services: Services) -> None:
    if settings.auth is AuthMode.REQUIRED and (first := await services.keys.bootstrap_admin()) is not None:
        print(_first_key_notice(first.name, first.secret), file=sys.stderr, flush=True)


def _first_key_notice(name: str, secret: str) -> str:
    """Shown once, on the first start with no API key: the only place the secret ever appears."""
    return (
        f"\ngraphcdp: no API key existed, so an admin key named {name!r} (every scope) was created:\n\n"
        f"    {secret}\n\n"
        "Keep it now: it is stored only as a hash and will not be shown again. Send it as "
        "`Authorization: Bearer <key>`; create narrower keys with `graphcdp keys create` (docs/api.md).\n"
    )


def loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop when it is installed (uvicorn[standard] brings it): what uvicorn itself would pick."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def configure_logging(settings: Settings) -> None:
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # httpx logs each webhook attempt at INFO with its URL, which may hold the receiver's token; the dispatcher
    # logs what matters by destination id.
    logging.getLogger("httpx").setLevel(max(logging.WARNING, logging.getLogger().level))


def serve(args: argparse.Namespace) -> None:
    overrides: dict[str, object] = {}
    if args.host is not None:
        overrides["host"] = args.host
    if args.port is not None:
        overrides["port"] = args.port
    if args.workers is not None:
        overrides["workers"] = args.workers
    settings = load_settings(**overrides)
    configure_logging(settings)
    from graphcdp.cli.workers import default_workers, supervise
    from graphcdp.identity.matching.spec import load_model

    load_model(settings.matching_model)  # a bad model file is refused before anything starts
    workers = settings.workers or default_workers()
    sock = _bind(settings.host, settings.port, shared=workers > 1)
    try:
        with asyncio.Runner(loop_factory=loop_factory()) as runner:
            runner.run(serve_on(settings, sock) if workers == 1 else supervise(settings, sock, workers))
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()


def add_commands(commands: Any) -> None:
    run = commands.add_parser("serve", help="run the GraphQL service (settings: GRAPHCDP_* variables, .env)")
    run.add_argument("--host", help="bind address (default: GRAPHCDP_HOST or 127.0.0.1)")
    run.add_argument("--port", type=int, help="port (default: GRAPHCDP_PORT or 8000)")
    run.add_argument(
        "--workers", type=int, help="service processes on one database (default: GRAPHCDP_WORKERS, or one per core)"
    )
    run.set_defaults(handler=serve)
