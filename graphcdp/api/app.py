"""The Starlette application: /graphql (with GraphiQL), /explorer, /mcp (docs/mcp.md), /healthz and /readyz."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.exceptions import ConnectionRejectionError
from strawberry.types.unset import UnsetType

from graphcdp import __version__
from graphcdp.api.auth import admit_websocket
from graphcdp.api.context import Context
from graphcdp.api.explorer_page import explorer_routes
from graphcdp.api.graphql_view import GRAPHIQL_ASSETS_PATH, GraphQLView, graphiql_assets
from graphcdp.api.loaders import make_loaders
from graphcdp.api.mcp_endpoint import MCP_PATH, McpEndpoint
from graphcdp.api.memory import startup_objects_frozen
from graphcdp.api.schema import schema
from graphcdp.api.subscription_slots import SubscriptionSlots
from graphcdp.auth.keys import NO_ACCESS
from graphcdp.auth.ratelimit import RateLimiter
from graphcdp.errors import ErrorCode
from graphcdp.predictions.refit import scheduled_refit
from graphcdp.segments.sweep import segment_sweep
from graphcdp.settings import Settings, load_settings
from graphcdp.status import first_line
from graphcdp.store.embedded import EmbeddedFalkorDB
from graphcdp.wiring import Services, open_services

log = logging.getLogger(__name__)


class GraphQLApp(GraphQLView):
    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        services: Services = request.app.state.services
        return Context(
            request=request,
            response=response,
            services=services,
            loaders=make_loaders(services.identity, services.profiles, services.segments),
            # Set by the view's admission (graphcdp/api/auth.py); the GraphiQL page, served without a key, runs nothing.
            principal=getattr(request.state, "principal", NO_ACCESS),
            subscriptions=request.app.state.subscription_slots,
        )

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """A subscription connection: its key (graphcdp/api/auth.py) becomes the principal of its operations."""
        assert isinstance(context.request, WebSocket)
        principal = await admit_websocket(context.request, context.connection_params, context.services)
        if principal is None:
            raise ConnectionRejectionError()
        context.principal = principal
        return None  # a plain connection_ack


def _embedded(state: Any) -> EmbeddedFalkorDB | None:
    """The embedded database the service supervises, if it runs one (`state`: the app's)."""
    services = getattr(state, "services", None)
    embedded = getattr(services.store, "embedded", None) if services is not None else None
    return embedded if isinstance(embedded, EmbeddedFalkorDB) else None


async def healthz(request: Request) -> JSONResponse:
    """The process is alive: 503 only once its embedded database died and could not be started again, so that
    an orchestrator restarts the service (a database that is down or restarting is /readyz's business)."""
    embedded = _embedded(request.app.state)
    if embedded is not None and embedded.gave_up:
        return JSONResponse({"status": "dead", "version": __version__}, status_code=503)
    return JSONResponse({"status": "ok", "version": __version__})


def _runs_a_query(scope: Scope) -> bool:
    return scope["method"] == "POST" or bool(scope["query_string"])  # a bare GET is the GraphiQL page


class DatabaseDownGate:
    """While the embedded database is down or being restarted, /graphql answers 503 with Retry-After and the
    code DATABASE_UNAVAILABLE at once, rather than each request finding out on its own."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == "/graphql" and _runs_a_query(scope):
            embedded = _embedded(scope["app"].state)
            if embedded is not None and not embedded.available:
                code = ErrorCode.DATABASE_UNAVAILABLE
                body = {"data": None, "errors": [{"message": code.meaning, "extensions": {"code": code.value}}]}
                headers = {"Retry-After": str(embedded.retry_after)}
                await JSONResponse(body, status_code=503, headers=headers)(scope, receive, send)
                return
        await self.app(scope, receive, send)


async def readyz(request: Request) -> JSONResponse:
    """The database answers; 503 with a reason code otherwise. /readyz needs no key, so it says no more than
    that: why the database failed (its message, the tail of its log) goes to the service's log."""
    status = await request.app.state.services.status()
    if status.ok:
        return JSONResponse({"ready": True})
    log.warning("not ready: %s (%s)", ErrorCode.DATABASE_UNAVAILABLE.value, first_line(status.database.detail))
    return JSONResponse({"ready": False, "reason": ErrorCode.DATABASE_UNAVAILABLE.value}, status_code=503)


def create_app(
    settings: Settings | None = None, services: Services | None = None, *, background_jobs: bool = True
) -> Starlette:
    """The app. Without `services` the lifespan opens them from settings and closes them on shutdown;
    with them (`graphcdp serve` opens them first, to report start-up problems in one line) the caller
    owns them. `background_jobs`: the segment sweep and the webhook dispatcher run beside the app (a worker
    of `serve --workers` leaves them to its supervisor)."""
    settings = services.settings if services is not None else settings or load_settings()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with serving(app):
            with startup_objects_frozen():
                yield

    @asynccontextmanager
    async def serving(app: Starlette) -> AsyncIterator[None]:
        if services is not None and not background_jobs:
            async with mcp.running():  # every worker answers /mcp; the jobs are its supervisor's
                yield
            return
        if services is not None:  # opened and started by the caller
            async with (
                segment_sweep(services.segments, settings.segment_sweep_interval),
                services.webhooks.sending(),
                scheduled_refit(services.predictions),
                mcp.running(),
            ):
                yield
            return
        async with open_services(settings) as opened:
            app.state.services = opened
            async with (
                segment_sweep(opened.segments, settings.segment_sweep_interval),
                opened.webhooks.sending(),
                scheduled_refit(opened.predictions),
                mcp.running(),
            ):
                yield

    graphql = GraphQLApp(schema, graphql_ide="graphiql" if settings.graphiql else None)
    mcp = McpEndpoint()  # the MCP server for assistants, over streamable HTTP (docs/mcp.md)
    routes: list[BaseRoute] = [
        Route("/graphql", graphql, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", graphql),  # subscriptions (graphql-transport-ws)
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route(MCP_PATH, mcp, methods=["GET", "POST", "DELETE"]),
    ]
    if settings.graphiql:
        routes.append(Mount(GRAPHIQL_ASSETS_PATH, graphiql_assets()))
    if settings.explorer:
        routes.extend(explorer_routes())
    # Browser frontends on other origins (GRAPHCDP_CORS_ORIGINS): their preflight is answered here, before routing.
    cors = Middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "POST"],
        allow_headers=["Authorization", "Content-Type", "Accept"],
        max_age=600,
    )
    middleware = [*([cors] if settings.cors_origins else []), Middleware(DatabaseDownGate)]
    app = Starlette(routes=routes, lifespan=lifespan, middleware=middleware)
    app.state.rate_limiter = RateLimiter(settings.rate_limit, settings.rate_limit_burst)
    app.state.subscription_slots = SubscriptionSlots(settings.max_subscriptions_per_key)
    if services is not None:
        app.state.services = services
    return app
