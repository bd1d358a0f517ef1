"""Segment nodes and memberships as stored: the fixed statements of cypher/segments/."""

from __future__ import annotations

from collections.abc import Sequence

from graphcdp.explore.search import PERSONS_BY_IDS
from graphcdp.model.feed import ChangeKind, change_for_statement
from graphcdp.model.identity import Membership, Person
from graphcdp.model.segments import (
    MemberPage,
    RemovedMemberships,
    SegmentSize,
    SegmentsVersion,
    StoredSegment,
)
from graphcdp.store import GraphStore, statement

SAVE_SEGMENT = statement("segments/save_segment", StoredSegment)
DELETE_SEGMENT = statement("segments/delete_segment", RemovedMemberships)
SEGMENTS = statement("segments/segments", StoredSegment)
SEGMENTS_VERSION = statement("segments/segments_version", SegmentsVersion)
SEGMENTS_BY_KEY = statement("segments/segments_by_key", StoredSegment)
SEGMENT_SIZES = statement("segments/segment_sizes", SegmentSize)
MEMBERS_PAGE = statement("segments/members_page", Person)
MEMBERSHIPS = statement("segments/memberships", Membership)


class SegmentStore:
    def __init__(self, store: GraphStore) -> None:
        self.store = store

    async def save(
        self,
        segment: StoredSegment,
        now: int,
    ) -> StoredSegment:
        params = {
            "key": segment.key,
            "name": segment.name,
            "description": segment.description,
            "definition": segment.definition,
            "fingerprint": segment.fingerprint,
            "dependencies": segment.dependencies,
            "references": segment.references,
            "timeDependent": segment.time_dependent,
            "now": now,
        }
        return (await self.store.run(SAVE_SEGMENT, params))[0]

    async def delete(self, key: str, now: int) -> bool:
        """Remove the segment, its memberships and (in the same statement) append the members' SEGMENT_EXITED."""
        change = change_for_statement(ChangeKind.SEGMENT_EXITED, {"segment": key})
        rows = await self.store.run(DELETE_SEGMENT, {"key": key, "now": now, "change": change})
        return bool(rows and rows[0].removed)

    async def version(self) -> tuple[int, int]:
        """(created, version) of the stored segments; (0, 0) before the first save."""
        rows = await self.store.run(SEGMENTS_VERSION)
        return (rows[0].created, rows[0].version) if rows else (0, 0)

    async def all(self) -> list[StoredSegment]:
        return await self.store.run(SEGMENTS)

    async def by_key(self, keys: Sequence[str]) -> list[StoredSegment | None]:
        found = {row.key: row for row in await self.store.run(SEGMENTS_BY_KEY, {"keys": list(keys)})}
        return [found.get(key) for key in keys]

    async def sizes(self, keys: Sequence[str]) -> list[int]:
        found = {row.key: row.size for row in await self.store.run(SEGMENT_SIZES, {"keys": list(keys)})}
        return [found.get(key, 0) for key in keys]

    async def members(self, key: str, first: int, after: str) -> MemberPage:
        rows = await self.store.run(MEMBERS_PAGE, {"key": key, "after": after, "limit": first + 1})
        (total,) = await self.sizes([key])
        members = rows[:first]
        return MemberPage(members=members, total=total, has_next=len(rows) > first, scanned=len(members))

    async def memberships(self, persons: Sequence[str]) -> list[list[Membership]]:
        found: dict[str, list[Membership]] = {}
        for row in await self.store.run(MEMBERSHIPS, {"persons": list(persons)}):
            found.setdefault(row.person, []).append(row)
        return [found.get(person, []) for person in persons]

    async def persons(self, ids: Sequence[str]) -> list[Person]:
        """Live persons by id, in the order asked (a preview's sample)."""
        found = {row.id: row for row in await self.store.run(PERSONS_BY_IDS, {"ids": list(ids)})}
        return [found[i] for i in ids if i in found]
