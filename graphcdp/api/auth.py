"""Access control at the API: the key of each request (HTTP 401, 429), and the scope of each field (FORBIDDEN).

Every field of Query and Mutation declares what it needs with `needs(Scope.X)` (or `needs_any_key()`), the one
mechanism: a strawberry field extension that refuses the field with a FORBIDDEN field error naming the scope while the
other fields of the request are answered. tests/api/test_auth_http.py fails when a field declares nothing.
"""

from __future__ import annotations

import inspect
import logging
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.websockets import WebSocket
from strawberry.extensions import FieldExtension
from strawberry.extensions.field_extension import AsyncExtensionResolver, SyncExtensionResolver
from strawberry.types.field import StrawberryField

from graphcdp.auth.keys import UNAUTHENTICATED_ALL, Principal
from graphcdp.auth.ratelimit import RateLimiter
from graphcdp.auth.scopes import Scope
from graphcdp.errors import ErrorCode, ForbiddenError
from graphcdp.settings import AuthMode
from graphcdp.wiring import Services

log = logging.getLogger(__name__)

_BEARER = "bearer "


class RequiresScope(FieldExtension):
    """Refuses the field (FORBIDDEN, naming the scope) unless the request's key holds `scope` (None: any valid
    key). A field extension rather than strawberry's PermissionExtension, whose resolver takes `source` by name
    and so breaks on fields with an argument of that name (`record(source:, sourceId:)`)."""

    def __init__(self, scope: Scope | None) -> None:
        super().__init__()
        self.scope = scope
        self.message = f"needs scope {scope.value}" if scope else "needs an API key"

    def _check(self, info: Any) -> None:
        principal: Principal = info.context.principal
        if (self.scope is None and not principal.name) or (self.scope is not None and not principal.allows(self.scope)):
            raise ForbiddenError(self.message)

    # Positional-only, so that a field argument named `source` or `info` stays in kwargs.
    def resolve(self, next_: SyncExtensionResolver, source: Any, info: Any, /, **kwargs: Any) -> Any:  # type: ignore[override]
        self._check(info)
        return next_(source, info, **kwargs)

    async def resolve_async(  # type: ignore[override]
        self, next_: AsyncExtensionResolver, source: Any, info: Any, /, **kwargs: Any
    ) -> Any:
        self._check(info)
        result = next_(source, info, **kwargs)
        # A subscription's resolver gives an async generator, checked here before its first event.
        return await result if inspect.isawaitable(result) else result


def needs(scope: Scope) -> list[FieldExtension]:
    """The extensions of a field that only keys with `scope` may read or call."""
    return [RequiresScope(scope)]


def needs_any_key() -> list[FieldExtension]:
    """A field any valid key may read (version, health)."""
    return [RequiresScope(None)]


def declared_scope(field: StrawberryField) -> tuple[bool, Scope | None]:
    """(declared, scope) of a field: whether it declares access at all, and the scope (None: any key)."""
    for extension in field.extensions:
        if isinstance(extension, RequiresScope):
            return True, extension.scope
    return False, None


@dataclass(frozen=True)
class Refusal:
    """A request refused before it runs: the HTTP status, the error code and message, extra headers."""

    status: int
    code: ErrorCode
    message: str
    headers: dict[str, str]


def _bearer(request: Request | WebSocket) -> str | None:
    return _bearer_secret(request.headers.get("authorization", ""))


def _bearer_secret(header: str) -> str | None:
    if header[: len(_BEARER)].lower() != _BEARER:
        return None
    return header[len(_BEARER) :].strip() or None


async def admit_websocket(
    websocket: WebSocket, connection_params: dict[str, object] | None, services: Services
) -> Principal | None:
    """The principal of a subscription connection: the key in its connection_init payload (`{"Authorization":
    "Bearer <key>"}`, as browsers cannot set a websocket's headers) or else in the upgrade request's Authorization
    header; None when there is none or it is unknown (the connection is then closed with 4403)."""
    if services.settings.auth is AuthMode.OFF:
        return UNAUTHENTICATED_ALL
    params = {str(k).lower(): v for k, v in (connection_params or {}).items()}
    given = params.get("authorization")
    secret = _bearer_secret(given) if isinstance(given, str) else _bearer(websocket)
    principal = await services.keys.authenticate(secret) if secret else None
    if principal is None:
        log.info(
            "subscription refused: %s (%s)", ErrorCode.UNAUTHENTICATED.value, "unknown key" if secret else "no key"
        )
    return principal


async def admit(request: Request, services: Services, limiter: RateLimiter) -> Refusal | None:
    """Let the request in (its principal in `request.state.principal`), or the 401 / 429 answer to send."""
    if services.settings.auth is AuthMode.OFF:
        request.state.principal = UNAUTHENTICATED_ALL
        return None
    secret = _bearer(request)
    principal = await services.keys.authenticate(secret) if secret else None
    if principal is None:
        log.info("request refused: %s (%s)", ErrorCode.UNAUTHENTICATED.value, "unknown key" if secret else "no key")
        message = (
            "unknown or revoked API key" if secret else "send an API key: `Authorization: Bearer <key>` (docs/api.md)"
        )
        return Refusal(401, ErrorCode.UNAUTHENTICATED, message, {"www-authenticate": "Bearer"})
    if wait := limiter.retry_after(principal.name):
        log.info("request refused: %s (key %s)", ErrorCode.RATE_LIMITED.value, principal.name)
        message = f"too many requests for key {principal.name}; try again in {wait} s"
        return Refusal(429, ErrorCode.RATE_LIMITED, message, {"retry-after": str(wait)})
    request.state.principal = principal
    return None
