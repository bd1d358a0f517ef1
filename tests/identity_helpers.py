"""Helpers for identity tests: build record items and read back the partition of records into persons."""

from __future__ import annotations

from typing import Any

from graphcdp.model.identity import RecordInput
from graphcdp.store import GraphStore
from graphcdp.store.cypher import Query, StatementName

RECORD_CLUSTERS = Query(StatementName("test/record_clusters"), dict)


def rec_item(source: str, source_id: str, at: int, *ids: tuple[str, str], **traits: Any) -> dict[str, Any]:
    """A record as a connector sends it (GraphQL variables, a JSON line)."""
    return {
        "source": source,
        "sourceId": source_id,
        "observedAt": at,
        "identifiers": [{"type": t, "value": v} for t, v in ids],
        "traits": traits or None,
    }


def rec(source: str, source_id: str, at: int, *ids: tuple[str, str], **traits: Any) -> RecordInput:
    """The same record as the identity service takes it."""
    return RecordInput.model_validate(rec_item(source, source_id, at, *ids, **traits))


async def partition(store: GraphStore) -> set[frozenset[str]]:
    """Records grouped by person: what 'the same clusters' means, whatever the person ids are."""
    groups: dict[str, set[str]] = {}
    for row in await store.run(RECORD_CLUSTERS, {}):
        assert row["person"], f"record {row['record']} belongs to no person"
        groups.setdefault(row["person"], set()).add(row["record"])
    return {frozenset(g) for g in groups.values()}
