"""Start-up migrations: each brings a graph an older graphcdp wrote up to date by scanning all of it, and is
recorded as done on the graph (a `Migration` node), so only the first start of a new version pays for the scan.
A graph written by an older graphcdp after that (a rolling upgrade) is brought up to date by `graphcdp repair`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from graphcdp.clock import now_ms
from graphcdp.model.lifecycle import MigrationName
from graphcdp.store import GraphStore, statement

MIGRATIONS_DONE = statement("lifecycle/migrations_done", MigrationName)
RECORD_MIGRATIONS = statement("lifecycle/record_migrations", MigrationName)


async def migrations_done(store: GraphStore) -> set[str]:
    return {row.name for row in await store.run(MIGRATIONS_DONE, {})}


async def record_migration(store: GraphStore, name: str) -> None:
    await store.run(RECORD_MIGRATIONS, {"names": [name], "now": now_ms()})


async def migrate_once(
    store: GraphStore, name: str, migration: Callable[[], Awaitable[object]], done: set[str], *, again: bool = False
) -> None:
    """Run `migration` unless the graph has had it (`done`, read once per start) or `again` asks for it, then
    record it. A migration that fails is not recorded: the next start runs it again."""
    if name in done and not again:
        return
    await migration()
    if name not in done:
        await record_migration(store, name)
        done.add(name)
