"""Per-request context handed to resolvers."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.types import Info as StrawberryInfo

from graphcdp.api.loaders import Loaders
from graphcdp.api.subscription_slots import SubscriptionSlots
from graphcdp.auth.keys import Principal
from graphcdp.identity.service import IdentityService
from graphcdp.profiles.service import ProfileService
from graphcdp.settings import Settings
from graphcdp.wiring import Services


@dataclass
class Context:
    request: Request | WebSocket | None  # None: executed in-process (graphcdp/api/in_process.py)
    response: Response | WebSocket | None
    services: Services  # built once, at start-up (graphcdp.wiring); resolvers reach the store through them
    loaders: Loaders  # new for every request: nothing cached leaks between requests
    principal: Principal  # the request's API key: its name (for the audit trail) and scopes
    subscriptions: SubscriptionSlots  # the app's: how many subscriptions each key holds open
    connection_params: dict[str, object] | None = None  # a websocket's connection_init payload (subscriptions)

    @property
    def settings(self) -> Settings:
        return self.services.settings

    @property
    def identity(self) -> IdentityService:
        return self.services.identity

    @property
    def profiles(self) -> ProfileService:
        return self.services.profiles


Info = StrawberryInfo[Context, None]
