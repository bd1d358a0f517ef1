"""What a committed resolution changed about each person, in the terms things derived from persons read: her
golden traits (by top-level key), her identifiers (by type), or everything at once. Segment maintenance
(graphcdp/segments/maintenance.py) re-evaluates a person only against the segments whose conditions read what
changed, so an upsert that only adds a cookie to someone re-evaluates no trait, touchpoint or consent segment.

Touchpoints and consent statements hang off identifiers, so they change only with identifiers: an identifier
moving between persons (a merge, a split, a record moving) changes everything on both sides; one leaving for
no person takes its touchpoints away (everything); one gained from no person may bring some, which the
listener checks in the graph (`Reach.gained`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from graphcdp.identity.history import EventKind
from graphcdp.identity.planner import Plan
from graphcdp.model.feed import ChangeKind


@dataclass(frozen=True)
class Reach:
    """What changed about one person. `whole`: anything may have (created, merged, split, evidence moved)."""

    whole: bool = False
    traits: frozenset[str] = frozenset()  # top-level golden trait keys whose value changed
    identifier_types: frozenset[str] = frozenset()  # types of the identifiers gained or lost
    gained: frozenset[str] = frozenset()  # keys of identifiers gained from no person


@dataclass
class _Draft:
    whole: bool = False
    traits: set[str] = field(default_factory=set)
    types: set[str] = field(default_factory=set)
    gained: set[str] = field(default_factory=set)

    def done(self) -> Reach:
        if self.whole:
            return Reach(whole=True)
        return Reach(False, frozenset(self.traits), frozenset(self.types), frozenset(self.gained))


def plan_reach(plan: Plan) -> dict[str, Reach]:
    """The reach of `plan` for each person that stays; a person it changed nothing of (for these terms) is
    absent. Retired persons are not here: they are members of nothing any more."""
    drafts: dict[str, _Draft] = {}

    def draft(person: str) -> _Draft:
        return drafts.setdefault(person, _Draft())

    for person in _wholly_changed(plan):
        draft(person).whole = True
    for move in plan.identifier_moves:
        if move.old is None and move.person is not None:
            gaining = draft(move.person)
            gaining.types.add(move.key.split(":", 1)[0])
            gaining.gained.add(move.key)
    for change in plan.changes:
        if change.kind is ChangeKind.TRAITS_CHANGED:
            draft(change.person_id).traits.update(str(k) for k in change.data.get("keys", ()))
        elif change.kind is ChangeKind.IDENTIFIERS_CHANGED:
            types = [*change.data.get("added", ()), *change.data.get("removed", ())]
            draft(change.person_id).types.update(str(t) for t in types)
    retired = {r.id for r in plan.retirements}
    return {person: d.done() for person, d in drafts.items() if person not in retired}


def _wholly_changed(plan: Plan) -> set[str]:
    """Created persons, merge survivors, persons split, and both sides of a record or identifier that left a
    person (its evidence, touchpoints and consent statements go with it)."""
    persons = set(plan.created)
    persons.update(r.into for r in plan.retirements if r.into is not None)
    persons.update(u.id for u in plan.updates if any(e.kind is EventKind.SPLIT_INTO for e in u.events))
    for move in [*plan.record_moves, *plan.identifier_moves]:
        if move.old is not None:
            persons.update(_present(move.old, move.person))
    return persons


def _present(*persons: str | None) -> Iterable[str]:
    return (p for p in persons if p is not None)
