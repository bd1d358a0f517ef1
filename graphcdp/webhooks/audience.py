"""Which events a destination with `segments` is sent: those of persons who are members of one of its segments
when the events are handed over, the SEGMENT_ENTERED and SEGMENT_EXITED of those segments, and ERASED (a receiver
that holds her must erase her too)."""

from __future__ import annotations

from collections.abc import Sequence

from graphcdp.model.feed import Change, ChangeKind
from graphcdp.model.webhooks import SegmentMember
from graphcdp.store import GraphStore, statement

SEGMENT_MEMBERS = statement("webhooks/segment_members", SegmentMember)
MEMBERSHIP_KINDS = frozenset({ChangeKind.SEGMENT_ENTERED, ChangeKind.SEGMENT_EXITED})


class Audience:
    def __init__(self, store: GraphStore) -> None:
        self.store = store

    async def in_segments(self, segments: Sequence[str], changes: list[Change]) -> list[Change]:
        keys = set(segments)
        others = sorted({c.person_id for c in changes if c.kind not in MEMBERSHIP_KINDS | {ChangeKind.ERASED}})
        members: set[str] = set()
        if others:
            rows = await self.store.run(SEGMENT_MEMBERS, {"persons": others, "segments": sorted(keys)})
            members = {row.person for row in rows}
        return [c for c in changes if self._sent(c, keys, members)]

    @staticmethod
    def _sent(change: Change, keys: set[str], members: set[str]) -> bool:
        if change.kind in MEMBERSHIP_KINDS:
            return change.data.get("segment") in keys
        return change.kind is ChangeKind.ERASED or change.person_id in members
