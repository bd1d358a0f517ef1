"""Commands other packages add to `graphcdp`: the benchmarks and the test-data generator live in the
graphcdp-bench package (bench/ in the repository), not in graphcdp's wheel.

An installed package registers a function `add_commands(subparsers)` under the entry point group
`graphcdp.commands`. The tooling commands graphcdp knows of stay listed without it: they print how to
install it and exit non-zero, rather than failing on an import.
"""

from __future__ import annotations

import argparse
import logging
from importlib.metadata import entry_points
from typing import Any

from graphcdp.errors import StartupError

ENTRY_POINTS = "graphcdp.commands"
# What graphcdp-bench adds, with what `graphcdp --help` says of each without it.
TOOLS = {
    "generate": "write a seeded, realistic test data set with ground truth",
    "bench": "benchmarks, as ratios against the raw database",
}
INSTALL = "pip install -e ./bench (in a graphcdp checkout; `make bench` does it)"

log = logging.getLogger(__name__)


def add_commands(commands: Any) -> None:
    for entry in entry_points(group=ENTRY_POINTS):
        try:
            add = entry.load()
        except ImportError as exc:  # installed, but broken: its commands fall back to the hint below
            log.warning("commands of %s not loaded: %s", entry.value, exc)
            continue
        add(commands)
    for name, what in TOOLS.items():
        if name not in commands.choices:
            missing = commands.add_parser(name, help=f"{what} (needs graphcdp-bench: {INSTALL})", add_help=False)
            missing.set_defaults(handler=_not_installed, accepts_any_arguments=True)


def _not_installed(args: argparse.Namespace) -> None:
    raise StartupError(f"`graphcdp {args.command}` needs the graphcdp-bench package: {INSTALL}")
