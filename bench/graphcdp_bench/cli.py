"""`graphcdp generate` and `graphcdp bench …`, added to the `graphcdp` command when this package is installed
(entry point group `graphcdp.commands` in bench/pyproject.toml). Heavy imports wait for the handlers."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import shutil
from pathlib import Path
from typing import Any

from graphcdp.errors import StartupError
from graphcdp.settings import Settings, load_settings

# Ingest benchmark batches: at 100k people touchpoints import at 1,150/s in batches of 5,000, 894/s of 1,000.
BENCH_BATCH = 5000


def generate(args: argparse.Namespace) -> None:
    import time

    from graphcdp_bench.datagen import GeneratorConfig, write_dataset

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
    logging.getLogger("httpx2").setLevel(logging.WARNING)  # the MCP SDK's client (bench mcp)
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
    from graphcdp_bench.run import ingest_table, run_ingest
    from graphcdp_bench.suite import write_result

    settings = _bench_settings()
    data = Path(args.data) if args.data else None
    keep = Path(args.keep) if args.keep else None
    result = asyncio.run(
        run_ingest(settings, people=args.people, seed=args.seed, data=data, batch_size=args.batch_size, keep=keep)
    )
    print(ingest_table(result))
    print(f"results in {write_result(Path(args.out), 'ingest', result)}")


def bench_all(args: argparse.Namespace) -> None:
    from graphcdp_bench.suite import SuiteConfig, run_suite

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
    from graphcdp_bench.lookup import lookup_table, run_lookup
    from graphcdp_bench.suite import run_on_kept_graph, run_on_seeded_graph, write_result
    from graphcdp_bench.upsert_latency import run_upsert_latency, upsert_table

    clients = _counts(args.clients, "--clients", "client counts")
    settings = _bench_settings()

    async def measure(url: str, graph: str) -> dict[str, Any]:
        if args.bench == "lookup":
            return await run_lookup(
                url,
                graph,
                clients=clients,
                queries=args.requests,
                seed=args.seed,
                workers=args.workers,
                generator=args.generator,
                seconds=args.seconds,
            )
        return await run_upsert_latency(
            url,
            graph,
            clients=clients,
            upserts=args.requests,
            seed=args.seed,
            matching=settings.matching,
            workers=args.workers,
            generator=args.generator,
            seconds=args.seconds,
            ungrouped=args.ungrouped,
            anatomy=args.anatomy,
        )

    if args.database:
        result = asyncio.run(run_on_kept_graph(settings, Path(args.database), measure=measure))
    else:
        result = asyncio.run(
            run_on_seeded_graph(settings, people=args.people, seed=args.seed, work=Path(args.work), measure=measure)
        )
    print(lookup_table(result) if args.bench == "lookup" else upsert_table(result))
    print(f"results in {write_result(Path(args.out), args.bench, result)}")


def bench_mcp(args: argparse.Namespace) -> None:
    from graphcdp_bench.mcp_tools import mcp_table, run_mcp
    from graphcdp_bench.suite import run_on_seeded_graph, write_result

    clients = _counts(args.clients, "--clients", "client counts")

    async def measure(url: str, graph: str) -> dict[str, Any]:
        return await run_mcp(url, graph, clients=clients, calls=args.calls, seed=args.seed)

    settings = _bench_settings()
    result = asyncio.run(
        run_on_seeded_graph(settings, people=args.people, seed=args.seed, work=Path(args.work), measure=measure)
    )
    print(mcp_table(result))
    print(f"results in {write_result(Path(args.out), 'mcp', result)}")


def bench_scaling(args: argparse.Namespace) -> None:
    from graphcdp_bench.graphs import bench_server
    from graphcdp_bench.plots import plot_scaling
    from graphcdp_bench.scaling import run_scaling, scaling_table
    from graphcdp_bench.suite import write_result

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
        server = bench_server(database, settings, rewrite_aof=False)
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


def _keep_server_log(server: Any, to: Path) -> None:
    """The database directory goes when a run ends; when the run failed, the server's log says why."""
    with contextlib.suppress(OSError):
        shutil.copyfile(server.log_path, to)
        print(f"the database's log is kept in {to}", flush=True)


def bench_segments(args: argparse.Namespace) -> None:
    from graphcdp_bench.graphs import bench_server
    from graphcdp_bench.segments import run_segments, segments_table
    from graphcdp_bench.suite import write_result

    settings = _bench_settings()
    work = Path(args.work)

    async def measure() -> dict[str, Any]:
        database = work / "falkordb-segments"
        shutil.rmtree(database, ignore_errors=True)
        server = bench_server(database, settings, rewrite_aof=False)
        await server.start()
        try:
            return await run_segments(
                settings,
                server,
                work,
                people=args.people,
                seed=args.seed,
                upserts=args.upserts,
                lookups=args.lookups,
                settle=args.settle,
            )
        except BaseException:
            _keep_server_log(server, work / "falkordb-segments-failed.log")
            raise
        finally:
            await server.stop()
            shutil.rmtree(database, ignore_errors=True)

    result = asyncio.run(measure())
    print(segments_table(result))
    print(f"results in {write_result(Path(args.out), 'segments', result)}")


