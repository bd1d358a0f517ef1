"""The change-feed events of a resolution (docs/change-feed.md), decided from the component as read and the plan,
with no database: the commit statement appends them only when it commits the plan, so an event never goes
without its change, nor a change without its event.

Who was created, which persons merged into which, which split, and for every person that stays (or is left
with nothing), which golden-trait keys and which identifier types it gained or lost. Values never: a
consumer reads the person for them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from graphcdp.identity.history import EventKind
from graphcdp.model.feed import ChangeEvent, ChangeKind

if TYPE_CHECKING:  # the planner calls this module at the end of every plan
    from graphcdp.identity.component import Component
    from graphcdp.identity.planner import Move, Plan


def resolution_changes(component: Component, plan: Plan) -> list[ChangeEvent]:
    """Created persons first (a consumer learns their ids before anything names them), then merges and
    splits, then what each remaining person gained or lost."""
    added = _types_by_person(component, plan.identifier_moves, lambda m: m.person)
    removed = _types_by_person(component, plan.identifier_moves, lambda m: m.old)
    return [
        *_created(plan, added),
        *_merged_and_split(plan),
        *_traits_and_identifiers(component, plan, added, removed),
    ]


def _created(plan: Plan, added: Mapping[str, list[str]]) -> list[ChangeEvent]:
    created = set(plan.created)
    changes = []
    for update in (u for u in plan.updates if u.id in created):
        data: dict[str, Any] = {"traits": sorted(update.traits), "identifiers": sorted(added.get(update.id, []))}
        for event in update.events:
            if event.kind is EventKind.CREATED and event.detail.get("splitFrom"):
                data["splitFrom"] = list(event.detail["splitFrom"])
        changes.append(ChangeEvent(ChangeKind.CREATED, update.id, data))
    return changes


def _merged_and_split(plan: Plan) -> list[ChangeEvent]:
    changes = [
        ChangeEvent(ChangeKind.MERGED, r.into, {"from": r.id, "into": r.into})
        for r in plan.retirements
        if r.into is not None
    ]
    for update in plan.updates:
        changes += [
            ChangeEvent(ChangeKind.SPLIT, update.id, {"into": list(e.detail["persons"])})
            for e in update.events
            if e.kind is EventKind.SPLIT_INTO
        ]
    return changes


def _traits_and_identifiers(
    component: Component, plan: Plan, added: Mapping[str, list[str]], removed: Mapping[str, list[str]]
) -> list[ChangeEvent]:
    """For each person that stays, and each left with nothing (no traits then): the trait keys that changed,
    then the identifier types gained and lost."""
    created = set(plan.created)
    after: list[tuple[str, Mapping[str, Any]]] = [(u.id, u.traits) for u in plan.updates if u.id not in created]
    after += [(r.id, {}) for r in plan.retirements if r.into is None]
    changes = []
    for person, traits in after:
        state = component.persons.get(person)
        before = state.traits if state is not None and state.traits is not None else {}
        if keys := _changed_keys(before, traits):
            changes.append(ChangeEvent(ChangeKind.TRAITS_CHANGED, person, {"keys": keys}))
    for person, _ in after:
        gained, lost = sorted(added.get(person, [])), sorted(removed.get(person, []))
        if gained or lost:
            changes.append(ChangeEvent(ChangeKind.IDENTIFIERS_CHANGED, person, {"added": gained, "removed": lost}))
    return changes


def _changed_keys(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    return sorted(key for key in before.keys() | after.keys() if before.get(key) != after.get(key))


def _types_by_person(
    component: Component, moves: Iterable[Move], side: Callable[[Move], str | None]
) -> dict[str, list[str]]:
    """Identifier types per person on one side of the moves (the person gaining them, or the one losing them)."""
    found: dict[str, list[str]] = {}
    for move in moves:
        if (person := side(move)) and (identifier := component.identifiers.get(move.key)) is not None:
            found.setdefault(person, []).append(identifier.type)
    return found
