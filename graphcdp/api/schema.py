"""The GraphQL schema. `graphcdp export-schema` prints it; schema.graphql must match it."""

from __future__ import annotations

import strawberry
from strawberry.schema.config import StrawberryConfig

from graphcdp import __version__
from graphcdp.api.audit import AuditQuery
from graphcdp.api.auth import needs_any_key
from graphcdp.api.caches import CachedNameConverter
from graphcdp.api.changes import ChangeQuery
from graphcdp.api.context import Info
from graphcdp.api.customer import CustomerQuery
from graphcdp.api.errors import Schema
from graphcdp.api.execution import AcyclicExecutionContext
from graphcdp.api.explore import ExploreQuery
from graphcdp.api.identity import IdentityMutation, IdentityQuery
from graphcdp.api.keys import KeysMutation, KeysQuery
from graphcdp.api.matching import MatchingMutation, MatchingQuery
from graphcdp.api.predictions import PredictionQuery
from graphcdp.api.privacy import PrivacyMutation, PrivacyQuery
from graphcdp.api.profiles import ProfileMutation
from graphcdp.api.request_checks import RequestChecks
from graphcdp.api.scalars import SCALARS
from graphcdp.api.segments import SegmentMutation, SegmentQuery
from graphcdp.api.subscriptions import Subscription
from graphcdp.api.types import Health
from graphcdp.api.webhooks import WebhookMutation, WebhookQuery


@strawberry.type
class Query(
    IdentityQuery,
    CustomerQuery,
    ExploreQuery,
    MatchingQuery,
    PrivacyQuery,
    KeysQuery,
    AuditQuery,
    ChangeQuery,
    WebhookQuery,
    SegmentQuery,
    PredictionQuery,
):
    @strawberry.field(extensions=needs_any_key(), description="Version of the graphcdp service.")
    def version(self) -> str:
        return __version__

    @strawberry.field(
        extensions=needs_any_key(), description="Health of the service and its graph database, checked now."
    )
    async def health(self, info: Info) -> Health:
        return Health.from_status(await info.context.services.status())


@strawberry.type
class Mutation(
    IdentityMutation,
    ProfileMutation,
    MatchingMutation,
    PrivacyMutation,
    KeysMutation,
    SegmentMutation,
    WebhookMutation,
):
    pass


schema = Schema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    config=StrawberryConfig(scalar_map=SCALARS, name_converter=CachedNameConverter()),
    # The limits and the text check refuse a document before validation; small parsed and validated documents
    # are reused.
    extensions=[RequestChecks],
    execution_context_class=AcyclicExecutionContext,  # a request's objects freed when it is answered
)


def export_sdl() -> str:
    return schema.as_str() + "\n"
