"""The identity graph around one identifier, for drawing: identifiers, records and persons within
`depth` hops over HAS and OF edges (either direction), with the edges among them.

The walk is breadth first from Python, one indexed Cypher lookup per level for the whole frontier,
and every lookup is cut at the node budget left: the cost is bounded by the node limit, never by the
size of the graph or the degree of a node (a shared cookie held by a million records costs no more
than the limit).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from graphcdp.errors import ErrorCode, GraphCDPError
from graphcdp.identity.normalize import IdentifierPolicy
from graphcdp.store import GraphStore, statement

GRAPH_IDENTIFIER = statement("explore/graph_identifier")
GRAPH_NEIGHBOURS = statement("explore/graph_neighbours")
GRAPH_PERSONS = statement("explore/graph_persons")
GRAPH_EDGES = statement("explore/graph_edges")

NodeKind = Literal["identifier", "record", "person"]
# When a level has to be cut, persons are kept first (they give the drawing its structure), then
# identifiers, then records.
_KEEP_FIRST: Mapping[str, int] = {"person": 0, "identifier": 1, "record": 2}


class GraphDepthError(GraphCDPError):
    code = ErrorCode.INVALID_DEPTH


@dataclass(frozen=True)
class GraphNode:
    kind: NodeKind
    key: str  # identifier key, record key (source:sourceId) or person id
    distance: int  # hops from the starting identifier
    properties: dict[str, Any]

    @property
    def id(self) -> str:
        return node_id(self.kind, self.key)

    @property
    def label(self) -> str:
        if self.kind == "identifier":
            return str(self.properties.get("value") or self.key)
        if self.kind == "record":
            return self.key
        return _display_name(self.properties.get("traits") or {}) or self.key


@dataclass(frozen=True)
class GraphEdge:
    source: str  # node ids
    target: str
    type: Literal["HAS", "OF"]
    properties: dict[str, Any]


@dataclass(frozen=True)
class IdentityGraph:
    nodes: list[GraphNode]
    edges: list[GraphEdge]
    truncated: bool  # the node limit cut the walk: more nodes lie within `depth`
    depth: int


def node_id(kind: str, key: str) -> str:
    return f"{kind}:{key}"


def _display_name(traits: Mapping[str, Any]) -> str:
    parts = [str(traits[k]) for k in ("firstName", "lastName") if traits.get(k) not in (None, "")]
    return " ".join(parts) or str(traits.get("name") or "")


def _node(row: Mapping[str, Any], distance: int) -> GraphNode:
    properties = dict(row["properties"])
    if "traits" in properties:  # stored as JSON text (DESIGN section 3); drawn as an object
        properties["traits"] = json.loads(properties["traits"] or "{}")
    if row["kind"] == "person":
        properties["id"] = row["key"]
    return GraphNode(kind=row["kind"], key=row["key"], distance=distance, properties=properties)


class _Walk:
    """The nodes found so far, by kind, and whether the node limit has cut the walk."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.nodes: dict[tuple[str, str], GraphNode] = {}
        self.truncated = False

    def keys(self, kind: NodeKind, nodes: Iterable[GraphNode] | None = None) -> list[str]:
        return sorted(n.key for n in (self.nodes.values() if nodes is None else nodes) if n.kind == kind)

    @property
    def budget(self) -> int:
        return self.limit - len(self.nodes)

    def add(self, rows: Iterable[Mapping[str, Any]], distance: int) -> list[GraphNode]:
        """Add the new nodes among `rows` (asked for with LIMIT budget + 1), cutting at the limit."""
        fresh = {(row["kind"], row["key"]): row for row in rows if (row["kind"], row["key"]) not in self.nodes}
        ordered = sorted(fresh, key=lambda kind_key: (_KEEP_FIRST[kind_key[0]], kind_key[1]))
        if len(ordered) > self.budget:
            self.truncated = True
            ordered = ordered[: self.budget]
        added = [_node(fresh[kind_key], distance) for kind_key in ordered]
        self.nodes.update(((n.kind, n.key), n) for n in added)
        return added


class GraphExplorer:
    def __init__(self, store: GraphStore, policy: IdentifierPolicy, max_depth: int, node_limit: int) -> None:
        self.store = store
        self.policy = policy
        self.max_depth = max_depth
        self.node_limit = node_limit

    async def identity_graph(self, type_: str, value: str, depth: int) -> IdentityGraph | None:
        """The graph within `depth` hops of an identifier (any input spelling); None if it is unknown.

        Nodes at the outer edge (distance == depth) are not expanded, but their person is added (at
        depth + 1) so that a drawing can tell whom every identifier and record belongs to.
        """
        if not 1 <= depth <= self.max_depth:
            raise GraphDepthError(f"must be between 1 and {self.max_depth} (GRAPHCDP_GRAPH_MAX_DEPTH)")
        key = self.policy.normalize(type_, value).key
        seed = await self.store.run(GRAPH_IDENTIFIER, {"key": key})
        if not seed:
            return None
        walk = _Walk(self.node_limit)
        frontier = walk.add(seed, 0)
        for distance in range(1, depth + 1):
            if not frontier or walk.truncated:
                break
            rows = await self.store.run(
                GRAPH_NEIGHBOURS,
                {
                    "identifiers": walk.keys("identifier", frontier),
                    "records": walk.keys("record", frontier),
                    "persons": walk.keys("person", frontier),
                    "seenIdentifiers": walk.keys("identifier"),
                    "seenRecords": walk.keys("record"),
                    "seenPersons": walk.keys("person"),
                    "limit": walk.budget + 1,  # one more than fits tells whether the limit cut the level
                },
            )
            frontier = walk.add(rows, distance)
        else:
            await self._add_persons_of_outer_edge(walk, frontier, depth)
        edges = await self._edges(walk)
        nodes = sorted(walk.nodes.values(), key=lambda n: (n.distance, _KEEP_FIRST[n.kind], n.key))
        return IdentityGraph(nodes=nodes, edges=edges, truncated=walk.truncated, depth=depth)

    async def _add_persons_of_outer_edge(self, walk: _Walk, outer: list[GraphNode], depth: int) -> None:
        members = [n for n in outer if n.kind != "person"]
        if not members or walk.truncated:
            return
        rows = await self.store.run(
            GRAPH_PERSONS,
            {
                "identifiers": walk.keys("identifier", members),
                "records": walk.keys("record", members),
                "seenPersons": walk.keys("person"),
                "limit": walk.budget + 1,
            },
        )
        walk.add(rows, depth + 1)

    async def _edges(self, walk: _Walk) -> list[GraphEdge]:
        rows = await self.store.run(
            GRAPH_EDGES,
            {
                "identifiers": walk.keys("identifier"),
                "records": walk.keys("record"),
                "persons": walk.keys("person"),
            },
        )
        edges = [
            GraphEdge(
                source=node_id(row["sourceKind"], row["source"]),
                target=node_id(row["targetKind"], row["target"]),
                type=row["type"],
                properties={"at": row["at"], "source": row["provenance"]} if row["type"] == "HAS" else {},
            )
            for row in rows
        ]
        return sorted(edges, key=lambda e: (e.type, e.source, e.target))
