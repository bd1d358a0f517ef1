"""Storing a plan (graphcdp/identity/planner.py) with cypher/identity/commit_resolution.cypher, in one
statement: it checks first that what the plan was made from still holds, and writes nothing otherwise.
This module is the one place that knows the statement's parameters: JSON for traits, rejections and history
events, "" for "no person" (an indexed miss, where null would scan the label)."""

from __future__ import annotations

import json
from typing import Any

from graphcdp.identity.history import HistoryEvent
from graphcdp.identity.planner import Move, PersonUpdate, Plan, Retirement
from graphcdp.model.facets import trait_facets
from graphcdp.model.feed import change_params
from graphcdp.model.identity import CommitResult
from graphcdp.store import GraphStore, statement

COMMIT = statement("identity/commit_resolution", CommitResult)


async def commit(store: GraphStore, plan: Plan) -> bool:
    """Store the plan; False when the component changed since it was read (nothing was written)."""
    return bool(await store.run(COMMIT, commit_params(plan)))


def commit_params(plan: Plan) -> dict[str, Any]:
    """The parameters of commit_resolution for `plan`. Lists of several plans' parameters can be joined into
    one commit as long as their components do not overlap (the bench seeder does)."""
    checks = [
        {"record": r.key, "identifier": "", "person": r.person or "", "degree": r.degree, "version": r.version}
        for r in plan.records_read
    ] + [
        {"record": "", "identifier": i.key, "person": i.person or "", "degree": i.degree, "version": -1}
        for i in plan.identifiers_read
    ]
    return {
        "now": plan.now,
        "checks": checks,
        "persons": [_person(p) for p in plan.updates],
        "retired": [_retired(r) for r in plan.retirements],
        "recordMoves": [_move(m) for m in plan.record_moves],
        "identifierMoves": [_move(m) for m in plan.identifier_moves],
        "flags": [{"key": f.key, "shared": f.shared, "rejections": f.rejections} for f in plan.shared_flags],
        "resolved": plan.resolved,
        "changes": change_params(plan.changes),
    }


def event_json(event: HistoryEvent) -> str:
    """A history event as a person stores it: one JSON object, its detail beside kind and at."""
    return json.dumps({"kind": event.kind.value, "at": event.at, **event.detail}, sort_keys=True)


def _person(update: PersonUpdate) -> dict[str, Any]:
    return {
        "id": update.id,
        "traits": json.dumps(update.traits, sort_keys=True),
        "traitFacets": trait_facets(update.traits),
        "rejections": [r.to_json() for r in update.rejections],
        "events": [event_json(e) for e in update.events],
        "recordCount": len(update.records),
        "name": update.name,
        "search": update.search,
    }


def _retired(retirement: Retirement) -> dict[str, Any]:
    return {"id": retirement.id, "into": retirement.into, "events": [event_json(retirement.event)]}


def _move(move: Move) -> dict[str, Any]:
    return {"key": move.key, "old": move.old or "", "person": move.person or ""}
