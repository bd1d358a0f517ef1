"""The identity graph around one identifier, for drawing: identifiers, records and persons within
`depth` hops over HAS and OF edges (either direction), with the edges among them, the match links
between its records included.

The walk is breadth first from Python, one indexed Cypher lookup per level for the whole frontier,
and every lookup is cut at the node budget left: the cost is bounded by the node limit, never by the
size of the graph or the degree of a node (a shared cookie held by a million records costs no more
than the limit).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from graphcdp.errors import ErrorCode, GraphCDPError
from graphcdp.identity.normalize import IdentifierPolicy
from graphcdp.model.explore import GraphEdge, GraphEdgeRow, GraphNode, GraphNodeRow, IdentityGraph
from graphcdp.model.node_ref import NodeKind, node_ref
from graphcdp.store import GraphStore, statement

GRAPH_IDENTIFIER = statement("explore/graph_identifier", GraphNodeRow)
GRAPH_NEIGHBOURS = statement("explore/graph_neighbours", GraphNodeRow)
GRAPH_PERSONS = statement("explore/graph_persons", GraphNodeRow)
GRAPH_EDGES = statement("explore/graph_edges", GraphEdgeRow)

# When a level has to be cut, persons are kept first (they give the drawing its structure), then
# identifiers, then records.
_KEEP_FIRST: Mapping[NodeKind, int] = {NodeKind.PERSON: 0, NodeKind.IDENTIFIER: 1, NodeKind.RECORD: 2}


class GraphDepthError(GraphCDPError):
    code = ErrorCode.INVALID_DEPTH


def _node(row: GraphNodeRow, distance: int) -> GraphNode:
    properties = dict(row.properties)
    if row.kind == NodeKind.PERSON:
        properties["id"] = row.key
    return GraphNode(kind=row.kind, key=row.key, distance=distance, properties=properties)


class _Walk:
    """The nodes found so far, by kind, and whether the node limit has cut the walk."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.nodes: dict[tuple[NodeKind, str], GraphNode] = {}
        self.truncated = False

    def keys(self, kind: NodeKind, nodes: Iterable[GraphNode] | None = None) -> list[str]:
        return sorted(n.key for n in (self.nodes.values() if nodes is None else nodes) if n.kind == kind)

    @property
    def budget(self) -> int:
        return self.limit - len(self.nodes)

    def add(self, rows: Iterable[GraphNodeRow], distance: int) -> list[GraphNode]:
        """Add the new nodes among `rows` (asked for with LIMIT budget + 1), cutting at the limit."""
        fresh = {(row.kind, row.key): row for row in rows if (row.kind, row.key) not in self.nodes}
        ordered = sorted(fresh, key=lambda kind_key: (_KEEP_FIRST[kind_key[0]], kind_key[1]))
        if len(ordered) > self.budget:
            self.truncated = True
            ordered = ordered[: self.budget]
        added = [_node(fresh[kind_key], distance) for kind_key in ordered]
        self.nodes.update(((n.kind, n.key), n) for n in added)
        return added


def _edge_properties(row: GraphEdgeRow) -> dict[str, Any]:
    if row.type == "HAS":
        return {"at": row.at, "source": row.provenance}
    if row.type == "OF":
        return {}
    return {"at": row.at, "score": row.score, "rule": row.rule, "reviewed": bool(row.reviewed)}


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
                    "identifiers": walk.keys(NodeKind.IDENTIFIER, frontier),
                    "records": walk.keys(NodeKind.RECORD, frontier),
                    "persons": walk.keys(NodeKind.PERSON, frontier),
                    "seenIdentifiers": walk.keys(NodeKind.IDENTIFIER),
                    "seenRecords": walk.keys(NodeKind.RECORD),
                    "seenPersons": walk.keys(NodeKind.PERSON),
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
        members = [n for n in outer if n.kind != NodeKind.PERSON]
        if not members or walk.truncated:
            return
        rows = await self.store.run(
            GRAPH_PERSONS,
            {
                "identifiers": walk.keys(NodeKind.IDENTIFIER, members),
                "records": walk.keys(NodeKind.RECORD, members),
                "seenPersons": walk.keys(NodeKind.PERSON),
                "limit": walk.budget + 1,
            },
        )
        walk.add(rows, depth + 1)

    async def _edges(self, walk: _Walk) -> list[GraphEdge]:
        rows = await self.store.run(
            GRAPH_EDGES,
            {
                "identifiers": walk.keys(NodeKind.IDENTIFIER),
                "records": walk.keys(NodeKind.RECORD),
                "persons": walk.keys(NodeKind.PERSON),
            },
        )
        edges = [
            GraphEdge(
                source=node_ref(row.source_kind, row.source),
                target=node_ref(row.target_kind, row.target),
                type=row.type,
                properties=_edge_properties(row),
            )
            for row in rows
        ]
        return sorted(edges, key=lambda e: (e.type, e.source, e.target))
