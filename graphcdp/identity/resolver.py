"""Resolution of one component: cluster it, give the clusters stable person ids, and commit the
result with an optimistic check (re-read and retry when a concurrent writer changed the component)."""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import random
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from graphcdp.errors import GraphCDPError
from graphcdp.identity.clustering import Clustering, Group, RecordNode, Rejection, cluster
from graphcdp.identity.component import Component, read_component
from graphcdp.identity.golden import golden_traits
from graphcdp.identity.matching.linking import MatchDecision, link_groups
from graphcdp.identity.matching.runtime import MatchingRuntime
from graphcdp.identity.normalize import IdentifierPolicy
from graphcdp.identity.search_text import person_name, search_text
from graphcdp.model.identity import CommitResult
from graphcdp.store import GraphStore, statement

COMMIT = statement("identity/commit_resolution", CommitResult)
RELEASE_ROUNDS = 3  # follow-up resolutions after a split, before the rest waits for the next change

log = logging.getLogger(__name__)


class ResolutionConflictError(GraphCDPError):
    code = "RESOLUTION_CONFLICT"


@dataclass(frozen=True)
class ResolutionRules:
    policy: IdentifierPolicy
    source_priority: Sequence[str]
    shared_after_rejections: int
    max_component_records: int
    retries: int
    matching: MatchingRuntime | None = None  # None: deterministic linking only


@dataclass
class Plan:
    """What a resolution does: who ends up where, which ids retire, which links were refused."""

    person_of_record: dict[str, str] = field(default_factory=dict)
    created: list[str] = field(default_factory=list)
    retired: dict[str, str | None] = field(default_factory=dict)  # old id → surviving id (None: no evidence left)
    rejections: list[Rejection] = field(default_factory=list)
    persons: list[str] = field(default_factory=list)  # every person of the component afterwards
    matches: list[MatchDecision] = field(default_factory=list)  # probabilistic links applied
    refused_matches: list[MatchDecision] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)

    def merged_into(self, person: str) -> list[str]:
        return sorted(old for old, into in self.retired.items() if into == person)


def now_ms() -> int:
    return int(time.time() * 1000)


def _event(kind: str, at: int, **detail: Any) -> str:
    return json.dumps({"kind": kind, "at": at, **detail}, sort_keys=True)


def _rejection_json(rejection: Rejection) -> str:
    return json.dumps({"record": rejection.record, "identifier": rejection.identifier, "reason": rejection.reason})


