"""`graphcdp export person --id ID [-o FILE]`: a subject export (everything held about one person, as the
exportPerson query answers it; docs/privacy.md)."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from typing import Any

from graphcdp.auth.audit import CLI_ACTOR, AuditAction
from graphcdp.settings import Settings, load_settings


async def _export(settings: Settings, person_id: str) -> dict[str, Any]:
    from graphcdp.wiring import open_services

    async with open_services(settings) as services:
        exported = await services.privacy.export_person(person_id)
        await services.audit.record(CLI_ACTOR, AuditAction.PERSON_EXPORTED, person_id)
        return exported


def _write_private(path: str, text: str) -> None:
    """Only the owner may read the file: it holds a person's data."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)  # an existing file keeps its mode through O_CREAT
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        out.write(text)


def export_person(args: argparse.Namespace) -> None:
    settings = load_settings()
    logging.basicConfig(level=settings.log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    text = json.dumps(asyncio.run(_export(settings, args.id)), indent=2, ensure_ascii=False) + "\n"
    if args.output:
        _write_private(args.output, text)
    else:
        sys.stdout.write(text)


def add_commands(commands: Any) -> None:
    export = commands.add_parser("export", help="subject exports: everything held about a person")
    kinds = export.add_subparsers(dest="export", required=True)
    person = kinds.add_parser("person", help="a person's records, identifiers, touchpoints, consents... as JSON")
    person.add_argument("--id", required=True, help="the person's id (a retired id leads to its survivor)")
    person.add_argument("-o", "--output", help="write to this file (mode 0600) instead of standard output")
    person.set_defaults(handler=export_person)
