"""Deterministic clustering of one evidence component (pure Python, no database).

The clusters are a function of the evidence alone, never of the order it arrived in: records are
replayed in canonical order (observedAt, key) through the linking rules of DESIGN section 4. That is
what makes concurrent writers converge on the clusters a sequential run gives, and what lets a split
recompute the component from scratch.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field


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


def cluster(
    records: Iterable[RecordNode],
    identifier_types: dict[str, str],
    priority: Callable[[str], int],
    limit: Callable[[str], int],
) -> Clustering:
    """Clusters of a component. `identifier_types` maps every identifier key of it to its type."""
    nodes = UnionFind()
    counts: dict[str, Counter[str]] = {}  # root → identifier type → distinct values
    for key, type_ in identifier_types.items():
        nodes.add(f"i:{key}")
        counts[f"i:{key}"] = Counter({type_: 1})
    rejections: list[Rejection] = []

    def merge(keep: str, other: str) -> None:
        keep, other = nodes.find(keep), nodes.find(other)
        if keep != other:
            nodes.union(keep, other)
            counts[keep] = counts.get(keep, Counter()) + counts.pop(other, Counter())

    def breaks_limit(a: str, b: str) -> str | None:
        joined = counts.get(nodes.find(a), Counter()) + counts.get(nodes.find(b), Counter())
        for type_, n in sorted(joined.items()):
            if n > limit(type_):
                return f"one person would hold {n} {type_} values (limit {limit(type_)})"
        return None

    ordered = sorted(records, key=lambda r: (r.observed_at, r.key))
    for record in ordered:
        node = f"r:{record.key}"
        nodes.add(node)
        if record.detached or not record.identifiers:
            continue
        linking = sorted(record.identifiers, key=lambda k: (priority(identifier_types[k]), k))
        merge(f"i:{linking[0]}", node)  # the record joins the person of its strongest identifier
        for key in linking[1:]:
            if nodes.find(f"i:{key}") == nodes.find(node):
                continue
            if reason := breaks_limit(node, f"i:{key}"):
                rejections.append(Rejection(record.key, key, reason))
            else:
                merge(node, f"i:{key}")
    # A detached record stands alone, with the identifiers no other record holds.
    holding_records = {nodes.find(n) for n in nodes.parent if n.startswith("r:")}
    for record in (r for r in ordered if r.detached):
        for key in record.identifiers:
            if nodes.find(f"i:{key}") not in holding_records:
                merge(f"r:{record.key}", f"i:{key}")
                holding_records.add(nodes.find(f"r:{record.key}"))
    return Clustering(_groups(nodes, ordered), rejections)


def _groups(nodes: UnionFind, ordered: list[RecordNode]) -> list[Group]:
    """The sets of the union-find as groups, oldest evidence first (record-less groups last)."""
    rank = {f"r:{r.key}": (r.observed_at, r.key) for r in ordered}
    by_root: dict[str, Group] = {}
    for node in sorted(nodes.parent):
        group = by_root.setdefault(nodes.find(node), Group(order=(2**62, node)))
        kind, key = node.split(":", 1)
        if kind == "r":
            group.records.append(key)
            group.order = min(group.order, rank[node])
        else:
            group.identifiers.append(key)
    return sorted(by_root.values(), key=lambda g: g.order)
