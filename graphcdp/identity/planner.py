"""The plan of one component's resolution, decided from the component as read and nothing else (no database,
no clock): cluster it, give the clusters stable person ids, and say who is created, kept, retired and moved,
which links were refused and what each person's history records. graphcdp/identity/commit.py stores a plan.

Person ids are stable: a cluster keeps the oldest person id among its members' persons, and only a cluster
whose members belong to no person yet gets a new one. A person no cluster keeps is retired: merged into the
person that took most of its members, or emptied when none did.

A person stands for records: a cluster without one (identifiers a type limit refused, that no record links)
gets no person, and its identifiers leave the one they had (issue 17, finding 3: 300 records of 200 cookie ids
left 45,000 persons of one cookie and no record). They stay stored, with the records that carry them.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from graphcdp.identity.changes import resolution_changes
from graphcdp.identity.clustering import Clustering, Group, RecordNode, Rejection, cluster
from graphcdp.identity.component import Component, IdentifierState
from graphcdp.identity.golden import golden_traits
from graphcdp.identity.history import HistoryEvent, person_events, retirement_event
from graphcdp.identity.linking import MatchDecision, link_groups
from graphcdp.identity.rules import ResolutionRules
from graphcdp.identity.search_text import person_name, search_text
from graphcdp.identity.trait_conflict import TraitConflicts
from graphcdp.model.feed import ChangeEvent
from graphcdp.model.node_ref import identifier_ref, record_ref


@dataclass(frozen=True)
class PersonUpdate:
    """A person that holds evidence after the resolution, with its new state."""

    id: str
    records: list[str]
    traits: dict[str, Any]  # golden traits
    rejections: list[Rejection]  # the refused links of its records, in their stored order
    events: list[HistoryEvent]  # what its history gains
    name: str | None
    search: str


@dataclass(frozen=True)
class Retirement:
    """A person that holds no evidence any more: merged into another, or emptied (`into` None)."""

    id: str
    into: str | None
    event: HistoryEvent


@dataclass(frozen=True)
class Move:
    """A record or identifier that changes person (`old` None: it had none; `person` None: an identifier that
    no record links any more leaves its person for none)."""

    key: str
    old: str | None
    person: str | None


@dataclass(frozen=True)
class SharedFlag:
    """How many links an identifier was refused in, and whether that makes it shared."""

    key: str
    shared: bool
    rejections: int


@dataclass(frozen=True)
class RecordAsRead:
    """A record as the plan saw it: the commit applies only while this still holds."""

    key: str
    person: str | None
    degree: int
    version: int


@dataclass(frozen=True)
class IdentifierAsRead:
    """A linking identifier as the plan saw it: the commit applies only while this still holds."""

    key: str
    person: str | None
    degree: int  # records that have it


@dataclass
class Plan:
    """What a resolution does: who ends up where, which ids retire, which links were refused."""

    now: int
    person_of_record: dict[str, str] = field(default_factory=dict)
    created: list[str] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    persons: list[str] = field(default_factory=list)  # every person of the component afterwards
    matches: list[MatchDecision] = field(default_factory=list)  # probabilistic links applied
    refused_matches: list[MatchDecision] = field(default_factory=list)
    updates: list[PersonUpdate] = field(default_factory=list)  # the persons afterwards, with their new state
    retirements: list[Retirement] = field(default_factory=list)
    record_moves: list[Move] = field(default_factory=list)
    identifier_moves: list[Move] = field(default_factory=list)
    shared_flags: list[SharedFlag] = field(default_factory=list)
    records_read: list[RecordAsRead] = field(default_factory=list)
    identifiers_read: list[IdentifierAsRead] = field(default_factory=list)
    resolved: list[str] = field(default_factory=list)  # records whose current version this plan resolves
    changes: list[ChangeEvent] = field(default_factory=list)  # the change-feed events its commit appends

    @property
    def retired(self) -> dict[str, str | None]:
        """Old id → surviving id (None: no evidence left)."""
        return {r.id: r.into for r in self.retirements}

    def merged_into(self, person: str) -> list[str]:
        return sorted(r.id for r in self.retirements if r.into == person)


@dataclass
class _Draft:
    """The planning state: the component, and the decisions taken so far."""

    component: Component
    rules: ResolutionRules
    linking: dict[str, IdentifierState]  # identifiers that link (not blocked)
    clustering: Clustering
    current: dict[str, str | None]  # member (record_ref or identifier_ref) → its person now
    taken: dict[str, Group] = field(default_factory=dict)  # person → the cluster that keeps its id
    former: dict[str, Counter[str]] = field(default_factory=dict)  # old person → new person → members moved


def plan(
    component: Component,
    rules: ResolutionRules,
    now: int,
    extra_persons: Iterable[str] = (),
    new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
) -> Plan:
    """The plan of `component`; `extra_persons` are persons to retire unless a cluster keeps them."""
    linking = {k: i for k, i in component.identifiers.items() if not i.blocked}
    result = Plan(now=now)
    draft = _Draft(component, rules, linking, _cluster(component, linking, rules), _current_persons(component, linking))
    _apply_matches(draft, result)
    result.rejections = draft.clustering.rejections
    _keep_or_create_persons(draft, result, now, new_id)
    _retire_persons(draft, result, extra_persons, now)
    _release_unlinked_identifiers(draft, result)
    index = _Index.of(draft, result)
    for person, group in draft.taken.items():
        _move_members(draft, result, person, group)
        result.updates.append(_person_update(draft, result, index, person, group, now=now))
    result.persons = [p for p, _ in sorted(draft.taken.items(), key=lambda item: item[1].order)]
    result.shared_flags = _shared_flags(draft)
    result.records_read = [RecordAsRead(k, r.person, r.degree, r.version) for k, r in sorted(component.records.items())]
    result.identifiers_read = [IdentifierAsRead(k, i.person, len(i.records)) for k, i in sorted(linking.items())]
    result.resolved = sorted(component.records)
    result.changes = resolution_changes(component, result)
    return result


def _cluster(component: Component, linking: dict[str, IdentifierState], rules: ResolutionRules) -> Clustering:
    """Deterministic clusters of the records by their linking identifiers (graphcdp/identity/clustering.py)."""
    records = [
        RecordNode(r.key, r.observed_at, tuple(k for k in r.identifiers if k in linking), r.detached)
        for r in component.records.values()
    ]
    types = {k: i.type for k, i in linking.items()}
    if rules.matching is None:
        return cluster(records, types, rules.policy.priority, rules.policy.limit)
    emails = {t for t in set(types.values()) if rules.policy.policy(t).kind == "email"}
    traits = TraitConflicts(component, rules.matching.scorer, emails)
    return cluster(
        records,
        types,
        rules.policy.priority,
        rules.policy.limit,
        conflict=traits.between,
        named=traits.named,
        family=traits.names_a_family,
    )


def _current_persons(component: Component, linking: dict[str, IdentifierState]) -> dict[str, str | None]:
    current: dict[str, str | None] = {record_ref(k): r.person for k, r in component.records.items()}
    current.update({identifier_ref(k): i.person for k, i in linking.items()})
    return current


def _members(group: Group) -> list[str]:
    return [record_ref(k) for k in group.records] + [identifier_ref(k) for k in group.identifiers]


def _apply_matches(draft: _Draft, result: Plan) -> None:
    """Probabilistic links on top of the deterministic clusters (graphcdp/identity/linking.py)."""
    rules, component, clustering = draft.rules, draft.component, draft.clustering
    if rules.matching is None or not any(r.matches for r in component.records.values()):
        return
    linked = link_groups(clustering.groups, component, rules.matching.scorer, rules.policy.limit)
    clustering.groups, result.matches, result.refused_matches = linked.groups, linked.applied, linked.refused
    # A refused match is kept with the person like a refused identifier link: explained, and in its history once.
    clustering.rejections += [Rejection(m.a, f"record:{m.b}", m.reason) for m in linked.refused]


def _keep_or_create_persons(draft: _Draft, result: Plan, now: int, new_id: Callable[[], str]) -> None:
    """Each cluster, oldest evidence first, keeps the oldest person id among its members' persons that no
    cluster took before it; a cluster with none gets a new id. Then who moved from which person to which."""

    def age(person: str) -> tuple[int, str]:
        state = draft.component.persons.get(person)
        return (state.created_at if state else now, person)

    for group in draft.clustering.groups:
        if not group.records:
            continue  # no record links these identifiers: no person (see _release_unlinked_identifiers)
        candidates = {draft.current[m] for m in _members(group)} - {None} - draft.taken.keys()
        person = min((p for p in candidates if p), key=age) if candidates else new_id()
        if not candidates:
            result.created.append(person)
        draft.taken[person] = group
    for person, group in draft.taken.items():
        for m in _members(group):
            if old := draft.current[m]:
                draft.former.setdefault(old, Counter())[person] += 1


def _retire_persons(draft: _Draft, result: Plan, extra_persons: Iterable[str], now: int) -> None:
    """A person no cluster kept merges into the person that took most of its members, or is emptied."""
    for old in sorted({p for p in draft.current.values() if p} | set(extra_persons)):
        if old not in draft.taken:
            moved = draft.former.get(old)
            into = moved.most_common(1)[0][0] if moved else None
            result.retirements.append(Retirement(old, into, retirement_event(now, into)))


def _release_unlinked_identifiers(draft: _Draft, result: Plan) -> None:
    """Identifiers in a cluster without records (refused by a type limit wherever they were seen) belong to no
    person: one that had a person leaves it."""
    for group in draft.clustering.groups:
        if not group.records:
            for key in group.identifiers:
                if (old := draft.linking[key].person) is not None:
                    result.identifier_moves.append(Move(key, old, None))


def _move_members(draft: _Draft, result: Plan, person: str, group: Group) -> None:
    for key in group.records:
        result.person_of_record[key] = person
        if (old := draft.component.records[key].person) != person:
            result.record_moves.append(Move(key, old, person))
    for key in group.identifiers:
        if (old := draft.linking[key].person) != person:
            result.identifier_moves.append(Move(key, old, person))


@dataclass
class _Index:
    """What each person's update looks up, gathered once: a component's groups can number in the thousands
    (identifiers refused by a type limit stand alone), and scanning every rejection, match and retirement for
    each of them made planning grow with the square of the identifiers of one record (issue 17, finding 3)."""

    created: set[str]
    rejections: dict[str, list[Rejection]]  # record → its refused links
    matches: dict[str, list[tuple[int, MatchDecision]]]  # record (the `a` side) → its applied matches, numbered
    merged_from: dict[str, list[str]]  # person → the persons retired into it

    @classmethod
    def of(cls, draft: _Draft, result: Plan) -> _Index:
        rejections: dict[str, list[Rejection]] = {}
        for rejection in draft.clustering.rejections:
            rejections.setdefault(rejection.record, []).append(rejection)
        matches: dict[str, list[tuple[int, MatchDecision]]] = {}
        for position, match in enumerate(result.matches):
            matches.setdefault(match.a, []).append((position, match))
        merged_from: dict[str, list[str]] = {}
        for retirement in result.retirements:
            if retirement.into is not None:
                merged_from.setdefault(retirement.into, []).append(retirement.id)
        return cls(set(result.created), rejections, matches, merged_from)


def _person_update(draft: _Draft, result: Plan, index: _Index, person: str, group: Group, *, now: int) -> PersonUpdate:
    """The person's new state: golden traits, rejections, search text and history events for what changed."""
    component = draft.component
    rejections = sorted((r for k in group.records for r in index.rejections.get(k, ())), key=Rejection.to_json)
    known = set(component.persons[person].rejections) if person in component.persons else set()
    created = person in index.created
    events = person_events(
        now,
        created=created,
        split_from=_split_from(draft, group) if created else [],
        merged_from=sorted(index.merged_from.get(person, ())),
        split_into=sorted(p for p in draft.former.get(person, ()) if p != person and p in index.created),
        rejected=[r for r in rejections if r.to_json() not in known],
        matches=[m for _, m in sorted(_group_matches(index, group)) if _joined_persons(component, m)],
    )
    records = [component.records[k] for k in group.records]
    golden = golden_traits([(r.source, r.observed_at, r.traits) for r in records], draft.rules.source_priority)
    name = person_name(golden)
    return PersonUpdate(person, list(group.records), golden, rejections, events, name, _search(draft, group, name))


