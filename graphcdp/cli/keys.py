"""`graphcdp keys create | list | revoke`: API keys, on the configured database (docs/api.md).

Like `graphcdp import`, these open the database themselves: on the embedded database, while `graphcdp serve`
runs, use the GraphQL mutations (createApiKey, apiKeys, revokeApiKey) with an admin key instead.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from datetime import UTC, datetime
from typing import Any

from graphcdp.auth.audit import CLI_ACTOR
from graphcdp.settings import Settings, load_settings


def _when(ms: int | None) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M:%SZ") if ms else "-"


async def _create(settings: Settings, args: argparse.Namespace) -> str:
    from graphcdp.wiring import open_services

    async with open_services(settings) as services:
        key = await services.keys.create(args.name, args.scopes.split(","), actor=CLI_ACTOR)
    return (
        f"created API key {key.name!r} with scopes {', '.join(key.scopes)}; its secret (shown only now):\n{key.secret}"
    )


async def _list(settings: Settings, args: argparse.Namespace) -> str:
    from graphcdp.wiring import open_services

    async with open_services(settings) as services:
        keys = await services.keys.list()
    lines = [f"{'name':<24} {'created':<21} {'revoked':<21} scopes"]
    lines += [
        f"{key.name:<24} {_when(key.created_at):<21} {_when(key.revoked_at):<21} {','.join(key.scopes)}" for key in keys
    ]
    return "\n".join(lines) if keys else "no API keys"


async def _revoke(settings: Settings, args: argparse.Namespace) -> str:
    from graphcdp.wiring import open_services

    async with open_services(settings) as services:
        key = await services.keys.revoke(args.name, actor=CLI_ACTOR)
    return (
        f"revoked API key {key.name!r} at {_when(key.revoked_at)}; running services refuse it within "
        f"{settings.key_cache_seconds:g} s (GRAPHCDP_KEY_CACHE_SECONDS)"
    )


def _run(args: argparse.Namespace) -> None:
    settings = load_settings()
    logging.basicConfig(level="WARNING", format="%(levelname)s %(name)s: %(message)s")
    print(asyncio.run(args.action(settings, args)))


def add_commands(commands: Any) -> None:
    keys = commands.add_parser("keys", help="API keys: create (prints the secret once), list, revoke")
    actions = keys.add_subparsers(dest="keys", required=True)
    create = actions.add_parser("create", help="a new key; its secret is printed once, only its hash is stored")
    create.add_argument("--name", required=True, help="unique name (letters, digits, . _ -); the audit trail shows it")
    create.add_argument(
        "--scopes",
        required=True,
        help="comma-separated: profiles:read, records:write, consent:write, review, segments:write, changes:read, "
        "privacy, admin",
    )
    create.set_defaults(handler=_run, action=_create)
    listing = actions.add_parser("list", help="every key: name, created, revoked, scopes (never a secret)")
    listing.set_defaults(handler=_run, action=_list)
    revoke = actions.add_parser("revoke", help="the key stops working")
    revoke.add_argument("name", help="the key's name")
    revoke.set_defaults(handler=_run, action=_revoke)