def bench_predict(args: argparse.Namespace) -> None:
    from graphcdp_bench.graphs import bench_server
    from graphcdp_bench.predict import evaluate, holdout_table, on_graph
    from graphcdp_bench.suite import write_result

    settings = _bench_settings()
    work = Path(args.work)
    result = evaluate(args.people, args.seed, settings)

    async def measure() -> dict[str, Any]:
        database = work / "falkordb-predict"
        shutil.rmtree(database, ignore_errors=True)
        server = bench_server(database, settings, rewrite_aof=False)
        await server.start()
        try:
            return await on_graph(settings, server.url, args.graph_people, args.seed, work / "predict-data")
        finally:
            await server.stop()
            shutil.rmtree(database, ignore_errors=True)

    if args.graph_people:
        result.graph = asyncio.run(measure())
    print(holdout_table(result))
    print(f"results in {write_result(Path(args.out), 'predict', result.to_dict())}")


def bench_plot(args: argparse.Namespace) -> None:
    from graphcdp_bench.plots import plot_latency, plot_scaling

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
    from graphcdp_bench.febrl import febrl_table
    from graphcdp_bench.febrl_run import run_febrl_sets
    from graphcdp_bench.suite import write_result

    settings = _bench_settings()
    sets = [name.strip().lower() for name in args.sets.split(",") if name.strip()]
    result = asyncio.run(run_febrl_sets(settings, Path(args.work), sets, splink=not args.no_splink))
    for name in sets:
        print(febrl_table(result[name]))
    print(f"results in {write_result(Path(args.out), 'febrl', result)}")


def bench_webhooks(args: argparse.Namespace) -> None:
    from graphcdp_bench.suite import write_result
    from graphcdp_bench.webhooks import run_webhooks, webhooks_table

    result = asyncio.run(run_webhooks(_bench_settings(), Path(args.work), args.events))
    print(webhooks_table(result))
    print(f"written: {write_result(Path(args.out), 'webhooks', result)}")


def bench_feed(args: argparse.Namespace) -> None:
    from graphcdp_bench.feed import feed_table, run_feed
    from graphcdp_bench.suite import write_result

    work = Path(args.work)
    result = asyncio.run(
        run_feed(
            _bench_settings(),
            work,
            people=args.people,
            upserts=args.upserts,
            subscriptions=args.subscriptions,
            seed=args.seed,
        )
    )
    print(feed_table(result))
    print(f"results in {write_result(Path(args.out), 'feed', result)}")


def bench_explorer(args: argparse.Namespace) -> None:
    from graphcdp_bench.explorer import explorer_table, run_explorer
    from graphcdp_bench.suite import write_result

    if args.records < 1 or args.loads < 1:
        raise StartupError("--records and --loads must be at least 1")
    result = asyncio.run(run_explorer(_bench_settings(), Path(args.work), records=args.records, loads=args.loads))
    print(explorer_table(result))
    print(f"results in {write_result(Path(args.out), 'explorer', result)}")


def _add_explorer_bench(benches: Any, results: str, work_help: str) -> None:
    explorer = benches.add_parser(
        "explorer", help="/explorer in headless Chromium: first paint, a 200-node identity graph drawn"
    )
    explorer.add_argument("--records", type=int, default=99, help="records of the person (default 99: 200 nodes)")
    explorer.add_argument("--loads", type=int, default=7, help="page loads measured (default 7)")
    explorer.add_argument("--out", default=results, help=f"results directory (default {results})")
    explorer.add_argument("--work", default="bench/work", help=work_help)
    explorer.set_defaults(handler=bench_explorer)


def _add_feed_bench(benches: Any, results: str, work_help: str) -> None:
    feed = benches.add_parser(
        "feed", help="change feed: write cost per upsert (events vs none), subscription latency over websocket"
    )
    feed.add_argument("--people", type=int, default=2000, help="persons in the graph first (default 2,000)")
    feed.add_argument("--upserts", type=int, default=500, help="in-process upserts per side (default 500)")
    feed.add_argument(
        "--subscriptions", type=int, default=500, help="upserts over HTTP awaited on the websocket (default 500)"
    )
    feed.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    feed.add_argument("--out", default=results, help=f"results directory (default {results})")
    feed.add_argument("--work", default="bench/work", help=work_help)
    feed.set_defaults(handler=bench_feed)