def _group_matches(index: _Index, group: Group) -> list[tuple[int, MatchDecision]]:
    return [numbered for k in group.records for numbered in index.matches.get(k, ())]


def _split_from(draft: _Draft, group: Group) -> list[str]:
    """The persons a new person's members belonged to."""
    before = [draft.component.records[k].person for k in group.records]
    before += [draft.component.identifiers[k].person for k in group.identifiers]
    return sorted({p for p in before if p})


def _joined_persons(component: Component, match: MatchDecision) -> bool:
    """The match changed who is who: its records were with different persons, or one with none."""
    persons_before = {component.records[match.a].person, component.records[match.b].person}
    return len(persons_before) > 1 or None in persons_before


def _search(draft: _Draft, group: Group, name: str | None) -> str:
    """What person search finds the person by (see graphcdp/identity/search_text.py): its name, and the words
    of its linking emails and phones (blocked identifiers are not in the group, so never searchable), in key
    order: the same text whichever matches joined the group (graphcdp/identity/additions.py relies on it)."""
    searchable = [
        (type_.kind, key[len(type_.name) + 1 :])
        for key in sorted(group.identifiers)
        if (type_ := draft.rules.policy.types.get(draft.component.identifiers[key].type)) is not None
    ]
    return search_text(name, searchable)


def _shared_flags(draft: _Draft) -> list[SharedFlag]:
    """Identifiers refused in links, counted: from `shared_after_rejections` refusals on, one is shared."""
    counts = Counter(r.identifier for r in draft.clustering.rejections)
    threshold = draft.rules.shared_after_rejections
    return [
        SharedFlag(k, counts[k] >= threshold, counts[k])
        for k, i in sorted(draft.linking.items())
        if counts[k] or i.shared
    ]
