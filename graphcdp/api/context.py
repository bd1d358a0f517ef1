"""Per-request context handed to resolvers."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.types import Info as StrawberryInfo

from graphcdp.api.loaders import Loaders
from graphcdp.identity.service import IdentityService
from graphcdp.profiles.service import ProfileService
from graphcdp.settings import Settings
from graphcdp.store import GraphStore


@dataclass
class Context:
    request: Request | WebSocket
    response: Response | WebSocket
    store: GraphStore
    settings: Settings
    identity: IdentityService
    profiles: ProfileService
    loaders: Loaders  # new for every request: nothing cached leaks between requests


Info = StrawberryInfo[Context, None]
