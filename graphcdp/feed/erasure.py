"""The change feed's part of an erasure (graphcdp/privacy/erasure.py): her events leave the feed, and her ids
leave the events of others; then the erasure appends ERASED, the one event left naming her id."""

from __future__ import annotations

from collections.abc import Sequence

from graphcdp.model.feed import ForgottenChanges
from graphcdp.model.webhooks import Counted
from graphcdp.store import GraphStore, statement

ERASE_PERSON_CHANGES = statement("feed/erase_person_changes", ForgottenChanges)
FORGET_DELIVERIES = statement("webhooks/forget_deliveries", Counted)


async def forget_changes(store: GraphStore, persons: Sequence[str]) -> ForgottenChanges:
    forgotten = (await store.run(ERASE_PERSON_CHANGES, {"persons": list(persons)}))[0]
    await store.run(FORGET_DELIVERIES, {"persons": list(persons)})  # webhook delivery logs name her too
    return forgotten
