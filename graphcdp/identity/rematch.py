"""Matching every record again after a model change, then resolving, so links change and new candidate pairs
are scored too (graphcdp/identity/matching/rescore.py reports what would change, writing nothing).
A reviewer's decisions (accepted MATCHED, NOT_MATCHED) are never touched."""

from __future__ import annotations

from collections.abc import Callable

from graphcdp.clock import now_ms
from graphcdp.identity.listeners import ChangedData, PersonChanges
from graphcdp.identity.matching.active_model import MatchingRuntime
from graphcdp.identity.matching.matcher import Matcher, MatchInput
from graphcdp.identity.matching.pages import record_pages
from graphcdp.identity.resolver import resolve
from graphcdp.identity.rules import ResolutionRules
from graphcdp.store import GraphStore


async def rematch_all(
    store: GraphStore,
    rules: ResolutionRules,
    runtime: MatchingRuntime,
    *,
    batch: int = 500,
    progress: Callable[[int], None] | None = None,
    changes: PersonChanges | None = None,
) -> int:
    """Match every record with traits again under the model in force and resolve; records matched."""
    matcher, done = Matcher(store, runtime), 0
    async for records in record_pages(store, batch):
        await matcher.match([MatchInput(r.key, r.traits, r.identifiers, r.content_hash) for r in records], now_ms())
        plan = await resolve(store, rules, record_keys=[r.key for r in records])
        if changes is not None:  # segments follow the persons as the new links regroup them
            await changes.changed(plan.persons, {ChangedData.EVIDENCE}, retired=plan.retired)
        done += len(records)
        if progress:
            progress(len(records))
    return done
