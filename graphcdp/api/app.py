"""The Starlette application: /graphql (with GraphiQL), /healthz and /readyz."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.websockets import WebSocket

from graphcdp import __version__
from graphcdp.api.context import Context
from graphcdp.api.graphql_view import GRAPHIQL_ASSETS_PATH, GraphQLView, graphiql_assets
from graphcdp.api.loaders import make_loaders
from graphcdp.api.schema import schema
from graphcdp.identity.service import IdentityService
from graphcdp.profiles.service import ProfileService
from graphcdp.settings import Settings, load_settings
from graphcdp.status import service_status
from graphcdp.store import GraphStore, open_store


class GraphQLApp(GraphQLView):
    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        state = request.app.state
        return Context(
            request=request,
            response=response,
            store=state.store,
            settings=state.settings,
            identity=state.identity,
            profiles=state.profiles,
            loaders=make_loaders(state.identity, state.profiles),
        )


async def healthz(request: Request) -> JSONResponse:
    """The process is alive (says nothing about the database)."""
    return JSONResponse({"status": "ok", "version": __version__})


async def readyz(request: Request) -> JSONResponse:
    """The database answers; 503 with the reason otherwise."""
    status = await service_status(request.app.state.store)
    body: dict[str, Any] = {"ready": status.ok, "database": status.database.model_dump()}
    return JSONResponse(body, status_code=200 if status.ok else 503)


def create_app(settings: Settings | None = None, store: GraphStore | None = None) -> Starlette:
    """The app. Without a `store` the lifespan opens one from settings and closes it on shutdown;
    with one (the CLI opens it first, to report start-up problems in one line) the caller owns it."""
    settings = settings or load_settings()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if store is not None:  # the caller owns the store and has read the stored model (graphcdp serve)
            yield
            return
        _attach_services(app, await open_store(settings), settings)
        await app.state.identity.start()
        try:
            yield
        finally:
            await app.state.store.close()

    graphql = GraphQLApp(schema, graphql_ide="graphiql" if settings.graphiql else None)
    routes: list[BaseRoute] = [
        Route("/graphql", graphql, methods=["GET", "POST"]),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
    ]
    if settings.graphiql:
        routes.append(Mount(GRAPHIQL_ASSETS_PATH, graphiql_assets()))
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.settings = settings
    if store is not None:
        _attach_services(app, store, settings)
    return app


def _attach_services(app: Starlette, store: GraphStore, settings: Settings) -> None:
    app.state.store = store
    app.state.identity = IdentityService(store, settings)
    app.state.profiles = ProfileService(app.state.identity, settings)
