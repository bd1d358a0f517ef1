"""The graph's schema: uniqueness keys of the model (docs/architecture.md), and waiting until its indexes are built.

Neo4j creates the keys from cypher/neo4j/schema/; FalkorDB indexes them from cypher/falkordb/schema/ and
then adds its own uniqueness constraint, which is a database command rather than Cypher.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

from graphcdp.errors import StartupError
from graphcdp.model.health import IndexState
from graphcdp.store.cypher import statement

if TYPE_CHECKING:
    from graphcdp.store.base import GraphStore

UNIQUE_KEYS: tuple[tuple[str, str], ...] = (
    ("Identifier", "key"),
    ("Record", "key"),
    ("Person", "id"),
    ("Touchpoint", "id"),
    ("Consent", "id"),
    ("MatchKey", "key"),
    ("MatchModel", "version"),
    ("Tombstone", "hash"),
    ("TombstoneSalt", "name"),
    ("ApiKey", "name"),
    ("AuditEntry", "id"),
    ("Change", "sequence"),
    ("ChangeFeed", "id"),
    ("Destination", "id"),
    ("Delivery", "id"),
    ("Segment", "key"),
)

INDEX_STATES = statement("system/index_states", IndexState)
# Both databases build indexes (FalkorDB also uniqueness constraints) in the background: over a million
# persons, minutes.
INDEX_BUILD_MAX_WAIT = 600.0


async def wait_for_indexes(store: GraphStore, built: str, max_wait: float = INDEX_BUILD_MAX_WAIT) -> None:
    """Return once every index reports the status `built`. An index still filling answers with what it holds
    so far (a full-text search finds nobody), so a service must not answer ready before."""
    deadline = time.monotonic() + max_wait
    pause = 0.02
    while True:
        pending = [row for row in await store.run(INDEX_STATES) if row.status != built]
        if not pending:
            return
        states = ", ".join(f"{row.name}: {row.status}" for row in pending)
        if any("FAIL" in row.status.upper() for row in pending):
            raise StartupError(f"{store.backend} could not build an index ({states})")
        if time.monotonic() >= deadline:
            raise StartupError(f"{store.backend} did not build its indexes within {max_wait:g} s ({states})")
        await asyncio.sleep(pause)
        pause = min(pause * 2, 0.5)
