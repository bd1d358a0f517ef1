"""The identity-graph explorer at /explorer: static files from the package (static/explorer), a page that
calls /graphql with the key its user enters, like any other client. Nothing here reads the graph.

Its responses carry a Content-Security-Policy that allows only the service itself: the page can reach no
other host, whatever a trait value holds, and it shows at once if an asset ever came from elsewhere.
"""

from __future__ import annotations

from pathlib import Path

from starlette.datastructures import MutableHeaders
from starlette.responses import RedirectResponse
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

EXPLORER_PATH = "/explorer"
EXPLORER_DIRECTORY = Path(__file__).parent / "static" / "explorer"

# Cytoscape.js sets element styles from script; everything else is the service's own files.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)


class _OwnOriginOnly:
    """Adds the explorer's security headers to every response of the wrapped app."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "no-referrer"
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def _to_the_page(_: object) -> RedirectResponse:
    # The page's module and style URLs are relative to /explorer/.
    return RedirectResponse(f"{EXPLORER_PATH}/", status_code=307)


def explorer_routes() -> list[BaseRoute]:
    """/explorer (to /explorer/) and the page's files under it."""
    files = StaticFiles(directory=EXPLORER_DIRECTORY, html=True)
    return [Route(EXPLORER_PATH, _to_the_page), Mount(EXPLORER_PATH, _OwnOriginOnly(files))]