def plan(
    component: Component,
    rules: ResolutionRules,
    now: int,
    extra_persons: Iterable[str] = (),
    new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
) -> Plan:
    linking = {k: i for k, i in component.identifiers.items() if not i.blocked}
    records = [
        RecordNode(r.key, r.observed_at, tuple(k for k in r.identifiers if k in linking), r.detached)
        for r in component.records.values()
    ]
    clustering = cluster(records, {k: i.type for k, i in linking.items()}, rules.policy.priority, rules.policy.limit)
    result = Plan(rejections=clustering.rejections)
    _apply_matches(clustering, component, rules, result)
    current: dict[str, str | None] = {f"r:{k}": r.person for k, r in component.records.items()}
    current.update({f"i:{k}": i.person for k, i in linking.items()})

    def members(group: Group) -> list[str]:
        return [f"r:{k}" for k in group.records] + [f"i:{k}" for k in group.identifiers]

    def age(person: str) -> tuple[int, str]:
        state = component.persons.get(person)
        return (state.created_at if state else now, person)

    taken: dict[str, Group] = {}
    for group in clustering.groups:  # oldest evidence first: it keeps the oldest person's id
        candidates = {current[m] for m in members(group)} - {None} - taken.keys()
        person = min((p for p in candidates if p), key=age) if candidates else new_id()
        if not candidates:
            result.created.append(person)
        taken[person] = group

    former: dict[str, Counter[str]] = {}  # old person → new person → members moved there
    for person, group in taken.items():
        for m in members(group):
            if old := current[m]:
                former.setdefault(old, Counter())[person] += 1
    for old in sorted({p for p in current.values() if p} | set(extra_persons)):
        if old not in taken:
            moved = former.get(old)
            result.retired[old] = moved.most_common(1)[0][0] if moved else None

    shared_counts = Counter(r.identifier for r in clustering.rejections)
    persons_param, record_moves, identifier_moves = [], [], []
    for person, group in taken.items():
        for key in group.records:
            result.person_of_record[key] = person
            if component.records[key].person != person:
                record_moves.append({"key": key, "old": component.records[key].person or "", "person": person})
        for key in group.identifiers:
            if linking[key].person != person:
                identifier_moves.append({"key": key, "old": linking[key].person or "", "person": person})
        persons_param.append(
            _person_entry(
                person,
                group,
                component=component,
                rejections=clustering.rejections,
                result=result,
                former=former,
                rules=rules,
                now=now,
            )
        )
    result.persons = [p for p, _ in sorted(taken.items(), key=lambda item: item[1].order)]
    retired_param = [
        {
            "id": old,
            "into": into,
            "events": [_event("merged_into", now, person=into) if into else _event("emptied", now)],
        }
        for old, into in sorted(result.retired.items())
    ]
    flags = [
        {"key": k, "shared": shared_counts[k] >= rules.shared_after_rejections, "rejections": shared_counts[k]}
        for k, i in sorted(linking.items())
        if shared_counts[k] or i.shared
    ]
    checks = [
        {"record": k, "identifier": "", "person": r.person or "", "degree": r.degree, "version": r.version}
        for k, r in sorted(component.records.items())
    ] + [
        {"record": "", "identifier": k, "person": i.person or "", "degree": len(i.records), "version": -1}
        for k, i in sorted(linking.items())
    ]
    result.params = {
        "now": now,
        "checks": checks,
        "persons": persons_param,
        "retired": retired_param,
        "recordMoves": record_moves,
        "identifierMoves": identifier_moves,
        "flags": flags,
        "resolved": sorted(component.records),
    }
    return result


def _apply_matches(clustering: Clustering, component: Component, rules: ResolutionRules, result: Plan) -> None:
    """Probabilistic links on top of the deterministic clusters (graphcdp/identity/matching/linking.py)."""
    if rules.matching is None or not any(r.matches for r in component.records.values()):
        return
    linked = link_groups(clustering.groups, component, rules.matching.scorer, rules.policy.limit)
    clustering.groups, result.matches, result.refused_matches = linked.groups, linked.applied, linked.refused
    # A refused match is kept with the person like a refused identifier link: explained, and in its history once.
    clustering.rejections += [Rejection(m.a, f"record:{m.b}", m.reason) for m in linked.refused]


def _person_entry(
    person: str,
    group: Group,
    *,
    component: Component,
    rejections: list[Rejection],
    result: Plan,
    former: dict[str, Counter[str]],
    rules: ResolutionRules,
    now: int,
) -> dict[str, Any]:
    """The person's new state: golden traits, rejections, and history events for what changed."""
    in_group = set(group.records)
    mine = sorted(_rejection_json(r) for r in rejections if r.record in in_group)
    known = set(component.persons[person].rejections) if person in component.persons else set()
    events = []
    if person in result.created:
        before = [component.records[k].person for k in group.records]
        before += [component.identifiers[k].person for k in group.identifiers]
        split_from = sorted({p for p in before if p})
        events.append(_event("created", now, **({"splitFrom": split_from} if split_from else {})))
    if merged := result.merged_into(person):
        events.append(_event("merged_from", now, persons=merged))
    if split_into := sorted(p for p in former.get(person, Counter()) if p != person and p in result.created):
        events.append(_event("split_into", now, persons=split_into))
    events += [_event("rejected_link", now, **json.loads(r)) for r in mine if r not in known]
    for match in result.matches:  # which rule and score joined what, when it changed who is who
        persons_before = {component.records[match.a].person, component.records[match.b].person}
        if match.a in in_group and (len(persons_before) > 1 or None in persons_before):
            events.append(
                _event(
                    "matched",
                    now,
                    records=[match.a, match.b],
                    score=round(match.score, 6),
                    rule=match.rule,
                    reviewed=match.reviewed,
                )
            )
    records = [component.records[k] for k in group.records]
    traits = [(r.source, r.observed_at, r.traits) for r in records]
    golden = golden_traits(traits, rules.source_priority)
    # What person search finds the person by (see graphcdp/identity/search_text.py): its name, and the words
    # of its linking emails and phones (blocked identifiers are not in the group, so never searchable).
    name = person_name(golden)
    searchable = [
        (type_.kind, key[len(type_.name) + 1 :])
        for key in group.identifiers
        if (type_ := rules.policy.types.get(component.identifiers[key].type)) is not None
    ]
    return {
        "id": person,
        "traits": json.dumps(golden, sort_keys=True),
        "rejections": mine,
        "events": events,
        "recordCount": len(group.records),
        "name": name,
        "search": search_text(name, searchable),
    }


