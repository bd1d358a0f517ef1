"""`graphcdp export-schema`: the GraphQL schema (SDL) the code defines."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def export_schema(args: argparse.Namespace) -> None:
    from graphcdp.api.schema import export_sdl

    sdl = export_sdl()
    if args.output:
        Path(args.output).write_text(sdl, encoding="utf-8")
    else:
        sys.stdout.write(sdl)


def add_commands(commands: Any) -> None:
    export = commands.add_parser("export-schema", help="print the GraphQL schema (SDL)")
    export.add_argument("-o", "--output", help="write to this file instead of standard output")
    export.set_defaults(handler=export_schema)