def _add_webhooks_bench(benches: Any, results: str, work_help: str) -> None:
    webhooks = benches.add_parser("webhooks", help="webhook deliveries per second to a local receiver vs raw POSTs")
    webhooks.add_argument("--events", type=int, default=5000, help="events to deliver (default 5,000)")
    webhooks.add_argument("--out", default=results, help=f"results directory (default {results})")
    webhooks.add_argument("--work", default="bench/work", help=work_help)
    webhooks.set_defaults(handler=bench_webhooks)


def add_commands(commands: Any) -> None:
    _add_generate(commands)
    _add_bench(commands)


def _add_generate(commands: Any) -> None:
    gen = commands.add_parser(
        "generate", help="write a seeded, realistic test data set with ground truth (docs/test-data.md)"
    )
    gen.add_argument("--people", type=int, required=True, help="number of true people (1,000 to 1,000,000)")
    gen.add_argument("--seed", type=int, default=1, help="random seed; the same seed writes the same files (default 1)")
    gen.add_argument("--out", default="generated", help="output directory (default: ./generated)")
    gen.add_argument(
        "--touchpoints-per-person", type=float, default=5.0, help="mean touchpoints per person (default 5)"
    )
    gen.add_argument("--no-touchpoints", action="store_true", help="records only (touchpoints.jsonl stays empty)")
    gen.set_defaults(handler=generate)


def _add_bench(commands: Any) -> None:
    bench = commands.add_parser("bench", help="benchmarks, as ratios against the raw database (bench/README.md)")
    benches = bench.add_subparsers(dest="bench", required=True)
    results = "bench/results"
    work_help = "where generated data sets (reused) and the benchmark database go (default bench/work)"

    _add_all_bench(benches, results, work_help)

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
        http.add_argument(
            "--workers",
            type=int,
            default=1,
            help="also through `serve --workers N`, in the same run (default 1: not)",
        )
        http.add_argument(
            "--generator",
            choices=("python", "wrk"),
            default="python",
            help="graphcdp's side asked by the Python clients (--requests per level) or by wrk (--seconds per "
            "level; Debian package wrk), whose own CPU stays out of the figures (default python)",
        )
        http.add_argument(
            "--seconds", type=float, default=10.0, help="seconds per level with --generator wrk (default 10)"
        )
        if name == "upsert":
            http.add_argument(
                "--ungrouped",
                action="store_true",
                help="also through one process writing every request on its own (GRAPHCDP_UPSERT_GROUP_RECORDS=1), "
                "level by level in the same run",
            )
            http.add_argument(
                "--anatomy",
                action="store_true",
                help="the service logs every request with the statements it sent (GRAPHCDP_SLOW_REQUEST_MS=0); "
                "says where each level's timed requests spent their time",
            )
        http.set_defaults(handler=bench_http, ungrouped=False, anatomy=False)

    scaling = benches.add_parser("scaling", help="per-operation cost and memory per person as the graph grows")
    scaling.add_argument("--sizes", default="10000,100000,1000000", help="people per size (10000,100000,1000000)")
    scaling.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    scaling.add_argument("--probes", type=int, default=500, help="upserts and lookups per size (default 500)")
    scaling.add_argument("--out", default=results, help=f"results directory (default {results})")
    scaling.add_argument("--work", default="bench/work", help=work_help)
    scaling.set_defaults(handler=bench_scaling)

    _add_febrl_bench(benches, results, work_help)
    _add_segments_bench(benches, results, work_help)
    _add_settle_bench(benches, results, work_help)
    _add_start_bench(benches, results)
    _add_predict_bench(benches, results, work_help)
    _add_webhooks_bench(benches, results, work_help)
    _add_feed_bench(benches, results, work_help)
    _add_explorer_bench(benches, results, work_help)
    _add_mcp_bench(benches, results, work_help)

    plot = benches.add_parser("plot", help="draw the PNG plots again from the JSON results")
    plot.add_argument("--out", default=results, help=f"results directory (default {results})")
    plot.set_defaults(handler=bench_plot)


def _add_all_bench(benches: Any, results: str, work_help: str) -> None:
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


def _add_mcp_bench(benches: Any, results: str, work_help: str) -> None:
    mcp = benches.add_parser(
        "mcp", help="MCP tool calls (get_customer_context over /mcp) beside the same GraphQL query and raw Cypher"
    )
    mcp.add_argument("--people", type=int, default=10_000, help="people in the seeded graph (default 10,000)")
    mcp.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    mcp.add_argument("--clients", default="1,8", help="concurrent client counts (1,8)")
    mcp.add_argument("--calls", type=int, default=1000, help="calls per client count on each side (default 1,000)")
    mcp.add_argument("--out", default=results, help=f"results directory (default {results})")
    mcp.add_argument("--work", default="bench/work", help=work_help)
    mcp.set_defaults(handler=bench_mcp)


