"""Deterministic clustering of one evidence component (pure Python, no database).

The clusters are a function of the evidence alone, never of the order it arrived in: records are
replayed in canonical order (observedAt, key) through the linking rules of docs/identity-resolution.md. That is
what makes concurrent writers converge on the clusters a sequential run gives, and what lets a split
recompute the component from scratch.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from graphcdp.model.node_ref import NodeKind, identifier_ref, parse_node_ref, record_ref


@dataclass(frozen=True)
class RecordNode:
    key: str
    observed_at: int
    identifiers: tuple[str, ...]  # linking identifiers (blocked ones are left out)
    detached: bool = False


@dataclass(frozen=True)
class Rejection:
    record: str
    identifier: str
    reason: str

    def to_json(self) -> str:
        """The form a person stores it in; the planner also orders and compares a person's rejections by it."""
        return json.dumps({"record": self.record, "identifier": self.identifier, "reason": self.reason})


@dataclass
class Group:
    records: list[str] = field(default_factory=list)
    identifiers: list[str] = field(default_factory=list)
    order: tuple[int, str] = (0, "")  # canonical position of its oldest record


@dataclass
class Clustering:
    groups: list[Group]
    rejections: list[Rejection]


class UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def add(self, node: str) -> None:
        self.parent.setdefault(node, node)

    def find(self, node: str) -> str:
        root = node
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[node] != root:  # path compression
            self.parent[node], node = root, self.parent[node]
        return root

    def union(self, keep: str, other: str) -> None:
        self.parent[self.find(other)] = self.find(keep)


# Why records that share an identifier are still not one person (their traits name different people), or None.
Conflict = Callable[[list[str], list[str]], str | None]
# Whether an identifier names a family rather than any of the records that carry it (a household's email).
FamilyAddress = Callable[[str, list[str]], bool]


def cluster(
    records: Iterable[RecordNode],
    identifier_types: dict[str, str],
    priority: Callable[[str], int],
    limit: Callable[[str], int],
    *,
    conflict: Conflict | None = None,
    named: Callable[[str], bool] | None = None,
    family: FamilyAddress | None = None,
) -> Clustering:
    """Clusters of a component. `identifier_types` maps every identifier key of it to its type. With `conflict`,
    an identifier of a type one person may hold several of (a household's email, a family tablet: limit above 1)
    does not join records whose traits say they are different people (graphcdp/identity/trait_conflict.py);
    with `named` too, a record that names no one does not follow such an identifier when records of different
    people carry it, or when `family` says it names a family rather than any of its carriers."""
    ordered = sorted(records, key=lambda r: (r.observed_at, r.key))
    sets = _Sets(identifier_types, limit, conflict)
    if conflict is not None and named is not None:
        sets.shared = shared_identifiers(ordered, identifier_types, limit, conflict, named, family=family)
        sets.named = named
    rejections: list[Rejection] = []
    for record in ordered:
        sets.nodes.add(record_ref(record.key))
        if not record.detached and record.identifiers:
            rejections += sets.link(
                record, sorted(record.identifiers, key=lambda k: (priority(identifier_types[k]), k))
            )
    sets.attach_detached(ordered)
    return Clustering(_groups(sets.nodes, ordered), rejections)


