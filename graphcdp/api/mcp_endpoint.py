"""The MCP server (graphcdp/mcp/) over streamable HTTP, at /mcp of `graphcdp serve`: every request is admitted like
one to /graphql (its Bearer key, 401; the key's rate limit, 429), and its tools run the schema in this process as
that key.

Stateless and answered as plain JSON: each POST carries one exchange and no session lives in the process, so
any worker of `graphcdp serve` can answer any request, and nothing is kept between calls.

The MCP SDK is imported in a thread once the app has started, not before: a service that nobody asks over MCP
starts as fast as without it, and a request to /mcp in its first moments waits for it.
"""

from __future__ import annotations

import asyncio
import importlib
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from graphcdp.api.auth import admit
from graphcdp.api.in_process import InProcessGateway
from graphcdp.errors import ErrorCode

if TYPE_CHECKING:
    from mcp.server.mcpserver import Context as ToolContext
    from mcp.server.streamable_http_manager import StreamableHTTPSessionManager

MCP_PATH = "/mcp"
READY_TIMEOUT = 60.0  # seconds a request waits for the MCP server to be up (the SDK's import, on a busy machine)


async def _gateway_of_request(ctx: ToolContext) -> InProcessGateway:
    """The tools' gateway for one call: the schema in this process, as the key the request was admitted with."""
    from graphcdp.mcp.tools import ToolRefusal

    request = ctx.request_context.request
    principal = getattr(request.state, "principal", None) if isinstance(request, Request) else None
    if not isinstance(request, Request) or principal is None:  # not admitted: cannot happen behind McpEndpoint
        raise ToolRefusal(ErrorCode.UNAUTHENTICATED, "send an API key: `Authorization: Bearer <key>`")
    return InProcessGateway(request.app.state.services, principal)


def _stateless_http_manager() -> StreamableHTTPSessionManager:
    """A new transport (the SDK's cannot be started twice). No Host/Origin check: the service may sit behind any
    name, and every request needs a key, which a page of another origin does not have."""
    from mcp.server.transport_security import TransportSecuritySettings

    from graphcdp.mcp.tools import build_server

    server = build_server(_gateway_of_request)
    server.streamable_http_app(
        json_response=True,
        stateless_http=True,
        transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
    )
    return server.session_manager


class McpEndpoint:
    """The ASGI app of /mcp. `running()` is entered by the app's lifespan: the transport's task group."""

    def __init__(self) -> None:
        self._manager: StreamableHTTPSessionManager | None = None
        self._ready = asyncio.Event()

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        task = asyncio.create_task(self._run(), name="mcp-http")
        try:
            yield
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            self._ready.clear()

    async def _run(self) -> None:
        await asyncio.to_thread(importlib.import_module, "graphcdp.mcp.tools")  # the SDK, off the event loop
        manager = _stateless_http_manager()
        async with manager.run():
            self._manager = manager
            self._ready.set()
            try:
                await asyncio.Event().wait()  # until the app stops
            finally:
                self._manager = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        refusal = await admit(request, request.app.state.services, request.app.state.rate_limiter)
        if refusal is not None:
            body = json.dumps({"error": {"code": refusal.code.value, "message": refusal.message}})
            headers = {**refusal.headers, "content-type": "application/json"}
            await Response(body, refusal.status, headers=headers)(scope, receive, send)
            return
        with suppress(TimeoutError):
            await asyncio.wait_for(self._ready.wait(), READY_TIMEOUT)
        if self._manager is None:
            await Response("the MCP server is not running", 503, headers={"retry-after": "5"})(scope, receive, send)
            return
        await self._manager.handle_request(scope, receive, send)
