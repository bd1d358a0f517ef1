"""Service errors as GraphQL errors: the message names the field, `extensions.code` is the stable code."""

from __future__ import annotations

from graphql import GraphQLError

from graphcdp.errors import GraphCDPError


def graphql_error(exc: GraphCDPError, field: str | None = None) -> GraphQLError:
    message = f"{field}: {exc.message}" if field else exc.message
    return GraphQLError(message, extensions={"code": exc.code})
