"""Where the MCP tools send their GraphQL: the schema executed in this process as the caller's key
(graphcdp/api/in_process.py, `InProcessGateway`), or a running graphcdp's /graphql over HTTP (`graphcdp mcp --url`,
`RemoteGateway`). Both answer the same `GraphQLAnswer`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from graphcdp.errors import ErrorCode

REMOTE_TIMEOUT = 30.0  # seconds for one tool's query on a running service


@dataclass(frozen=True)
class GraphQLFault:
    """One error of a GraphQL answer: its `extensions.code` (INTERNAL_ERROR when it has none) and message."""

    code: str
    message: str


@dataclass(frozen=True)
class GraphQLAnswer:
    data: dict[str, Any] | None
    errors: tuple[GraphQLFault, ...]


class Gateway(Protocol):
    async def execute(self, document: str, variables: Mapping[str, Any]) -> GraphQLAnswer: ...


class RemoteGateway:
    """A running graphcdp's /graphql, with the key as a Bearer token (the service checks it, as for any client)."""

    def __init__(self, url: str, api_key: str | None, client: httpx.AsyncClient | None = None) -> None:
        self.url = url
        headers = {"Accept": "application/json"}
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        self._client = client or httpx.AsyncClient(timeout=REMOTE_TIMEOUT, headers=headers)

    async def execute(self, document: str, variables: Mapping[str, Any]) -> GraphQLAnswer:
        try:
            response = await self._client.post(self.url, json={"query": document, "variables": dict(variables)})
            body = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            message = f"cannot query graphcdp at {self.url} ({type(exc).__name__}); is `graphcdp serve` running?"
            return GraphQLAnswer(None, (GraphQLFault(ErrorCode.DATABASE_UNAVAILABLE.value, message),))
        if not isinstance(body, dict):
            return GraphQLAnswer(None, (GraphQLFault(ErrorCode.INTERNAL_ERROR.value, "not a GraphQL answer"),))
        faults = tuple(_fault(error) for error in body.get("errors") or () if isinstance(error, dict))
        data = body.get("data")
        return GraphQLAnswer(data if isinstance(data, dict) else None, faults)

    async def aclose(self) -> None:
        await self._client.aclose()


def _fault(error: dict[str, Any]) -> GraphQLFault:
    extensions = error.get("extensions") or {}
    return GraphQLFault(str(extensions.get("code", ErrorCode.INTERNAL_ERROR.value)), str(error.get("message", "")))
