"""Explore models: the identity graph around an identifier (nodes and edges to draw) and person search
hits, with the rows of the explore statements they are decoded from."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import field_validator

from graphcdp.model.base import DomainModel
from graphcdp.model.identity import Person
from graphcdp.model.node_ref import NodeKind, node_ref

# HAS and OF, and the match links between records: MATCHED (by a score, or accepted by a reviewer),
# POSSIBLE_MATCH (waiting for review), NOT_MATCHED (refused by a reviewer).
EdgeType = Literal["HAS", "OF", "MATCHED", "POSSIBLE_MATCH", "NOT_MATCHED"]


# --- the identity graph -----------------------------------------------------------------------------


class GraphNodeRow(DomainModel):
    """A row of `explore/graph_identifier`, `graph_neighbours` and `graph_persons`: one node to draw."""

    kind: NodeKind
    key: str  # identifier key, record key (source:sourceId) or person id
    properties: dict[str, Any]

    @field_validator("properties")
    @classmethod
    def _traits_as_object(cls, properties: dict[str, Any]) -> dict[str, Any]:
        if "traits" in properties:  # stored as JSON text (docs/architecture.md, the graph model); drawn as an object
            properties["traits"] = json.loads(properties["traits"] or "{}")
        return properties


class GraphEdgeRow(DomainModel):
    """A row of `explore/graph_edges`: one edge between two nodes."""

    type: EdgeType
    source_kind: NodeKind
    source: str
    target_kind: NodeKind
    target: str
    at: int | None  # HAS: when the record observed the identifier
    provenance: str | None  # HAS: the record's source
    score: float | None  # a match link: the match probability
    rule: str | None  # a match link: the model (name@version) that scored it, or "review"
    reviewed: bool | None  # a match link: a reviewer decided it


class GraphNode(DomainModel):
    kind: NodeKind
    key: str  # identifier key, record key (source:sourceId) or person id
    distance: int  # hops from the starting identifier
    properties: dict[str, Any]

    @property
    def id(self) -> str:
        return node_ref(self.kind, self.key)

    @property
    def label(self) -> str:
        if self.kind == NodeKind.IDENTIFIER:
            return str(self.properties.get("value") or self.key)
        if self.kind == NodeKind.RECORD:
            return self.key
        return _display_name(self.properties.get("traits") or {}) or self.key


class GraphEdge(DomainModel):
    source: str  # node references (graphcdp.model.node_ref)
    target: str
    type: EdgeType
    properties: dict[str, Any]


class IdentityGraph(DomainModel):
    nodes: list[GraphNode]
    edges: list[GraphEdge]
    truncated: bool  # the node limit cut the walk: more nodes lie within `depth`
    depth: int


def _display_name(traits: Mapping[str, Any]) -> str:
    parts = [str(traits[k]) for k in ("firstName", "lastName") if traits.get(k) not in (None, "")]
    return " ".join(parts) or str(traits.get("name") or "")


# --- person search ----------------------------------------------------------------------------------


class SearchableIdentifier(DomainModel):
    type: str
    value: str


class SearchCandidate(DomainModel):
    """A row of `explore/search_persons`: a person the full-text index (or an equal identifier) found."""

    id: str
    name: str | None
    identifiers: list[SearchableIdentifier]  # only those of searchable kinds (email, phone)
    score: float | None  # the index's score; None for the persons of identifiers equal to the query


class SearchHit(DomainModel):
    person_id: str
    score: float  # 0..100; 100 for an identifier equal to the query or an identical name
    matched_on: str  # "name", or the identifier key ("email:ada@example.com", "phone:+4915112345678")
    position: int  # 0-based rank among all results of the query (the cursor)


class PersonHit(DomainModel):
    person: Person
    score: float
    matched_on: str
    position: int


class SearchPage(DomainModel):
    hits: list[PersonHit]
    has_next: bool
    end_position: int | None  # position of the last result of the page (None: empty page)
