"""Tracking touchpoints: store what people did, and let the identifiers they did it with link them."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from graphcdp.batch import check_batch_size, items_failed, parse_items
from graphcdp.clock import now_ms
from graphcdp.errors import GraphCDPError
from graphcdp.identity.evidence import Observation, evidence_key, record_evidence
from graphcdp.identity.rules import ResolutionRules
from graphcdp.identity.suppression import Suppression
from graphcdp.lifecycle.runs import ServiceRun
from graphcdp.model.identity import ItemError
from graphcdp.model.profiles import (
    TouchpointAction,
    TouchpointInput,
    TouchpointPerson,
    TouchpointResult,
    TrackedTouchpoint,
    TrackOutcome,
)
from graphcdp.profiles.touchpoint_input import ParsedTouchpoint, parse_touchpoint
from graphcdp.store import GraphStore, statement

TRACK_TOUCHPOINTS = statement("profiles/track_touchpoints", TrackedTouchpoint)
TOUCHPOINT_PERSONS = statement("profiles/touchpoint_persons", TouchpointPerson)
EVIDENCE_KIND = "touchpoints"


@dataclass(frozen=True)
class ParsedTouchpoints:
    """A batch of touchpoints validated before any database work: the valid ones, and the item errors of the others."""

    touchpoints: list[ParsedTouchpoint]
    errors: list[ItemError]


def parse_touchpoints(
    items: Sequence[TouchpointInput | ItemError], rules: ResolutionRules, max_batch: int
) -> ParsedTouchpoints:
    """Validate a batch (no database work: the importer parses the next batch in a thread while one is stored)."""
    check_batch_size(len(items), max_batch, "touchpoints", "trackTouchpoints")
    parsed, errors = parse_items(items, lambda index, item: _validate(index, item, rules))
    return ParsedTouchpoints(parsed, errors)


async def track_touchpoints(
    store: GraphStore,
    rules: ResolutionRules,
    items: Sequence[TouchpointInput | ItemError] | ParsedTouchpoints,
    max_batch: int,
    suppression: Suppression,
    *,
    run: ServiceRun | None = None,
) -> TrackOutcome:
    """Validate, link (through evidence records) and store touchpoints; bad items become item errors.
    An item its reader could not decode comes as its item error, so every item keeps its index. `items` may come
    validated already (`parse_touchpoints`). `run` is marked when evidence was stored and not resolved (the next
    start, or beat, resolves it)."""
    batch = items if isinstance(items, ParsedTouchpoints) else parse_touchpoints(items, rules, max_batch)
    outcome = TrackOutcome()
    parsed, outcome.errors = list(batch.touchpoints), list(batch.errors)
    if parsed:  # a touchpoint of an erased person's identifier stays out (SUPPRESSED)
        parsed, suppressed = await suppression.refuse(parsed, lambda t: t.identifiers, lambda t: t.index)
        outcome.errors += suppressed
    if not parsed:
        outcome.errors.sort(key=lambda e: e.index)
        return outcome
    # Identifiers first: a touchpoint's identifiers link like a record's, and new ones get a person.
    person_of: dict[str, str] = {}
    try:
        with run.finishing() if run else contextlib.nullcontext():  # stores evidence, then resolves it
            evidence = await record_evidence(
                store, rules, EVIDENCE_KIND, [Observation(t.identifiers, t.occurred_at) for t in parsed]
            )
        person_of = evidence.person_of
        outcome.persons_created = evidence.created
        if evidence.plan:
            outcome.persons_merged = sorted(evidence.plan.retired)
    except GraphCDPError as exc:  # stored anyway; linked with the next change to their component, or a repair
        if run:
            run.mark_unfinished()
        outcome.errors += items_failed((t.index for t in parsed), exc)
    first_of_id: dict[str, ParsedTouchpoint] = {}
    for touchpoint in parsed:
        first_of_id.setdefault(touchpoint.id, touchpoint)
    rows = await store.run(
        TRACK_TOUCHPOINTS,
        {"now": now_ms(), "batch": uuid.uuid4().hex, "touchpoints": [t.param() for t in first_of_id.values()]},
    )
    stored = {row.id: row for row in rows}
    failed = {e.index for e in outcome.errors}
    answered = [t for t in parsed if t.index not in failed]
    # Who did each: its evidence's person; the touchpoints whose evidence did not say are looked up.
    person_by_index = {t.index: person_of.get(evidence_key(EVIDENCE_KIND, t.identifiers) or "") for t in answered}
    if unknown := sorted({t.id for t in answered if not person_by_index[t.index]}):
        looked_up = {row.id: row.person for row in await store.run(TOUCHPOINT_PERSONS, {"ids": unknown})}
        person_by_index |= {t.index: looked_up.get(t.id) for t in answered if not person_by_index[t.index]}
    for touchpoint in answered:
        row = stored[touchpoint.id]
        created = row.created and first_of_id[touchpoint.id] is touchpoint
        outcome.results.append(
            TouchpointResult(
                index=touchpoint.index,
                id=touchpoint.id,
                person_id=person_by_index[touchpoint.index],
                action=TouchpointAction.CREATED if created else TouchpointAction.UNCHANGED,
            )
        )
    outcome.errors.sort(key=lambda e: e.index)
    return outcome


def _validate(index: int, item: TouchpointInput | ItemError, rules: ResolutionRules) -> ParsedTouchpoint | ItemError:
    return (
        item.model_copy(update={"index": index})
        if isinstance(item, ItemError)
        else parse_touchpoint(index, item, rules.policy)
    )
