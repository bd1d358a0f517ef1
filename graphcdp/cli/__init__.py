"""The `graphcdp` command. One module per command group; each adds its subcommands to the parser."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from graphcdp import __version__
from graphcdp.cli import export, ingest, keys, matching, mcp, predict, repair, schema, serve, tooling
from graphcdp.errors import GraphCDPError

# In the order `graphcdp --help` lists them.
COMMAND_GROUPS = (serve, mcp, ingest, export, keys, tooling, matching, predict, repair, schema)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="graphcdp", description="Identity-graph service for customer data.")
    parser.add_argument("--version", action="version", version=f"graphcdp {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    for group in COMMAND_GROUPS:
        group.add_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    # A command of a package that is not installed takes any arguments, to say how to install it.
    if unknown and not getattr(args, "accepts_any_arguments", False):
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    try:
        args.handler(args)
    except GraphCDPError as exc:
        print(f"graphcdp: {exc.message}", file=sys.stderr)
        return 2
    return 0
