"""GraphQL object types: thin, explicit mappings of domain models."""

from __future__ import annotations

import strawberry

from graphcdp.status import ServiceStatus


@strawberry.type(description="Whether the service and its graph database answer.")
class Health:
    ok: bool = strawberry.field(description="True when the database answered the health query.")
    database: str = strawberry.field(description="Backend in use: embedded, falkordb or neo4j.")
    detail: str = strawberry.field(description="What was checked, or why it failed.")
    latency_ms: float | None = strawberry.field(description="Round trip of the health query, in milliseconds.")

    @classmethod
    def from_status(cls, status: ServiceStatus) -> Health:
        db = status.database
        return cls(ok=db.ok, database=db.backend, detail=db.detail, latency_ms=db.latency_ms)
