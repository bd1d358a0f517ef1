"""The GraphQL schema executed inside this process, for a given principal: what the MCP tools run through
(graphcdp/mcp/), so that they obey the same scopes (`needs(...)`), limits and error codes as any client of
/graphql."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from strawberry.types import ExecutionResult

from graphcdp.api.context import Context
from graphcdp.api.loaders import make_loaders
from graphcdp.api.schema import schema
from graphcdp.api.subscription_slots import SubscriptionSlots
from graphcdp.auth.keys import Principal
from graphcdp.errors import ErrorCode
from graphcdp.mcp.gateway import GraphQLAnswer, GraphQLFault
from graphcdp.wiring import Services

_NO_SUBSCRIPTIONS = SubscriptionSlots(0)  # an in-process execution is a query, never a subscription


async def execute_in_process(
    services: Services, principal: Principal, document: str, variables: Mapping[str, Any]
) -> ExecutionResult:
    """One operation, with fresh DataLoaders (nothing cached leaks between calls), as `principal`."""
    context = Context(
        request=None,
        response=None,
        services=services,
        loaders=make_loaders(services.identity, services.profiles, services.segments),
        principal=principal,
        subscriptions=_NO_SUBSCRIPTIONS,
    )
    return await schema.execute(document, variable_values=dict(variables), context_value=context)


class InProcessGateway:
    """The MCP tools' gateway (graphcdp.mcp.gateway.Gateway) to the schema in this process, as `principal`."""

    def __init__(self, services: Services, principal: Principal) -> None:
        self.services = services
        self.principal = principal

    async def execute(self, document: str, variables: Mapping[str, Any]) -> GraphQLAnswer:
        result = await execute_in_process(self.services, self.principal, document, variables)
        faults = tuple(
            GraphQLFault(str((error.extensions or {}).get("code", ErrorCode.INTERNAL_ERROR.value)), error.message)
            for error in result.errors or ()
        )
        return GraphQLAnswer(result.data, faults)
