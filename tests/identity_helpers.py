"""Helpers for identity tests: build record items and read back the partition of records into persons."""

from __future__ import annotations

from typing import Any

from graphcdp.model.identity import RecordInput
from graphcdp.store import GraphStore
from graphcdp.store.cypher import Query, StatementName

RECORD_CLUSTERS = Query(StatementName("test/record_clusters"), dict)


def rec(source: str, source_id: str, at: int, *ids: tuple[str, str], **traits: Any) -> RecordInput:
    return RecordInput.model_validate(
        {
            "source": source,
            "sourceId": source_id,
            "observedAt": at,
            "identifiers": [{"type": t, "value": v} for t, v in ids],
            "traits": traits or None,
        }
    )


async def partition(store: GraphStore) -> set[frozenset[str]]:
    """Records grouped by person: what 'the same clusters' means, whatever the person ids are."""
    groups: dict[str, set[str]] = {}
    for row in await store.run(RECORD_CLUSTERS, {}):
        assert row["person"], f"record {row['record']} belongs to no person"
        groups.setdefault(row["person"], set()).add(row["record"])
    return {frozenset(g) for g in groups.values()}