class _Sets:
    """The records and identifiers of a component as merged so far, with the distinct identifier values per
    type each set holds (what type limits are checked against)."""

    def __init__(
        self, identifier_types: dict[str, str], limit: Callable[[str], int], conflict: Conflict | None = None
    ) -> None:
        self.nodes = UnionFind()
        self.limit = limit
        self.types = identifier_types
        self.conflict = conflict
        # root → identifier type → distinct values (plain dicts: a plan merges thousands of them, and a Counter's
        # constructor and + cost several times a dict's)
        self.counts: dict[str, dict[str, int]] = {}
        self.records: dict[str, list[str]] = {}  # root → its records' keys (kept only when conflicts are checked)
        self.carriers: dict[str, list[str]] = {}  # identifier → the records that carried it so far, in order
        self.shared: dict[str, str] = {}  # identifiers a record that names no one cannot follow → why
        self.named: Callable[[str], bool] = bool  # whether a record's traits can say who it is
        for key, type_ in identifier_types.items():
            self.nodes.add(identifier_ref(key))
            self.counts[identifier_ref(key)] = {type_: 1}

    def link(self, record: RecordNode, linking: list[str]) -> list[Rejection]:
        """Join a record to its identifiers, strongest first; the links a type limit or a trait conflict refuses.
        The record joins the person of its strongest identifier that takes it."""
        node = record_ref(record.key)
        if self.conflict is not None:
            self.records[node] = [record.key]
        rejections = []
        joined = False
        for key in linking:
            identifier = identifier_ref(key)
            if self.nodes.find(identifier) == self.nodes.find(node):
                continue
            reason = self.breaks_limit(node, identifier) if joined else None
            if not reason and key in self.shared and not self.named(record.key):
                reason = f"{key} {self.shared[key]} and {record.key} does not say which of them it is"
            if reason:
                rejections.append(Rejection(record.key, key, reason))
                continue
            if (
                self.conflict is not None
                and self.limit(self.types[key]) > 1
                and (reason := self.conflict(self.records_of(node), self.records_of(identifier)))
            ):
                rejections.append(Rejection(record.key, key, reason))
                joined = self.join_carrier(node, key, joined) or joined
                continue
            self.merge(node, identifier) if joined else self.merge(identifier, node)
            joined = True
        if self.conflict is not None:
            for key in linking:
                self.carriers.setdefault(key, []).append(node)
        return rejections

    def join_carrier(self, node: str, key: str, joined: bool) -> bool:
        """After a trait conflict refused an identifier: the record joins the first person (in canonical order)
        of a record that carried it too and is not in conflict with it. A household email is evidence that its
        record is one of the household's people, and its traits say which: Bob's newsletter sign-up on the
        family address joins Bob, not Anna, who holds the address."""
        assert self.conflict is not None  # called after a conflict only
        for other in self.carriers.get(key, []):
            if self.nodes.find(other) in (self.nodes.find(node), self.nodes.find(identifier_ref(key))):
                continue
            if not self.named(parse_node_ref(other)[1]):
                continue  # a record that names no one agrees with anyone: it says nothing of whose it is
            if joined and self.breaks_limit(node, other):
                continue
            if self.conflict(self.records_of(node), self.records_of(other)) is None:
                self.merge(other, node)
                return True
        return False

    def records_of(self, node: str) -> list[str]:
        return self.records.get(self.nodes.find(node), [])

    def attach_detached(self, ordered: list[RecordNode]) -> None:
        """A detached record stands alone, with the identifiers no other record holds."""
        holding_records = {self.nodes.find(n) for n in self.nodes.parent if n.startswith(record_ref(""))}
        for record in (r for r in ordered if r.detached):
            for key in record.identifiers:
                if self.nodes.find(identifier_ref(key)) not in holding_records:
                    self.merge(record_ref(record.key), identifier_ref(key))
                    holding_records.add(self.nodes.find(record_ref(record.key)))

    def merge(self, keep: str, other: str) -> None:
        keep, other = self.nodes.find(keep), self.nodes.find(other)
        if keep != other:
            self.nodes.union(keep, other)
            self.counts[keep] = _added(self.counts.get(keep, {}), self.counts.pop(other, {}))
            if self.conflict is not None:
                self.records[keep] = self.records.get(keep, []) + self.records.pop(other, [])

    def breaks_limit(self, a: str, b: str) -> str | None:
        joined = _added(self.counts.get(self.nodes.find(a), {}), self.counts.get(self.nodes.find(b), {}))
        for type_, n in sorted(joined.items()):
            if n > self.limit(type_):
                return f"one person would hold {n} {type_} values (limit {self.limit(type_)})"
        return None


def _added(a: dict[str, int], b: dict[str, int]) -> dict[str, int]:
    """Counts per identifier type of two sets joined (a new dict; neither is changed)."""
    joined = dict(a)
    for type_, n in b.items():
        joined[type_] = joined.get(type_, 0) + n
    return joined


def shared_identifiers(
    ordered: list[RecordNode],
    identifier_types: dict[str, str],
    limit: Callable[[str], int],
    conflict: Conflict,
    named: Callable[[str], bool],
    *,
    family: FamilyAddress | None,
) -> dict[str, str]:
    """Identifiers one person may hold several of that a record naming no one cannot be placed by, and why:
    records naming different people carry it (a household's email), or it names a family and none of the
    records that carry it (themillers@: only one member may have been seen with it so far). The named carriers
    are grouped by the pairs that can be one person (Abby, Abigail and a mistyped Anigail are one group); more
    than one group is more than one person."""
    carriers: dict[str, list[str]] = {}
    for record in ordered:
        if not record.detached and named(record.key):
            for key in record.identifiers:
                if limit(identifier_types[key]) > 1:
                    carriers.setdefault(key, []).append(record.key)
    shared = {}
    for key, keys in carriers.items():
        if _people_among(keys, conflict) > 1:
            shared[key] = "is shared by different people"
        elif family is not None and family(key, keys):
            shared[key] = "names a family, not a person,"
    return shared


def _people_among(keys: list[str], conflict: Conflict) -> int:
    """How many groups the records make when two records that do not name different people are one group."""
    groups = UnionFind()
    for key in keys:
        groups.add(key)
    for i, a in enumerate(keys):
        for b in keys[i + 1 :]:
            if groups.find(a) != groups.find(b) and conflict([a], [b]) is None:
                groups.union(a, b)
    return len({groups.find(key) for key in keys})


def _groups(nodes: UnionFind, ordered: list[RecordNode]) -> list[Group]:
    """The sets of the union-find as groups, oldest evidence first (record-less groups last)."""
    rank = {record_ref(r.key): (r.observed_at, r.key) for r in ordered}
    by_root: dict[str, Group] = {}
    for node in sorted(nodes.parent):
        group = by_root.setdefault(nodes.find(node), Group(order=(2**62, node)))
        kind, key = parse_node_ref(node)
        if kind is NodeKind.RECORD:
            group.records.append(key)
            group.order = min(group.order, rank[node])
        else:
            group.identifiers.append(key)
    return sorted(by_root.values(), key=lambda g: g.order)
