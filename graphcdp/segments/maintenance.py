"""Segments kept current as persons change: each mutation's persons are re-evaluated, before it returns,
against only the segments whose conditions read what the mutation can change."""

from __future__ import annotations

from graphcdp.identity.listeners import ChangedData, PersonsChanged
from graphcdp.segments.definition import Dependency
from graphcdp.segments.service import SegmentService

# What each kind of mutation can change. Evidence (records, identifiers) can merge and split persons, which
# unions or divides everything they hold; a touchpoint or a consent statement also brings its identifiers.
READS_CHANGED_BY: dict[ChangedData, frozenset[Dependency]] = {
    ChangedData.EVIDENCE: frozenset(Dependency),
    ChangedData.TOUCHPOINTS: frozenset({Dependency.TOUCHPOINTS, Dependency.IDENTIFIERS}),
    ChangedData.CONSENT: frozenset({Dependency.CONSENT, Dependency.IDENTIFIERS}),
}


class SegmentMaintenance:
    """The listener of person changes (graphcdp/identity/listeners.py) that refreshes memberships."""

    def __init__(self, segments: SegmentService) -> None:
        self.segments = segments

    async def persons_changed(self, change: PersonsChanged) -> None:
        reads: set[Dependency] = set()
        for kind in change.kinds:
            reads |= READS_CHANGED_BY[kind]
        await self.segments.refresh(change.persons - change.retired, reads, retired=change.retired)
