"""Segments kept current as persons change: each mutation's persons are re-evaluated, before it returns,
against only the segments whose conditions read what the mutation changed about them.

A resolution says per person what it changed (graphcdp/identity/reach.py): a trait key, an identifier type, or
everything (created, merged, split). A person it changed nothing of is not re-evaluated at all; one who only
gained a cookie is re-evaluated against the segments reading cookies, unless the cookie brought touchpoints or
consent statements with it (checked in the graph)."""

from __future__ import annotations

from graphcdp.identity.listeners import ChangedData, PersonsChanged
from graphcdp.identity.reach import Reach
from graphcdp.segments.definition import Dependency
from graphcdp.segments.selection import Need
from graphcdp.segments.service import SegmentService

# What each kind of mutation can change. Evidence (records, identifiers) can merge and split persons, which
# unions or divides everything they hold; a touchpoint or a consent statement also brings its identifiers.
READS_CHANGED_BY: dict[ChangedData, frozenset[Dependency]] = {
    ChangedData.EVIDENCE: frozenset(Dependency),
    ChangedData.TOUCHPOINTS: frozenset({Dependency.TOUCHPOINTS, Dependency.IDENTIFIERS}),
    ChangedData.CONSENT: frozenset({Dependency.CONSENT, Dependency.IDENTIFIERS}),
}
# What an identifier gained from no person brings when touchpoints or consent statements hang off it.
BROUGHT_BY_ACTIVE_IDENTIFIER = frozenset({Dependency.TOUCHPOINTS, Dependency.CONSENT})


class SegmentMaintenance:
    """The listener of person changes (graphcdp/identity/listeners.py) that refreshes memberships."""

    def __init__(self, segments: SegmentService) -> None:
        self.segments = segments

    async def persons_changed(self, change: PersonsChanged) -> None:
        live = change.persons - change.retired
        precise = change.reach is not None and ChangedData.EVIDENCE in change.kinds
        coarse: set[Dependency] = set()
        for kind in change.kinds:
            if not (precise and kind is ChangedData.EVIDENCE):
                coarse |= READS_CHANGED_BY[kind]
        if change.reach is None or not precise:
            await self.segments.refresh(live, coarse, retired=change.retired)
            return
        reaches = {person: change.reach.get(person, Reach()) for person in live}
        base = Need(kinds=frozenset(coarse))
        needs = {person: base | _need(reach) for person, reach in reaches.items()}
        if not change.retired and not any(needs.values()):
            return  # nothing any segment can read changed: not even the stored segments are read
        stored = await self.segments.stored()
        if not stored:
            return
        # An identifier gained from no person may bring touchpoints or consent statements: asked only when a
        # stored segment reads those.
        if any(s.reads.touches & BROUGHT_BY_ACTIVE_IDENTIFIER for s in stored.values()):
            gained = sorted({key for reach in reaches.values() if not reach.whole for key in reach.gained})
            active = await self.segments.active_identifiers(gained) if gained else set()
            for person, reach in reaches.items():
                if reach.gained & active:
                    needs[person] = needs[person] | Need(kinds=BROUGHT_BY_ACTIVE_IDENTIFIER)
        await self.segments.refresh_needs(needs, retired=change.retired, stored=stored)


def _need(reach: Reach) -> Need:
    if reach.whole:
        return Need(kinds=frozenset(Dependency))
    return Need(frozenset(), reach.traits, reach.identifier_types)
