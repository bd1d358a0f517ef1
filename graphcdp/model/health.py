"""Health of the service and of its database."""

from __future__ import annotations

from pydantic import BaseModel

from graphcdp.model.base import DomainModel


class DatabaseHealth(BaseModel):
    backend: str
    ok: bool
    detail: str
    latency_ms: float | None = None


class Ping(DomainModel):
    """The row of `system/ping`: the database answered Cypher."""

    ok: int


class AdjacencyRead(DomainModel):
    """The row of `system/settle_adjacency`: one node's edges, read so the database synchronises its adjacency
    matrix (the count itself is not used)."""

    edges: int


class IndexState(DomainModel):
    """A row of `system/index_states`: an index and whether the database has built it."""

    name: str
    status: str
