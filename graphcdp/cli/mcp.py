"""`graphcdp mcp`: the MCP server for assistants over stdio (docs/mcp.md), as the key in GRAPHCDP_API_KEY.

It opens the configured database itself, like `graphcdp import`; the embedded database belongs to one process at a
time, so while `graphcdp serve` runs, point it at the service with `--url` (or connect the assistant to the
service's /mcp over HTTP). Standard output carries the protocol: logs go to standard error.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import logging
from typing import TYPE_CHECKING, Any

from graphcdp.auth.keys import UNAUTHENTICATED_ALL, Principal
from graphcdp.errors import ErrorCode, StartupError
from graphcdp.settings import AuthMode, Settings, load_settings

if TYPE_CHECKING:
    from graphcdp.wiring import Services


_HEAVY_IMPORTS = ("graphcdp.api.in_process", "graphcdp.mcp.tools")
NO_KEY = "set GRAPHCDP_API_KEY to an API key with scope profiles:read (graphcdp keys create, docs/mcp.md)"


async def _principal(services: Services) -> Principal | None:
    """The principal of GRAPHCDP_API_KEY, checked now: None when it is missing, unknown or revoked. With
    GRAPHCDP_AUTH=off, everything."""
    if services.settings.auth is AuthMode.OFF:
        return UNAUTHENTICATED_ALL
    key = services.settings.api_key
    return await services.keys.authenticate(key.get_secret_value()) if key else None


async def _serve_in_process(settings: Settings) -> None:
    from graphcdp.wiring import open_services

    # The schema and the SDK are imported while the database starts (a child process to wait for), not after.
    imports = asyncio.gather(*(asyncio.to_thread(importlib.import_module, name) for name in _HEAVY_IMPORTS))
    async with open_services(settings) as services:
        await imports
        from mcp.server.mcpserver import Context

        from graphcdp.api.in_process import InProcessGateway
        from graphcdp.mcp.tools import ToolRefusal, build_server

        if await _principal(services) is None:
            raise StartupError(f"graphcdp mcp has no valid API key: {NO_KEY}")

        async def gateway(ctx: Context) -> InProcessGateway:
            # Checked again at every call: a revoked key stops working within the key cache's lifetime, as over HTTP.
            principal = await _principal(services)
            if principal is None:
                raise ToolRefusal(ErrorCode.UNAUTHENTICATED, f"unknown or revoked API key: {NO_KEY}")
            return InProcessGateway(services, principal)

        await build_server(gateway).run_stdio_async()


async def _serve_remote(settings: Settings, url: str) -> None:
    from mcp.server.mcpserver import Context

    from graphcdp.mcp.gateway import RemoteGateway
    from graphcdp.mcp.tools import build_server

    remote = RemoteGateway(url, settings.api_key.get_secret_value() if settings.api_key else None)

    async def gateway(ctx: Context) -> RemoteGateway:
        return remote  # the service checks the key of every call

    try:
        await build_server(gateway).run_stdio_async()
    finally:
        await remote.aclose()


def mcp(args: argparse.Namespace) -> None:
    settings = load_settings()
    # Standard error only: standard output is the protocol. Warnings and up: a tool call is not news.
    logging.basicConfig(level="WARNING", format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve_remote(settings, args.url) if args.url else _serve_in_process(settings))


def add_commands(commands: Any) -> None:
    run = commands.add_parser(
        "mcp",
        help="the MCP server for assistants, over stdio, as GRAPHCDP_API_KEY (HTTP: /mcp of graphcdp serve)",
    )
    run.add_argument(
        "--url",
        help="a running graphcdp's GraphQL endpoint (http://host:8000/graphql) to query instead of opening the "
        "database here: for the embedded database while `graphcdp serve` runs",
    )
    run.set_defaults(handler=mcp)
