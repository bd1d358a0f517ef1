"""`graphcdp import`: bulk upsert of records or touchpoints from a JSON Lines or CSV file."""

from __future__ import annotations

import argparse
import asyncio
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graphcdp.errors import StartupError
from graphcdp.settings import Settings, load_settings

if TYPE_CHECKING:  # the importer is imported when a command runs: `graphcdp --help` stays fast
    from graphcdp.ingest.bulk import RecordSink


async def _import(settings: Settings, args: argparse.Namespace) -> str:
    from graphcdp.wiring import open_services

    async with open_services(settings) as services:
        sink: RecordSink[Any] = services.touchpoint_sink if args.touchpoints else services.identity
        report = await _import_into(sink, settings, args)
        if not args.dry_run:
            # A bulk write leaves FalkorDB's matrices holding its edges pending, and a service on the same
            # database would pay for them in each single write until they are merged (docs/performance.md,
            # "Writes slow down with every edge written"): one settle, whatever GRAPHCDP_SETTLE_AFTER_ITEMS says.
            await services.store.settle()
        return report


async def _import_remote(settings: Settings, args: argparse.Namespace) -> str:
    from graphcdp.ingest.remote import GraphQLEndpoint, RemoteRecordSink, RemoteTouchpointSink

    api_key = settings.api_key.get_secret_value() if settings.api_key else None
    endpoint = GraphQLEndpoint(args.url, api_key=api_key)
    sink = RemoteTouchpointSink(endpoint) if args.touchpoints else RemoteRecordSink(endpoint)
    return await _import_into(sink, settings, args)


async def _import_into(sink: RecordSink[Any], settings: Settings, args: argparse.Namespace) -> str:
    from graphcdp.ingest.bulk import format_report, import_file

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
    return format_report(report, "touchpoints" if args.touchpoints else "records")


def import_records(args: argparse.Namespace) -> None:
    settings = load_settings()
    logging.basicConfig(level=settings.log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    if args.touchpoints and (args.dry_run or args.format == "csv" or str(args.file).endswith(".csv")):
        raise StartupError("--touchpoints reads JSON Lines (one TouchpointInput object per line), without --dry-run")
    if args.url:  # the running service checks the batch size against its own limit
        print(asyncio.run(_import_remote(settings, args)))
        return
    if args.batch_size and args.batch_size > settings.max_batch_size:
        raise StartupError(
            f"--batch-size {args.batch_size} is above GRAPHCDP_MAX_BATCH_SIZE ({settings.max_batch_size})"
        )
    print(asyncio.run(_import(settings, args)))


def add_commands(commands: Any) -> None:
    bulk = commands.add_parser("import", help="bulk upsert records from a JSON Lines or CSV file (docs/bulk-import.md)")
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
    bulk.add_argument(
        "--url",
        metavar="URL",
        help="send the batches to a running graphcdp (its upsertRecords / trackTouchpoints mutations), e.g. "
        "http://127.0.0.1:8000/graphql, instead of opening the database: what to use while `graphcdp serve` runs "
        "(its API key from GRAPHCDP_API_KEY)",
    )
    bulk.set_defaults(handler=import_records)
