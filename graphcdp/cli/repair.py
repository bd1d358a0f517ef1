"""`graphcdp repair`: every start-up migration and crash repair now, whatever the graph records as done.

A start runs them only when needed (graphcdp/identity/startup.py): a migration once per graph, the crash repairs
after a run that ended without finishing its writes. This command is for a graph an older graphcdp wrote to after
a newer one had migrated it (a rolling upgrade), or a graph restored from a backup taken mid-write.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from typing import Any

from graphcdp.identity.startup import StartUpReport
from graphcdp.settings import Settings, load_settings


async def _repair(settings: Settings) -> StartUpReport:
    from graphcdp.wiring import open_services

    async with open_services(settings, repair=True) as services:
        return services.identity.startup.report


def describe(report: StartUpReport) -> str:
    return (
        f"resolved {report.resolved:,} records stored without a person, emptied {report.emptied:,} persons without "
        f"a record, re-keyed {report.rekeyed:,} records, ranked {report.ranked:,} review queue entries; segment "
        "facets filled where missing"
    )


def repair(args: argparse.Namespace) -> None:
    settings = load_settings()
    logging.basicConfig(level=settings.log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    print(describe(asyncio.run(_repair(settings))))


def add_commands(commands: Any) -> None:
    command = commands.add_parser(
        "repair", help="run every start-up migration and crash repair now (a start runs them only when needed)"
    )
    command.set_defaults(handler=repair)