async def resolve(
    store: GraphStore,
    rules: ResolutionRules,
    *,
    record_keys: Iterable[str] = (),
    identifier_keys: Iterable[str] = (),
    extra_persons: Iterable[str] = (),
    patch: Callable[[Component], None] | None = None,
    commit: bool = True,
) -> Plan:
    """Read the component of the seeds, plan it and (unless `commit` is false) commit it, retrying on conflict.
    Then resolve again from the records a split released, so a match refused only because of the records
    they were with gets its chance (bounded: what remains waits for the next change there)."""
    records, identifiers, extra = sorted(set(record_keys)), sorted(set(identifier_keys)), sorted(set(extra_persons))
    if not commit:  # a dry run: new persons get placeholder ids, nothing is written
        component = await read_component(store, records, identifiers, rules.max_component_records)
        if patch is not None:
            patch(component)
        placeholders = (f"new:{n}" for n in itertools.count(1))
        return plan(component, rules, now_ms(), extra, new_id=placeholders.__next__)
    component, result = await _resolve_once(store, rules, records, identifiers=identifiers, extra=extra, patch=patch)
    released = released_records(component, result)
    for _ in range(RELEASE_ROUNDS):
        if not released:
            break
        try:
            component, follow_up = await _resolve_once(store, rules, released)
        except ResolutionConflictError:
            break  # the caller's own change is committed; these wait for the next change, as below
        released = released_records(component, follow_up)
    if released:
        log.warning("%d records released by a split wait for their next change to be resolved again", len(released))
    return result


async def _resolve_once(
    store: GraphStore,
    rules: ResolutionRules,
    records: list[str],
    *,
    identifiers: Sequence[str] = (),
    extra: Sequence[str] = (),
    patch: Callable[[Component], None] | None = None,
) -> tuple[Component, Plan]:
    for attempt in range(rules.retries + 1):
        component = await read_component(store, records, identifiers, rules.max_component_records)
        if patch is not None:
            patch(component)
        result = plan(component, rules, now_ms(), extra)
        if await store.run(COMMIT, result.params):
            return component, result
        # Someone changed this component between our read and our commit: back off and read again.
        await asyncio.sleep(random.uniform(0, 0.005 * 2 ** min(attempt, 6)))  # noqa: S311 - jitter, not crypto
    raise ResolutionConflictError(
        f"the evidence kept changing under {rules.retries + 1} attempts; the record is stored and will be "
        "resolved with the next change to its component, or send it again"
    )


def released_records(component: Component, result: Plan) -> list[str]:
    """Records of a person that split, with probabilistic links the component did not follow (see
    graphcdp/identity/component.py): a link refused against the records they were with may hold now."""
    after: dict[str, set[str]] = {}
    for key, record in component.records.items():
        if record.person is not None:
            after.setdefault(record.person, set()).add(result.person_of_record.get(key, ""))
    split = {person for person, now in after.items() if len(now) > 1}
    return sorted(
        key
        for key, record in component.records.items()
        if record.person in split and any(m.other not in component.records for m in record.matches)
    )
