"""What the service reports about itself: its version and whether its database answers."""

from __future__ import annotations

from pydantic import BaseModel

from graphcdp import __version__
from graphcdp.model.health import DatabaseHealth
from graphcdp.store import GraphStore


class ServiceStatus(BaseModel):
    version: str
    database: DatabaseHealth

    @property
    def ok(self) -> bool:
        return self.database.ok


async def service_status(store: GraphStore) -> ServiceStatus:
    return ServiceStatus(version=__version__, database=await store.health())


def first_line(detail: str) -> str:
    """The first line of a database failure's detail: what the log may say when a probe fails (a log tail below
    it may quote stored values)."""
    return detail.split("\n", 1)[0][:300]
