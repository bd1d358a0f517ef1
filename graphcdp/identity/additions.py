"""Set-based resolution of a batch's new evidence records (touchpoint and consent evidence: identifiers, no
traits) that only add to one person or make a new one on their own: the common case of a bulk import, where
most new identifier sets meet a person that already holds them, or nobody.

The full resolver (graphcdp/identity/resolver.py) reads the whole component of every changed record, plans it
again and checks every record and identifier of it at commit; for a touchpoint batch that is most of the
persons of the graph, again and again. Here the batch's identifiers and the persons they belong to are read
in two statements, the records are clustered in memory by the identifiers they share, and every cluster that
provably resolves as the full plan would is committed in one statement (cypher/identity/commit_additions).
The rest goes to the full resolver.

Why the result is the full plan's. A cluster qualifies when its identifiers are held by no one but its own
records and the records of at most one person P; none of them is blocked, shared or was ever refused in a link;
P holds no refused link (her `rejections` are empty and none of her identifiers was refused to anyone); no
record holding them is detached (a detached record stands alone); and
P's identifiers with the cluster's stay within every type limit; and, with matching on, no identifier of the cluster
of a type one person may hold several of is one the clustering keeps records naming no one from following
(carried by records naming different people, or naming a family: `shared_identifiers`, decided here from the
named records that carry it, as the full plan decides it). Then P's component is P alone (a component
reaches another person only through a refused link), every merge the clustering tries inside P plus the
cluster stays within the limits whatever the replay order (counts only grow towards those of the whole), so
nothing is refused and everything ends in one cluster that keeps P's id (or, with no P, gets a new one). If
matches joined P, the cluster can only join her deterministic groups earlier than a match did: every pair of
records a match decision compares was compared before (and supported), no cannot-link lies inside P (it would
have been refused), and the type limits hold, so the same matches hold. The records carry no traits, so the
golden traits and the name stay as they are; the search text (identifiers in key order) gains the new emails
and phones; the history gains an event only for a new person. Clusters that reach the same P are one cluster
here, as they are in the full plan (P joins them). A record stored before and already P's comes back when an
earlier observation moved its observedAt back: observedAt only orders the clustering's replay, and under
the conditions above no merge is refused whatever the order, and a record without traits weighs nothing in
the golden traits, so it stays P's and nothing else changes. The commit checks the records (still unresolved,
with the same person or none), the identifiers (same person, same number of records) and the persons (same
version), so a concurrent writer makes it write nothing, and the caller falls back to the full resolver for
those records.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from graphcdp.clock import now_ms
from graphcdp.identity.clustering import RecordNode, UnionFind, shared_identifiers
from graphcdp.identity.commit import event_json
from graphcdp.identity.component import Component, RecordState
from graphcdp.identity.history import EventKind, HistoryEvent
from graphcdp.identity.rules import ResolutionRules
from graphcdp.identity.search_text import person_name, search_text
from graphcdp.identity.trait_conflict import TraitConflicts
from graphcdp.model.additions import AdditionIdentifier, AdditionPerson
from graphcdp.model.facets import trait_facets
from graphcdp.model.feed import ChangeEvent, ChangeKind, change_params
from graphcdp.model.identity import CommitResult
from graphcdp.store import GraphStore, statement

ADDITION_IDENTIFIERS = statement("identity/addition_identifiers", AdditionIdentifier)
ADDITION_PERSONS = statement("identity/addition_persons", AdditionPerson)
COMMIT_ADDITIONS = statement("identity/commit_additions", CommitResult)

# Below this many new evidence records one full plan is as cheap, and single writes keep the one road.
MIN_BATCH = 50


@dataclass(frozen=True)
class NewEvidence:
    """An evidence record just stored, not resolved yet: its key and its linking identifiers (key, type). A
    record stored before has its person: it is resolved again because an earlier observation moved its
    observedAt back (identity/upsert_evidence)."""

    key: str
    identifiers: tuple[tuple[str, str], ...]
    person: str | None = None


@dataclass
class Additions:
    """What was resolved here, and what is left to the full resolver."""

    person_of: dict[str, str] = field(default_factory=dict)  # record key → its person
    created: list[str] = field(default_factory=list)
    rest: list[str] = field(default_factory=list)  # record keys the full resolver must resolve


@dataclass
class _Cluster:
    records: list[NewEvidence]
    person: AdditionPerson | None = None
    identifiers: dict[str, AdditionIdentifier] = field(default_factory=dict)

    @property
    def keys(self) -> list[str]:
        return [r.key for r in self.records]


async def resolve_additions(store: GraphStore, rules: ResolutionRules, records: Sequence[NewEvidence]) -> Additions:
    """Resolve the records that only add to one person (or make one), in a few statements; the others are
    returned in `rest`, as all of them are when the commit finds the graph changed since it was read."""
    result = Additions()
    keys = sorted({key for r in records for key, _ in r.identifiers})
    params = {"keys": keys, "shareable": _shareable_types(rules)}
    identifiers = {row.key: row for row in await store.run(ADDITION_IDENTIFIERS, params)} if keys else {}
    clusters: list[_Cluster] = []
    owners: dict[int, str] = {}
    owned: dict[str, _Cluster] = {}  # person → the one cluster joining her
    for cluster in _clusters(records):
        found = _owner(cluster, identifiers)
        if found is None or _refused_to_the_nameless(cluster, rules):
            result.rest += cluster.keys
        elif found in owned:  # joins the same person as an earlier cluster: one cluster, as in the full plan
            owned[found].records += cluster.records
            owned[found].identifiers |= cluster.identifiers
        else:
            if found:
                owners[len(clusters)] = found
                owned[found] = cluster
            clusters.append(cluster)
    ids = sorted(set(owners.values()))
    persons = {row.id: row for row in await store.run(ADDITION_PERSONS, {"ids": ids})} if ids else {}
    accepted: list[_Cluster] = []
    for position, cluster in enumerate(clusters):
        owner = owners.get(position)
        cluster.person = persons.get(owner) if owner else None
        if (owner and cluster.person is None) or not _within_rules(cluster, rules):
            result.rest += cluster.keys
            continue
        accepted.append(cluster)
    if accepted:
        params, person_of, created = _commit_params(accepted, rules, now_ms())
        if await store.run(COMMIT_ADDITIONS, params):
            result.person_of, result.created = person_of, created
        else:  # someone changed what was read: the full resolver reads again, and retries
            result.rest += [key for cluster in accepted for key in cluster.keys]
    return result


def _clusters(records: Sequence[NewEvidence]) -> list[_Cluster]:
    """The records grouped by the identifiers they share (in the batch's order)."""
    sets = UnionFind()
    for record in records:
        sets.add(record.key)
        for key, _ in record.identifiers:
            sets.add("\0" + key)  # identifier keys apart from record keys
            sets.union(record.key, "\0" + key)
    grouped: dict[str, _Cluster] = {}
    for record in records:
        grouped.setdefault(sets.find(record.key), _Cluster([])).records.append(record)
    return list(grouped.values())


def _owner(cluster: _Cluster, identifiers: dict[str, AdditionIdentifier]) -> str | None:
    """The one person the cluster's identifiers belong to ("" for none), or None when the cluster reaches
    further: a blocked, shared or refused identifier, one held by a record of another person or of none, or
    by a detached record."""
    mine = set(cluster.keys)
    owners = {record.person for record in cluster.records if record.person}
    for record in cluster.records:
        for key, _ in record.identifiers:
            row = identifiers.get(key)
            if row is None or row.blocked or row.shared or row.rejections:
                return None
            if record.person and row.person != record.person:  # a stored record apart from its identifier
                return None
            for holder, person, detached in row.holders:
                if detached or (holder not in mine and (not person or person != row.person)):
                    return None
            cluster.identifiers[key] = row
            if row.person:
                owners.add(row.person)
    if len(owners) > 1:
        return None
    return next(iter(owners), "")


def _shareable_types(rules: ResolutionRules) -> list[str]:
    """The identifier types whose named holders addition_identifiers returns: those one person may hold several of,
    which the clustering checks for households only with matching on."""
    if rules.matching is None:
        return []
    return sorted(name for name, policy in rules.policy.types.items() if policy.limit > 1)


def _refused_to_the_nameless(cluster: _Cluster, rules: ResolutionRules) -> bool:
    """Whether the full plan's clustering would keep the cluster's records (evidence: they name no one) from
    following one of its identifiers, because the records carrying it name different people or it names a family
    (graphcdp/identity/clustering.py, shared_identifiers). Decided from those named records, as the planner
    decides it over the component: they are all of its named carriers (`_owner` let no other holder through)."""
    named = {key: traits for row in cluster.identifiers.values() for key, traits in row.named}
    if rules.matching is None or not named:
        return False
    carriers = Component(records={key: _named_record(key, traits) for key, traits in named.items()})
    emails = {name for name, policy in rules.policy.types.items() if policy.kind == "email"}
    traits = TraitConflicts(carriers, rules.matching.scorer, emails)
    held = {record: [key for key, row in cluster.identifiers.items() if any(k == record for k, _ in row.named)]
            for record in named}  # fmt: skip
    nodes = [RecordNode(record, 0, tuple(keys)) for record, keys in sorted(held.items())]
    types = {key: row.type for key, row in cluster.identifiers.items()}
    shared = shared_identifiers(
        nodes, types, rules.policy.limit, traits.between, traits.named, family=traits.names_a_family
    )
    return bool(shared)


def _named_record(key: str, traits: dict[str, Any]) -> RecordState:
    """A carrier as the household check reads it: its traits alone (it compares first names, last names and birth
    dates, nothing else of the record)."""
    return RecordState(key, "", 0, traits, False, 0, 0, [], None, None)


def _within_rules(cluster: _Cluster, rules: ResolutionRules) -> bool:
    """The person holds no refused link, and with the cluster's identifiers stays within every type limit."""
    held = {key: row.type for key, row in cluster.identifiers.items()}
    if (person := cluster.person) is not None:
        refused = any(count or shared for _, _, count, shared in person.identifiers)
        if person.retired or person.rejections or refused:
            return False
        held |= {key: type_ for key, type_, _, _ in person.identifiers}
    counts = Counter(held.values())
    return all(n <= rules.policy.limit(type_) for type_, n in counts.items())


def _commit_params(
    clusters: list[_Cluster], rules: ResolutionRules, now: int
) -> tuple[dict[str, Any], dict[str, str], list[str]]:
    """commit_additions' parameters, the person of each record, and the persons created."""
    checks: list[dict[str, Any]] = []
    persons: list[dict[str, Any]] = []
    record_moves: list[dict[str, str]] = []
    identifier_moves: list[dict[str, str]] = []
    created_events: list[ChangeEvent] = []
    identifier_events: list[ChangeEvent] = []
    person_of: dict[str, str] = {}
    created: list[str] = []
    for cluster in clusters:
        person = cluster.person
        person_id = person.id if person else str(uuid.uuid4())
        joining = sorted(key for key, row in cluster.identifiers.items() if not row.person)
        all_keys = sorted(set(cluster.identifiers) | ({key for key, *_ in person.identifiers} if person else set()))
        types = {key: row.type for key, row in cluster.identifiers.items()}
        types |= {key: type_ for key, type_, _, _ in person.identifiers} if person else {}
        traits = person.traits if person else {}
        name = person_name(traits)
        searchable = [
            (policy.kind, key[len(policy.name) + 1 :])
            for key in all_keys
            if (policy := rules.policy.types.get(types[key])) is not None
        ]
        added_types = sorted(types[key] for key in joining)
        events = [] if person else [event_json(HistoryEvent(EventKind.CREATED, now, {}))]
        persons.append({
            "id": person_id,
            "traits": json.dumps(traits, sort_keys=True),
            "traitFacets": trait_facets(traits),
            "rejections": [],
            "events": events,
            "recordCount": (person.record_count if person else 0) + sum(not r.person for r in cluster.records),
            "name": name,
            "search": search_text(name, searchable),
        })  # fmt: skip
        if person:
            checks.append(_check(person=person.id, version=person.version))
            if added_types:
                identifier_events.append(
                    ChangeEvent(ChangeKind.IDENTIFIERS_CHANGED, person_id, {"added": added_types, "removed": []})
                )
        else:
            created.append(person_id)
            data = {"traits": [], "identifiers": added_types}
            created_events.append(ChangeEvent(ChangeKind.CREATED, person_id, data))
        for record in cluster.records:
            checks.append(_check(record=record.key, owner=record.person or "", degree=len(record.identifiers)))
            record_moves.append({"key": record.key, "person": person_id})
            person_of[record.key] = person_id
        for key, row in sorted(cluster.identifiers.items()):
            checks.append(_check(identifier=key, owner=row.person or "", degree=row.degree))
        identifier_moves += [{"key": key, "person": person_id} for key in joining]
    params = {
        "now": now,
        "checks": checks,
        "persons": persons,
        "recordMoves": record_moves,
        "identifierMoves": identifier_moves,
        "changes": change_params(created_events + identifier_events),
    }
    return params, person_of, created


def _check(
    *, record: str = "", identifier: str = "", person: str = "", owner: str = "", degree: int = 0, version: int = -1
) -> dict[str, Any]:
    return {
        "record": record,
        "identifier": identifier,
        "person": person,
        "owner": owner,
        "degree": degree,
        "version": version,
    }
