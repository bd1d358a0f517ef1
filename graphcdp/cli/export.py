"""`graphcdp export person --id ID [-o FILE]`: a subject export (everything held about one person, as the
exportPerson query answers it; docs/privacy.md). `graphcdp export segment KEY`: a segment's members as JSON lines
or CSV, consent-filtered (docs/segments.md#exporting)."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from typing import Any, TextIO

from graphcdp.auth.audit import CLI_ACTOR, AuditAction
from graphcdp.errors import ConfigurationError
from graphcdp.settings import Settings, load_settings


async def _export(settings: Settings, person_id: str) -> dict[str, Any]:
    from graphcdp.wiring import open_services

    async with open_services(settings) as services:
        exported = await services.privacy.export_person(person_id)
        await services.audit.record(CLI_ACTOR, AuditAction.PERSON_EXPORTED, person_id)
        return exported


def _open_private(path: str) -> TextIO:
    """A file only the owner may read: it holds personal data."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)  # an existing file keeps its mode through O_CREAT
    return os.fdopen(descriptor, "w", encoding="utf-8", newline="")


def _write_private(path: str, text: str) -> None:
    with _open_private(path) as out:
        out.write(text)


def export_person(args: argparse.Namespace) -> None:
    settings = load_settings()
    logging.basicConfig(level=settings.log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    text = json.dumps(asyncio.run(_export(settings, args.id)), indent=2, ensure_ascii=False) + "\n"
    if args.output:
        _write_private(args.output, text)
    else:
        sys.stdout.write(text)


def _consent_rule(args: argparse.Namespace) -> Any:
    from graphcdp.webhooks.consent import ConsentRule

    if args.channel and not args.purpose:
        raise ConfigurationError("--channel needs --purpose (consent is given per purpose)")
    if not args.purpose:
        return None
    return ConsentRule(args.purpose.strip().lower(), args.channel.strip().lower() if args.channel else None)


async def _export_segment(settings: Settings, args: argparse.Namespace, out: TextIO) -> Any:
    from tqdm import tqdm  # type: ignore[import-untyped]

    from graphcdp.exports.segment import ExportFields, ExportProgress, member_writer, segment_members
    from graphcdp.wiring import open_services

    rule = _consent_rule(args)
    async with open_services(settings) as services:
        fields = ExportFields.parse(args.fields, services.identity.policy.types)
        writer = member_writer(args.format, out, fields)
        # On standard error, and only on a terminal (disable=None), like `graphcdp import`'s.
        with tqdm(
            desc=f"export {args.key}", unit="person", file=sys.stderr, disable=True if args.quiet else None
        ) as bar:
            progress = ExportProgress(started=lambda total: setattr(bar, "total", total), read=bar.update)
            async for member in segment_members(
                services.segments, args.key, fields=fields, consent=rule, progress=progress
            ):
                writer.write(member)
        await services.audit.record(CLI_ACTOR, AuditAction.SEGMENT_EXPORTED, args.key)
        return progress


def export_segment(args: argparse.Namespace) -> None:
    settings = load_settings()
    logging.basicConfig(level=settings.log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    if args.format == "csv" and args.fields is None:
        raise ConfigurationError("--format csv needs --fields (its columns): golden trait keys, identifier types")
    out = _open_private(args.output) if args.output else sys.stdout
    try:
        progress = asyncio.run(_export_segment(settings, args, out))
    finally:
        if args.output:
            out.close()
    passed = f", {progress.suppressed:,} passed over without GRANTED consent for {args.purpose}" if args.purpose else ""
    print(f"exported {progress.exported:,} of the {progress.members:,} members of {args.key}{passed}", file=sys.stderr)


def add_commands(commands: Any) -> None:
    export = commands.add_parser("export", help="subject exports (everything held about a person) and segment exports")
    kinds = export.add_subparsers(dest="export", required=True)
    person = kinds.add_parser("person", help="a person's records, identifiers, touchpoints, consents... as JSON")
    person.add_argument("--id", required=True, help="the person's id (a retired id leads to its survivor)")
    person.add_argument("-o", "--output", help="write to this file (mode 0600) instead of standard output")
    person.set_defaults(handler=export_person)
    segment = kinds.add_parser(
        "segment", help="a segment's members with golden traits and identifiers, as JSON lines or CSV, consent-filtered"
    )
    segment.add_argument("key", help="the segment's key")
    segment.add_argument("--format", choices=["jsonl", "csv"], default="jsonl", help="jsonl (default) or csv")
    segment.add_argument(
        "--fields",
        help="comma-separated golden trait keys and identifier types (email, phone, ...), e.g. name,email; "
        "default (jsonl): every trait and identifier; csv needs it (its columns)",
    )
    segment.add_argument("--purpose", help="only members whose consent in force for this purpose is GRANTED")
    segment.add_argument("--channel", help="with --purpose: for this channel (default: granted on some channel)")
    segment.add_argument("-o", "--output", help="write to this file (mode 0600) instead of standard output")
    segment.add_argument("--quiet", action="store_true", help="no progress bar")
    segment.set_defaults(handler=export_segment)
