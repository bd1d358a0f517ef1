"""Journeys: a person's touchpoints across all of her identifiers, newest first, one page at a time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from graphcdp.model.profiles import JourneyPage, JourneyRow
from graphcdp.store import GraphStore, statement

JOURNEY = statement("profiles/journey", JourneyRow)
END_OF_TIME = 2**62  # later than any epoch-ms timestamp


@dataclass(frozen=True)
class JourneyQuery:
    """One page request; hashable, so equal requests in one GraphQL request share one database row."""

    person: str
    first: int
    after: tuple[int, str] | None = None  # keyset cursor: (occurredAt, id) of the last touchpoint seen
    types: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    from_ms: int = -END_OF_TIME
    to_ms: int = END_OF_TIME


async def journey_pages(store: GraphStore, queries: Sequence[JourneyQuery]) -> list[JourneyPage]:
    """Pages for several queries in one database round trip (the DataLoader's batch function)."""
    keyed = {str(n): q for n, q in enumerate(queries)}
    requests = [
        {
            "key": key,
            "person": q.person,
            "types": [t.strip().lower() for t in q.types],
            "channels": [c.strip().lower() for c in q.channels],
            "from": q.from_ms,
            "to": q.to_ms,
            "beforeAt": q.after[0] if q.after else END_OF_TIME,
            "beforeId": q.after[1] if q.after else "",
            "limit": q.first + 1,  # one more than asked says whether there is a next page
        }
        for key, q in keyed.items()
    ]
    rows = {row.key: row for row in await store.run(JOURNEY, {"requests": requests})}
    pages = []
    for key, query in keyed.items():
        row = rows.get(key)
        found = row.page if row else []
        pages.append(
            JourneyPage(
                touchpoints=found[: query.first], total=row.total if row else 0, has_next=len(found) > query.first
            )
        )
    return pages
