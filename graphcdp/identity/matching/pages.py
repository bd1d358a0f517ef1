"""The records matching works on (those with traits), read in key order one page at a time: what training
and rematching go through."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from graphcdp.model.matching import MatchingRecord
from graphcdp.store import GraphStore, statement

RECORDS_PAGE = statement("matching/records_page", MatchingRecord)


@dataclass(frozen=True)
class StoredRecord:
    key: str
    traits: dict[str, Any]
    identifiers: tuple[str, ...]  # linking identifier keys
    content_hash: str


async def record_pages(store: GraphStore, size: int) -> AsyncIterator[list[StoredRecord]]:
    after = ""
    while True:
        rows = sorted(await store.run(RECORDS_PAGE, {"after": after, "limit": size}), key=lambda r: r.key)
        if not rows:
            return
        yield [StoredRecord(r.key, r.traits, tuple(sorted(r.identifiers)), r.hash or "") for r in rows]
        if len(rows) < size:
            return
        after = rows[-1].key
