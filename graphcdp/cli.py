"""The `graphcdp` command: serve, export-schema."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import shutil
import socket
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import uvicorn

from graphcdp import __version__
from graphcdp.cli_matching import add_matching_commands
from graphcdp.errors import GraphCDPError, StartupError
from graphcdp.settings import Settings, load_settings

# Ingest benchmark batches: at 100k people touchpoints import at 1,150/s in batches of 5,000, 894/s of 1,000.
BENCH_BATCH = 5000

log = logging.getLogger("graphcdp")


def _bind(host: str, port: int) -> socket.socket:
    """Bind the service's port up front, so a clash is one clear line rather than a server traceback."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio turns on TCP_NODELAY only for sockets that say they are TCP, and
    # without it every keep-alive response waits ~40 ms for the client's delayed ACK (Nagle).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
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


async def _serve(settings: Settings, sock: socket.socket) -> None:
    # Imported here so `graphcdp export-schema` and `--help` stay fast and need no database.
    from graphcdp.api.app import create_app
    from graphcdp.store import open_store

    store = await open_store(settings)
    try:
        # The matching model (GRAPHCDP_MATCHING_MODEL, or one stored in the graph) is read here, before uvicorn
        # starts, so a model this graphcdp cannot read is one clear line rather than a lifespan traceback.
        app = create_app(settings, store)
        await app.state.identity.start()
        host, port = sock.getsockname()[:2]
        where = f"data in {settings.data_dir.resolve()}" if settings.backend == "embedded" else settings.backend
        log.info("graphcdp %s: GraphQL on http://%s:%d/graphql (database: %s, %s)", __version__, host, port,
                 settings.backend, where)  # fmt: skip
        config = uvicorn.Config(app, log_level=settings.log_level, lifespan="on")
        await _Server(config).serve(sockets=[sock])
    finally:
        await store.close()


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop when it is installed (uvicorn[standard] brings it): what uvicorn itself would pick."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def serve(args: argparse.Namespace) -> None:
    overrides: dict[str, object] = {}
    if args.host is not None:
        overrides["host"] = args.host
    if args.port is not None:
        overrides["port"] = args.port
    settings = load_settings(**overrides)
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from graphcdp.identity.matching.config import load_model

    load_model(settings.matching_model)  # a bad model file is refused before anything starts
    sock = _bind(settings.host, settings.port)
    try:
        with asyncio.Runner(loop_factory=_loop_factory()) as runner:
            runner.run(_serve(settings, sock))
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()


def export_schema(args: argparse.Namespace) -> None:
    from graphcdp.api.schema import export_sdl

    sdl = export_sdl()
    if args.output:
        Path(args.output).write_text(sdl, encoding="utf-8")
    else:
        sys.stdout.write(sdl)


async def _import(settings: Settings, args: argparse.Namespace) -> str:
    from graphcdp.identity.service import IdentityService
    from graphcdp.ingest.bulk import RecordSink, format_report, import_file
    from graphcdp.ingest.touchpoint_sink import TouchpointSink
    from graphcdp.profiles.service import ProfileService
    from graphcdp.store import open_store

    store = await open_store(settings)
    try:
        identity = IdentityService(store, settings)
        sink: RecordSink[Any] = TouchpointSink(ProfileService(identity, settings)) if args.touchpoints else identity
        report = await import_file(
            sink,
            Path(args.file),
            fmt=args.format,
            batch_size=args.batch_size or settings.max_batch_size,
            rejects_path=Path(args.rejects) if args.rejects else None,
            resume=not args.no_resume,
            dry_run=args.dry_run,
            concurrency=args.concurrency,
        )
    finally:
        await store.close()
    return format_report(report, "touchpoints" if args.touchpoints else "records")


