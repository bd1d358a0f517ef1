"""The GraphQL endpoint as HTTP sees it: strawberry's ASGI view with the GraphQL-over-HTTP response media type
and a GraphiQL page whose assets the service serves itself.

A client that accepts `application/graphql-response+json` gets it, and with it the status codes the
GraphQL-over-HTTP specification asks for: a request error (the document does not parse or validate, the
variables do not coerce: nothing was executed) answers 400 with no `data` entry, and a request that is not
GraphQL at all (a body that is not JSON, no query) its 4xx with the reason as a GraphQL error rather than
plain text. A client that asks for `application/json`, for anything (`*/*`) or for nothing keeps the
legacy behaviour older clients expect: 200 with `"data": null`, and plain-text 4xx answers, except for a body
the service refuses to read (graphcdp/api/request_body.py: too large, not UTF-8, not a JSON object, nested too
deep): that is a GraphQL error with its code for every client.
"""

from __future__ import annotations

import functools
import json
import logging
from pathlib import Path

from cross_web import HTTPException  # strawberry's own dependency: what its views raise for a bad request
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult

from graphcdp.api.auth import Refusal, admit
from graphcdp.api.context import Context
from graphcdp.api.request_body import RequestRefused, bounded_receive, decode_body
from graphcdp.api.slow_requests import logged_when_slow
from graphcdp.errors import ErrorCode

log = logging.getLogger(__name__)

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
APPLICATION_JSON = "application/json"
_GRAPHQL_RESPONSE_CONTENT_TYPE = f"{GRAPHQL_RESPONSE_JSON}; charset=utf-8"

# The page's asset URLs are relative ("graphiql/…" from /graphql), so they live at /graphiql.
GRAPHIQL_ASSETS_PATH = "/graphiql"
_HERE = Path(__file__).parent
_GRAPHIQL_PAGE = (_HERE / "graphiql.html").read_text(encoding="utf-8")


def graphiql_assets() -> StaticFiles:
    """React, GraphiQL and its explorer plugin, vendored in the package (see static/graphiql/README.md)."""
    return StaticFiles(directory=_HERE / "static" / "graphiql")


def _quality(media_range: str) -> tuple[str, float]:
    """("type/subtype", q) of one Accept entry; a malformed q counts as 0 (not acceptable)."""
    media_type, *params = (part.strip() for part in media_range.split(";"))
    quality = 1.0
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                quality = float(value)
            except ValueError:
                quality = 0.0
    return media_type.lower(), quality


@functools.lru_cache(maxsize=256)  # asked three times a request, and clients send the same few Accept headers
def response_media_type(accept: str | None) -> str:
    """The media type to answer with: graphql-response+json only when the client names it and likes it at
    least as much as application/json (a wildcard is taken as a legacy client's application/json)."""
    graphql_response = json = 0.0
    for media_range in (accept or "").split(","):
        media_type, quality = _quality(media_range)
        if media_type == GRAPHQL_RESPONSE_JSON:
            graphql_response = max(graphql_response, quality)
        elif media_type in (APPLICATION_JSON, "application/*", "*/*"):
            json = max(json, quality)
    return GRAPHQL_RESPONSE_JSON if graphql_response > 0 and graphql_response >= json else APPLICATION_JSON


def is_request_error(result: ExecutionResult) -> bool:
    """Nothing was executed: parsing, validation or variable coercion failed. Such errors carry no path,
    while a field error that nulled the whole `data` always names the field it came from."""
    errors = result.errors or []
    return result.data is None and bool(errors) and all(error.path is None for error in errors)


def _refused(request: Request, refusal: Refusal) -> Response:
    """A 401 or 429 as a GraphQL error with its code, in the media type the client asked for."""
    body = json.dumps({"errors": [{"message": refusal.message, "extensions": {"code": refusal.code.value}}]})
    negotiated = response_media_type(request.headers.get("accept"))
    content_type = _GRAPHQL_RESPONSE_CONTENT_TYPE if negotiated == GRAPHQL_RESPONSE_JSON else APPLICATION_JSON
    return Response(body, refusal.status, headers={**refusal.headers, "content-type": content_type})


def _coded_refusal(exc: RequestRefused, graphql_response: bool) -> Response:
    log.info("GraphQL request refused: %s (%s)", exc.code.value, exc.reason)
    body = json.dumps({"errors": [{"message": exc.reason, "extensions": {"code": exc.code.value}}]})
    content_type = _GRAPHQL_RESPONSE_CONTENT_TYPE if graphql_response else APPLICATION_JSON
    return Response(body, exc.status_code, headers={"content-type": content_type})


class _NegotiatedResponse(Response):
    """strawberry's per-request sub-response, carrying the media type chosen for the answer."""

    answer_media_type: str = APPLICATION_JSON


class GraphQLView(GraphQL[Context, None]):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope=scope, receive=receive)
        with logged_when_slow(request.app.state.services.settings.slow_request_ms):
            await self._answer(request, scope, receive, send)

    async def _answer(self, request: Request, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._renders_ide(request):
            refusal = await admit(request, request.app.state.services, request.app.state.rate_limiter)
            if refusal is not None:
                await _refused(request, refusal)(scope, receive, send)
                return
        graphql_response = response_media_type(request.headers.get("accept")) == GRAPHQL_RESPONSE_JSON
        try:
            limit = request.app.state.services.settings.max_request_bytes
            bounded = Request(scope=scope, receive=bounded_receive(receive, dict(request.headers), limit))
            response = await self.run(bounded)
        except RequestRefused as exc:  # the body cannot be read: a GraphQL error with its code, for every client
            response = _coded_refusal(exc, graphql_response)
        except HTTPException as exc:
            if not graphql_response:  # the legacy answer: plain text
                response = PlainTextResponse(exc.reason, status_code=exc.status_code)
            else:
                response = _coded_refusal(RequestRefused(exc.status_code, ErrorCode.BAD_REQUEST, exc.reason), True)
        await response(scope, receive, send)

    def decode_json(self, data: str | bytes) -> object:
        return decode_body(data)

    def _renders_ide(self, request: Request) -> bool:
        """The GraphiQL page (static, no data) is served without a key; its requests carry one (docs/api.md)."""
        accept = request.headers.get("accept", "")
        return (
            self.graphql_ide is not None
            and request.method == "GET"
            and request.query_params.get("query") is None
            and any(media in accept for media in ("text/html", "*/*"))
        )

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        sub_response = _NegotiatedResponse()
        sub_response.status_code = None  # type: ignore[assignment]  # strawberry: "not set by a resolver"
        del sub_response.headers["content-length"]
        sub_response.answer_media_type = response_media_type(request.headers.get("accept"))
        return sub_response

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        response_data = await super().process_result(request, result)
        if is_request_error(result) and response_media_type(request.headers.get("accept")) == GRAPHQL_RESPONSE_JSON:
            response_data.pop("data", None)  # the specification: a request error has no data entry
        return response_data

    def create_response(
        self, response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse], sub_response: Response
    ) -> Response:
        response = super().create_response(response_data, sub_response)
        if isinstance(sub_response, _NegotiatedResponse) and sub_response.answer_media_type == GRAPHQL_RESPONSE_JSON:
            response.headers["content-type"] = _GRAPHQL_RESPONSE_CONTENT_TYPE
            if isinstance(response_data, dict) and "data" not in response_data and not sub_response.status_code:
                response.status_code = 400
        return response

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(_GRAPHIQL_PAGE)
