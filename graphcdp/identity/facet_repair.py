"""Start-up repair: facets for persons and touchpoints stored before segments existed.

Segment conditions read `Person.traitFacets` and `Touchpoint.facets` (graphcdp/model/facets.py), which every
commit and every new touchpoint write. A graph from an older graphcdp has neither; each start fills what is
missing, a page at a time, so segments see every person and touchpoint. Once filled, the pages are empty.
"""

from __future__ import annotations

import json
import logging

from graphcdp.model.facets import touchpoint_facets, trait_facets
from graphcdp.model.segments import FacetsWritten, StoredProperties, StoredTraits
from graphcdp.store import GraphStore, statement

log = logging.getLogger(__name__)

PERSONS_WITHOUT_FACETS = statement("segments/persons_without_facets", StoredTraits)
SET_TRAIT_FACETS = statement("segments/set_trait_facets", FacetsWritten)
TOUCHPOINTS_WITHOUT_FACETS = statement("segments/touchpoints_without_facets", StoredProperties)
SET_TOUCHPOINT_FACETS = statement("segments/set_touchpoint_facets", FacetsWritten)
PAGE = 500


def _object(text: str | None) -> dict[str, object]:
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


async def fill_trait_facets(store: GraphStore, page: int = PAGE) -> int:
    """Give every person without trait facets hers; how many were given."""
    filled, after = 0, ""
    while rows := await store.run(PERSONS_WITHOUT_FACETS, {"after": after, "limit": page}):
        persons = [{"id": r.id, "traits": r.traits, "facets": trait_facets(_object(r.traits))} for r in rows]
        filled += len(await store.run(SET_TRAIT_FACETS, {"persons": persons}))
        after = rows[-1].id
    return filled


async def fill_touchpoint_facets(store: GraphStore, page: int = PAGE) -> int:
    """Give every touchpoint without facets its own; how many were given."""
    filled, after = 0, ""
    while rows := await store.run(TOUCHPOINTS_WITHOUT_FACETS, {"after": after, "limit": page}):
        touchpoints = [{"id": r.id, "facets": touchpoint_facets(_object(r.properties))} for r in rows]
        filled += len(await store.run(SET_TOUCHPOINT_FACETS, {"touchpoints": touchpoints}))
        after = rows[-1].id
    return filled


async def fill_missing_facets(store: GraphStore) -> None:
    persons = await fill_trait_facets(store)
    touchpoints = await fill_touchpoint_facets(store)
    if persons or touchpoints:
        log.info(
            "segment facets written for %d persons and %d touchpoints stored before segments", persons, touchpoints
        )
