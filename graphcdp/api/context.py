"""Per-request context handed to resolvers."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.types import Info as StrawberryInfo

from graphcdp.identity.service import IdentityService
from graphcdp.settings import Settings
from graphcdp.store import GraphStore


@dataclass
class Context:
    request: Request | WebSocket
    response: Response | WebSocket
    store: GraphStore
    settings: Settings
    identity: IdentityService


Info = StrawberryInfo[Context, None]
