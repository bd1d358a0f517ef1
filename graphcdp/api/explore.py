"""GraphQL queries for exploring the identity graph: `identityGraph` and `searchPersons`."""

from __future__ import annotations

from typing import cast

import strawberry
from strawberry.scalars import JSON

from graphcdp.api.auth import needs
from graphcdp.api.common import IdentifierInput
from graphcdp.api.context import Info
from graphcdp.api.identity import Person
from graphcdp.api.pagination import InvalidCursorError, PageInfo, check_page_size, decode_cursor, encode_cursor
from graphcdp.auth.scopes import Scope
from graphcdp.model import explore as model

# A search cursor is the position of a result in the ranking, under its own key so that a cursor of
# another list is refused.
_SEARCH_POSITION = "searchPosition"


@strawberry.type(description="An identifier, source record or person of the identity graph.")
class GraphNode:
    id: strawberry.ID = strawberry.field(
        description='"identifier:<type>:<value>", "record:<source>:<sourceId>" or "person:<id>".'
    )
    kind: str = strawberry.field(description="identifier, record or person.")
    label: str = strawberry.field(description="Short text to draw: the value, source:sourceId, or the name.")
    distance: int = strawberry.field(
        description="Hops from the starting identifier; depth + 1 for the person of a node on the outer edge."
    )
    properties: JSON = strawberry.field(description="The node's properties; times in epoch milliseconds.")

    @classmethod
    def from_model(cls, node: model.GraphNode) -> GraphNode:
        return cls(
            id=strawberry.ID(node.id),
            kind=node.kind.value,
            label=node.label,
            distance=node.distance,
            properties=cast(JSON, node.properties),
        )


@strawberry.type(description="An edge between two nodes of the identity graph.")
class GraphEdge:
    source: strawberry.ID = strawberry.field(description="Id of the node the edge leaves (a record, or a member).")
    target: strawberry.ID = strawberry.field(
        description="Id of the node it points to (an identifier, a person, or a record for a match link)."
    )
    type: str = strawberry.field(
        description="HAS (the record observed the identifier), OF (member of a person), or a match link between "
        "two records: MATCHED (by a score, or a reviewer), POSSIBLE_MATCH (waiting for review), NOT_MATCHED "
        "(refused by a reviewer)."
    )
    properties: JSON = strawberry.field(
        description="HAS: {at, source}, when and where it was observed. OF: {}. A match link: {at, score, rule, "
        "reviewed}."
    )

    @classmethod
    def from_model(cls, edge: model.GraphEdge) -> GraphEdge:
        return cls(
            source=strawberry.ID(edge.source),
            target=strawberry.ID(edge.target),
            type=edge.type,
            properties=cast(JSON, edge.properties),
        )


@strawberry.type(description="The identity graph within `depth` hops of an identifier, ready to draw.")
class IdentityGraph:
    nodes: list[GraphNode]
    edges: list[GraphEdge] = strawberry.field(description="Only edges between returned nodes.")
    truncated: bool = strawberry.field(
        description="True when GRAPHCDP_GRAPH_NODE_LIMIT cut the graph: more nodes lie within `depth`."
    )
    depth: int


@strawberry.type
class PersonSearchEdge:
    node: Person
    score: float = strawberry.field(description="0 to 100; 100 for an email or phone equal to the query.")
    matched_on: str = strawberry.field(
        description='What matched best: "name", or the identifier ("email:ada@example.com", "phone:+4915…").'
    )
    cursor: str


@strawberry.type
class PersonSearchConnection:
    edges: list[PersonSearchEdge]
    page_info: PageInfo


def _search_offset(after: str | None) -> int:
    """Where the page after the cursor `after` starts in the ranking."""
    if after is None:
        return 0
    position = decode_cursor(after)
    if not (
        isinstance(position, dict)
        and isinstance(found := position.get(_SEARCH_POSITION), int)
        and not isinstance(found, bool)
        and found >= 0
    ):
        raise InvalidCursorError("after: not a searchPersons cursor")
    return found + 1


def _search_cursor(position: int) -> str:
    return encode_cursor({_SEARCH_POSITION: position})


@strawberry.type
class ExploreQuery:
    @strawberry.field(
        extensions=needs(Scope.PROFILES_READ),
        description="Identifiers, records and persons within `depth` hops (HAS and OF edges, either way) "
        "of an identifier, with the edges among them: at most GRAPHCDP_GRAPH_NODE_LIMIT nodes, `depth` "
        "at most GRAPHCDP_GRAPH_MAX_DEPTH. Null if the identifier is unknown.",
    )
    async def identity_graph(self, info: Info, identifier: IdentifierInput, depth: int = 2) -> IdentityGraph | None:
        found = await info.context.services.explorer.identity_graph(identifier.type, identifier.value, depth)
        if found is None:
            return None
        return IdentityGraph(
            nodes=[GraphNode.from_model(n) for n in found.nodes],
            edges=[GraphEdge.from_model(e) for e in found.edges],
            truncated=found.truncated,
            depth=found.depth,
        )

    @strawberry.field(
        extensions=needs(Scope.PROFILES_READ),
        description="Persons found by a fragment of their name, email or phone (at least 2 characters), "
        "best match first; an email or phone equal to the query ranks first. Persons retired by a merge "
        "never appear.",
    )
    async def search_persons(
        self, info: Info, query: str, first: int = 10, after: str | None = None
    ) -> PersonSearchConnection:
        check_page_size(first, info.context.settings.max_page_size)
        offset = _search_offset(after)
        page = await info.context.services.search.search(query, first, offset)
        edges = [
            PersonSearchEdge(
                node=Person.from_model(hit.person),
                score=hit.score,
                matched_on=hit.matched_on,
                cursor=_search_cursor(hit.position),
            )
            for hit in page.hits
        ]
        end_cursor = _search_cursor(page.end_position) if page.end_position is not None else None
        return PersonSearchConnection(
            edges=edges, page_info=PageInfo(has_next_page=page.has_next, end_cursor=end_cursor)
        )