def import_records(args: argparse.Namespace) -> None:
    settings = load_settings()
    logging.basicConfig(level=settings.log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    if args.touchpoints and (args.dry_run or args.format == "csv" or str(args.file).endswith(".csv")):
        raise StartupError("--touchpoints reads JSON Lines (one TouchpointInput object per line), without --dry-run")
    if args.batch_size and args.batch_size > settings.max_batch_size:
        raise StartupError(
            f"--batch-size {args.batch_size} is above GRAPHCDP_MAX_BATCH_SIZE ({settings.max_batch_size})"
        )
    print(asyncio.run(_import(settings, args)))


def generate(args: argparse.Namespace) -> None:
    import time

    from graphcdp.datagen import GeneratorConfig, write_dataset

    if args.people < 1:
        raise StartupError("--people must be at least 1")
    if args.touchpoints_per_person < 0:
        raise StartupError("--touchpoints-per-person must not be negative")
    config = GeneratorConfig(
        people=args.people,
        seed=args.seed,
        touchpoints_per_person=args.touchpoints_per_person,
        touchpoints=not args.no_touchpoints,
    )
    out = Path(args.out)
    started = time.perf_counter()
    manifest = write_dataset(out, config)
    injected = sum(kind["injected"] for kind in manifest["mess"].values())
    print(
        f"generated {manifest['people']:,} people in {manifest['households']:,} households (seed {config.seed}): "
        f"{manifest['records']:,} records, {manifest['touchpoints']:,} touchpoints, {injected:,} mess injections; "
        f"records.jsonl, touchpoints.jsonl, truth.jsonl, manifest.json in {out} "
        f"({time.perf_counter() - started:.1f} s)"
    )


def _bench_settings() -> Settings:
    settings = load_settings()
    logging.basicConfig(level=settings.log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per benchmark request otherwise
    return settings


def _counts(text: str, option: str, what: str) -> list[int]:
    try:
        counts = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError:
        raise StartupError(f"{option} takes comma-separated {what}, not {text!r}") from None
    if not counts or min(counts) < 1:
        raise StartupError(f"{option} needs at least one of {what}, each at least 1")
    return counts


def bench_ingest(args: argparse.Namespace) -> None:
    from graphcdp.bench.run import ingest_table, run_ingest
    from graphcdp.bench.suite import write_result

    settings = _bench_settings()
    data = Path(args.data) if args.data else None
    keep = Path(args.keep) if args.keep else None
    result = asyncio.run(
        run_ingest(settings, people=args.people, seed=args.seed, data=data, batch_size=args.batch_size, keep=keep)
    )
    print(ingest_table(result))
    print(f"results in {write_result(Path(args.out), 'ingest', result)}")


def bench_all(args: argparse.Namespace) -> None:
    from graphcdp.bench.suite import SuiteConfig, run_suite

    config = SuiteConfig(
        people=args.people,
        seed=args.seed,
        batch_size=args.batch_size,
        lookup_clients=_counts(args.lookup_clients, "--lookup-clients", "client counts"),
        lookup_queries=args.lookups,
        upsert_clients=_counts(args.upsert_clients, "--upsert-clients", "client counts"),
        upserts=args.upserts,
        scaling_sizes=sorted(_counts(args.sizes, "--sizes", "numbers of people")) if args.sizes else (),
        scaling_probes=args.probes,
    )
    asyncio.run(run_suite(_bench_settings(), config, out=Path(args.out), work=Path(args.work)))


def bench_http(args: argparse.Namespace) -> None:
    from graphcdp.bench.lookup import lookup_table, run_lookup
    from graphcdp.bench.suite import run_on_kept_graph, run_on_seeded_graph, write_result
    from graphcdp.bench.upsert_latency import run_upsert_latency, upsert_table

    clients = _counts(args.clients, "--clients", "client counts")
    settings = _bench_settings()

    async def measure(url: str, graph: str) -> dict[str, Any]:
        if args.bench == "lookup":
            return await run_lookup(url, graph, clients=clients, queries=args.requests, seed=args.seed)
        return await run_upsert_latency(
            url, graph, clients=clients, upserts=args.requests, seed=args.seed, matching=settings.matching
        )

    if args.database:
        result = asyncio.run(run_on_kept_graph(settings, Path(args.database), measure=measure))
    else:
        result = asyncio.run(
            run_on_seeded_graph(settings, people=args.people, seed=args.seed, work=Path(args.work), measure=measure)
        )
    print(lookup_table(result) if args.bench == "lookup" else upsert_table(result))
    print(f"results in {write_result(Path(args.out), args.bench, result)}")


def bench_scaling(args: argparse.Namespace) -> None:
    from graphcdp.bench.plots import plot_scaling
    from graphcdp.bench.scaling import run_scaling, scaling_table
    from graphcdp.bench.suite import write_result
    from graphcdp.store.embedded import EmbeddedFalkorDB

    settings = _bench_settings()
    sizes = sorted(_counts(args.sizes, "--sizes", "numbers of people"))
    work, out = Path(args.work), Path(args.out)

    def finished_size(so_far: dict[str, Any]) -> None:
        # Written after every size: the largest can take hours, and what is measured must not be lost.
        print(scaling_table(so_far), flush=True)
        write_result(out, "scaling", so_far)

    async def scale() -> dict[str, Any]:
        database = work / "falkordb-scaling"
        shutil.rmtree(database, ignore_errors=True)  # what an interrupted run left would only slow the start
        # Thrown away afterwards: no append-only rewrite forking a server of many gigabytes mid-seed.
        server = EmbeddedFalkorDB(database, start_timeout=settings.embedded_start_timeout, rewrite_aof=False)
        await server.start()
        try:
            return await run_scaling(
                settings,
                server,
                work,
                sizes=sizes,
                seed=args.seed,
                probes=args.probes,
                lookups=args.probes,
                on_size=finished_size,
            )
        finally:
            await server.stop()

    result = asyncio.run(scale())
    print(f"results in {write_result(out, 'scaling', result)} and {plot_scaling(result, out / 'scaling.png')}")


def bench_plot(args: argparse.Namespace) -> None:
    from graphcdp.bench.plots import plot_latency, plot_scaling

    out = Path(args.out)

    def read(name: str) -> dict[str, Any] | None:
        path = out / f"{name}.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None

    upsert, lookup, scaling = read("upsert"), read("lookup"), read("scaling")
    if not (upsert or lookup or scaling):
        raise StartupError(f"no upsert.json, lookup.json or scaling.json in {out}: run a benchmark first")
    written = []
    if upsert or lookup:
        written.append(plot_latency(upsert, lookup, out / "latency.png"))
    if scaling:
        written.append(plot_scaling(scaling, out / "scaling.png"))
    print("plots: " + ", ".join(str(p) for p in written))


def bench_febrl(args: argparse.Namespace) -> None:
    from graphcdp.bench.febrl import febrl_table
    from graphcdp.bench.febrl_run import run_febrl_sets
    from graphcdp.bench.suite import write_result

    settings = _bench_settings()
    sets = [name.strip().lower() for name in args.sets.split(",") if name.strip()]
    result = asyncio.run(run_febrl_sets(settings, Path(args.work), sets, splink=not args.no_splink))
    for name in sets:
        print(febrl_table(result[name]))
    print(f"results in {write_result(Path(args.out), 'febrl', result)}")


def _add_bench_commands(commands: Any) -> None:
    bench = commands.add_parser("bench", help="benchmarks, as ratios against the raw database (bench/README.md)")
    benches = bench.add_subparsers(dest="bench", required=True)
    results = "bench/results"
    work_help = "where generated data sets (reused) and the benchmark database go (default bench/work)"

    every = benches.add_parser("all", help="every benchmark, tables, JSON and plots (what `make bench` runs)")
    every.add_argument("--people", type=int, default=100_000, help="people for ingest, lookup, upsert (100,000)")
    every.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    every.add_argument(
        "--sizes", default="", help="scaling sizes, e.g. 10000,100000 (default none: make bench-scaling runs them)"
    )
    every.add_argument("--batch-size", type=int, default=BENCH_BATCH, help=f"ingest batch size ({BENCH_BATCH:,})")
    every.add_argument("--lookup-clients", default="1,8,32,128", help="context lookup client counts (1,8,32,128)")
    every.add_argument("--lookups", type=int, default=2000, help="context lookups per client count (2,000)")
    every.add_argument("--upsert-clients", default="1,8,32", help="single-upsert client counts (1,8,32)")
    every.add_argument("--upserts", type=int, default=1000, help="single upserts per client count (1,000)")
    every.add_argument("--probes", type=int, default=500, help="upserts and lookups per scaling size (500)")
    every.add_argument("--out", default=results, help=f"results directory (default {results})")
    every.add_argument("--work", default="bench/work", help=work_help)
    every.set_defaults(handler=bench_all)

    ingest = benches.add_parser("ingest", help="bulk upsert of records and touchpoints vs plain UNWIND … MERGE")
    ingest.add_argument("--people", type=int, default=10_000, help="true people to generate (default 10,000)")
    ingest.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    ingest.add_argument("--data", help="a directory `graphcdp generate` wrote, instead of generating")
    ingest.add_argument(
        "--batch-size", type=int, default=BENCH_BATCH, help=f"items per batch on both sides ({BENCH_BATCH:,})"
    )
    ingest.add_argument("--out", default=results, help=f"results directory (default {results})")
    ingest.add_argument(
        "--keep", metavar="DIR", help="keep the embedded database in DIR (emptied first), for upsert/lookup --database"
    )
    ingest.set_defaults(handler=bench_ingest)

    for name, what, default_clients in (
        ("lookup", "chatbot context lookup over HTTP beside the raw database", "1,8,32,128"),
        ("upsert", "single-record upserts over HTTP", "1,8,32"),
    ):
        http = benches.add_parser(name, help=f"{what}, on a seeded graph")
        http.add_argument("--people", type=int, default=10_000, help="people in the seeded graph (default 10,000)")
        http.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
        http.add_argument("--clients", default=default_clients, help=f"concurrent client counts ({default_clients})")
        http.add_argument("--requests", type=int, default=2000, help="requests per client count (default 2,000)")
        http.add_argument("--out", default=results, help=f"results directory (default {results})")
        http.add_argument("--work", default="bench/work", help=work_help)
        http.add_argument(
            "--database", metavar="DIR", help="measure on the graph `bench ingest --keep DIR` built instead of seeding"
        )
        http.set_defaults(handler=bench_http)

    scaling = benches.add_parser("scaling", help="per-operation cost and memory per person as the graph grows")
    scaling.add_argument("--sizes", default="10000,100000,1000000", help="people per size (10000,100000,1000000)")
    scaling.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    scaling.add_argument("--probes", type=int, default=500, help="upserts and lookups per size (default 500)")
    scaling.add_argument("--out", default=results, help=f"results directory (default {results})")
    scaling.add_argument("--work", default="bench/work", help=work_help)
    scaling.set_defaults(handler=bench_scaling)

    febrl = benches.add_parser(
        "febrl",
        help="probabilistic matching quality on FEBRL3/FEBRL4 beside Splink (needs bench/requirements-linkage.txt)",
    )
    febrl.add_argument("--sets", default="febrl3,febrl4", help="FEBRL sets (default febrl3,febrl4)")
    febrl.add_argument("--no-splink", action="store_true", help="graphcdp only")
    febrl.add_argument("--out", default=results, help=f"results directory (default {results})")
    febrl.add_argument("--work", default="bench/work", help=work_help)
    febrl.set_defaults(handler=bench_febrl)

    plot = benches.add_parser("plot", help="draw the PNG plots again from the JSON results")
    plot.add_argument("--out", default=results, help=f"results directory (default {results})")
    plot.set_defaults(handler=bench_plot)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="graphcdp", description="Identity-graph service for customer data.")
    parser.add_argument("--version", action="version", version=f"graphcdp {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("serve", help="run the GraphQL service (settings: GRAPHCDP_* variables, .env)")
    run.add_argument("--host", help="bind address (default: GRAPHCDP_HOST or 127.0.0.1)")
    run.add_argument("--port", type=int, help="port (default: GRAPHCDP_PORT or 8000)")
    run.set_defaults(handler=serve)

    bulk = commands.add_parser("import", help="bulk upsert records from a JSON Lines or CSV file (README: Bulk import)")
    bulk.add_argument("file", help="the file to import (.jsonl/.ndjson/.json or .csv)")
    bulk.add_argument("--format", choices=["jsonl", "csv"], help="file format (default: from the extension)")
    bulk.add_argument("--batch-size", type=int, help="records per batch (default: GRAPHCDP_MAX_BATCH_SIZE)")
    bulk.add_argument("--rejects", help="where rejected lines go (default: FILE.rejects.jsonl)")
    bulk.add_argument("--no-resume", action="store_true", help="start from the first line even after an interruption")
    bulk.add_argument("--dry-run", action="store_true", help="report what would happen, write nothing")
    bulk.add_argument(
        "--concurrency", type=int, default=1, help="batches in the service at once (default 1: one after another)"
    )
    bulk.add_argument("--touchpoints", action="store_true", help="the file holds touchpoints (JSON Lines), not records")
    bulk.set_defaults(handler=import_records)

    gen = commands.add_parser(
        "generate", help="write a seeded, realistic test data set with ground truth (README: Generating test data)"
    )
    gen.add_argument("--people", type=int, required=True, help="number of true people (1,000 to 1,000,000)")
    gen.add_argument("--seed", type=int, default=1, help="random seed; the same seed writes the same files (default 1)")
    gen.add_argument("--out", default="generated", help="output directory (default: ./generated)")
    gen.add_argument(
        "--touchpoints-per-person", type=float, default=5.0, help="mean touchpoints per person (default 5)"
    )
    gen.add_argument("--no-touchpoints", action="store_true", help="records only (touchpoints.jsonl stays empty)")
    gen.set_defaults(handler=generate)

    _add_bench_commands(commands)
    add_matching_commands(commands)

    export = commands.add_parser("export-schema", help="print the GraphQL schema (SDL)")
    export.add_argument("-o", "--output", help="write to this file instead of standard output")
    export.set_defaults(handler=export_schema)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        args.handler(args)
    except GraphCDPError as exc:
        print(f"graphcdp: {exc.message}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