def _add_febrl_bench(benches: Any, results: str, work_help: str) -> None:
    febrl = benches.add_parser(
        "febrl",
        help="probabilistic matching quality on FEBRL3/FEBRL4 beside Splink (needs bench/requirements-linkage.txt)",
    )
    febrl.add_argument(
        "--sets",
        default="febrl3,febrl4",
        help="FEBRL sets (default febrl3,febrl4); `census` or `census:N` for the generated person-register set "
        "of N people (census, social security and tax records; default 10,000)",
    )
    febrl.add_argument("--no-splink", action="store_true", help="graphcdp only")
    febrl.add_argument("--out", default=results, help=f"results directory (default {results})")
    febrl.add_argument("--work", default="bench/work", help=work_help)
    febrl.set_defaults(handler=bench_febrl)


def _add_predict_bench(benches: Any, results: str, work_help: str) -> None:
    predict = benches.add_parser(
        "predict", help="BG/NBD and Gamma-Gamma on simulated purchases: recovery, holdout error, fit on a graph"
    )
    predict.add_argument("--people", type=int, default=100_000, help="simulated customers fitted (default 100,000)")
    predict.add_argument(
        "--graph-people", type=int, default=10_000, help="people seeded into a graph and trained on (0: none; 10,000)"
    )
    predict.add_argument("--seed", type=int, default=7, help="simulation seed (default 7)")
    predict.add_argument("--out", default=results, help=f"results directory (default {results})")
    predict.add_argument("--work", default="bench/work", help=work_help)
    predict.set_defaults(handler=bench_predict)


def bench_settle(args: argparse.Namespace) -> None:
    from graphcdp_bench.graphs import bench_server
    from graphcdp_bench.settle import run_settle, settle_table
    from graphcdp_bench.suite import write_result

    settings = _bench_settings()
    work = Path(args.work)

    async def measure() -> dict[str, Any]:
        database = work / "falkordb-settle"
        shutil.rmtree(database, ignore_errors=True)
        server = bench_server(database, settings, rewrite_aof=False)
        await server.start()
        try:
            return await run_settle(
                settings,
                server,
                work,
                people=args.people,
                seed=args.seed,
                probes=args.probes,
                batch=args.batch,
                batches=args.batches,
            )
        finally:
            await server.stop()
            shutil.rmtree(database, ignore_errors=True)

    result = asyncio.run(measure())
    print(settle_table(result))
    print(f"results in {write_result(Path(args.out), 'settle', result)}")


def bench_start(args: argparse.Namespace) -> None:
    from graphcdp_bench.startup import run_startup, startup_table
    from graphcdp_bench.suite import write_result

    result = asyncio.run(run_startup(_bench_settings(), Path(args.database)))
    print(startup_table(result))
    print(f"results in {write_result(Path(args.out), 'start', result)}")


def _add_start_bench(benches: Any, results: str) -> None:
    start = benches.add_parser(
        "start", help="graphcdp's start on a kept graph (repairs forced, clean, after a kill) beside the database load"
    )
    start.add_argument("--database", metavar="DIR", required=True, help="the graph `bench ingest --keep DIR` built")
    start.add_argument("--out", default=results, help=f"results directory (default {results})")
    start.set_defaults(handler=bench_start)


def _add_settle_bench(benches: Any, results: str, work_help: str) -> None:
    settle = benches.add_parser("settle", help="single upserts right after a bulk load, settled or not, beside raw")
    settle.add_argument("--people", type=int, default=10_000, help="people in the seeded graph (default 10,000)")
    settle.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    settle.add_argument("--probes", type=int, default=60, help="single upserts (and raw writes) per phase (60)")
    settle.add_argument("--batch", type=int, default=1000, help="records in each bulk batch (1,000)")
    settle.add_argument("--batches", type=int, default=5, help="bulk batches per phase (5)")
    settle.add_argument("--out", default=results, help=f"results directory (default {results})")
    settle.add_argument("--work", default="bench/work", help=work_help)
    settle.set_defaults(handler=bench_settle)


def _add_segments_bench(benches: Any, results: str, work_help: str) -> None:
    segments = benches.add_parser(
        "segments", help="20 segments: full evaluation beside raw Cypher, upsert and context cost with segments"
    )
    segments.add_argument("--people", type=int, default=10_000, help="people in the seeded graph (default 10,000)")
    segments.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    segments.add_argument("--upserts", type=int, default=200, help="single upserts without and with segments (200)")
    segments.add_argument("--lookups", type=int, default=500, help="context lookups with and without segments (500)")
    segments.add_argument(
        "--settle",
        action="store_true",
        help="settle the graph after seeding (GraphStore.settle), as GRAPHCDP_SETTLE_AFTER_ITEMS does",
    )
    segments.add_argument("--out", default=results, help=f"results directory (default {results})")
    segments.add_argument("--work", default="bench/work", help=work_help)
    segments.set_defaults(handler=bench_segments)
