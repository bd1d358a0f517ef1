"""Health of the service and of its database."""

from __future__ import annotations

from pydantic import BaseModel


class DatabaseHealth(BaseModel):
    backend: str
    ok: bool
    detail: str
    latency_ms: float | None = None
