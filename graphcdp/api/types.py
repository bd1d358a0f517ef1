"""GraphQL object types: thin, explicit mappings of domain models."""

from __future__ import annotations

import logging

import strawberry

from graphcdp.errors import ErrorCode
from graphcdp.status import ServiceStatus, first_line

log = logging.getLogger(__name__)


@strawberry.type(description="Whether the service and its graph database answer.")
class Health:
    ok: bool = strawberry.field(description="True when the database answered the health query.")
    database: str = strawberry.field(description="Backend in use: embedded, falkordb or neo4j.")
    detail: str = strawberry.field(
        description="What was checked, or a short reason when it failed (the service's log has the detail)."
    )
    latency_ms: float | None = strawberry.field(description="Round trip of the health query, in milliseconds.")

    @classmethod
    def from_status(cls, status: ServiceStatus) -> Health:
        db = status.database
        if db.ok:
            return cls(ok=True, database=db.backend, detail="the database answered", latency_ms=db.latency_ms)
        log.warning("health: %s (%s)", ErrorCode.DATABASE_UNAVAILABLE.value, first_line(db.detail))
        return cls(ok=False, database=db.backend, detail=ErrorCode.DATABASE_UNAVAILABLE.meaning, latency_ms=None)
