"""A customer's context read in one round trip: the person of an identifier with her metrics, her consent
statements and her newest touchpoints. The `context` query answers from it instead of one statement per
part (person, metrics, consents, journey), which was most of a lookup's time in the service."""

from __future__ import annotations

from dataclasses import dataclass

from graphcdp.clock import now_ms
from graphcdp.model.identity import KeyedPerson, Membership
from graphcdp.model.profiles import (
    ConsentStatement,
    CustomerActivityRow,
    CustomerContextRow,
    JourneyPage,
    Metrics,
)
from graphcdp.privacy.consent import oldest_first
from graphcdp.profiles.metrics import MetricsConfig, compute_metrics
from graphcdp.store import GraphStore, statement

CUSTOMER_CONTEXT = statement("profiles/customer_context", CustomerContextRow)
CUSTOMER_ACTIVITY = statement("profiles/customer_activity", CustomerActivityRow)  # without history and records


@dataclass(frozen=True)
class CustomerSnapshot:
    """What the parts of `context` show, as their own reads would give them. Unless `whole_person`, `person`
    lacks her history and records (read without them: nothing asked for them)."""

    person: KeyedPerson
    metrics: Metrics
    consents: list[ConsentStatement]  # oldest first, as privacy/consent reads them
    journey: JourneyPage  # the newest `touchpoints`, newest first
    memberships: list[Membership]  # her segments, by key, as segments/memberships reads them
    whole_person: bool = True


async def customer_snapshot(
    store: GraphStore, key: str, touchpoints: int, metrics: MetricsConfig, *, whole_person: bool = True
) -> CustomerSnapshot | None:
    """The snapshot of the person of the normalized identifier `key`; None when it belongs to nobody. Without
    `whole_person`, her history and records are not read."""
    params = {"key": key, "limit": touchpoints + 1}
    row: CustomerContextRow | CustomerActivityRow
    if whole_person:
        if not (whole := await store.run(CUSTOMER_CONTEXT, params)):
            return None
        row = whole[0]
        person: KeyedPerson = row  # a KeyedPerson with more fields, which the person's own fields ignore
    else:
        if not (lean := await store.run(CUSTOMER_ACTIVITY, params)):
            return None
        row = lean[0]
        person = row.person()
    return CustomerSnapshot(
        person=person,
        metrics=compute_metrics(row.events, now_ms(), metrics),
        consents=oldest_first(row.consents),
        journey=JourneyPage(touchpoints=row.page[:touchpoints], total=row.total, has_next=len(row.page) > touchpoints),
        memberships=sorted(row.memberships, key=lambda m: m.key),
        whole_person=whole_person,
    )
