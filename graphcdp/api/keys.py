"""API keys over GraphQL (scope admin): create one (its secret shown this once), list them, revoke one."""

from __future__ import annotations

import strawberry

from graphcdp.api.auth import needs
from graphcdp.api.context import Info
from graphcdp.api.scalars import DateTime
from graphcdp.auth.keys import ApiKeyInfo
from graphcdp.auth.scopes import Scope


@strawberry.type(description="An API key as it may be shown: never its secret or the secret's hash.")
class ApiKey:
    name: str
    scopes: list[str]
    created_at: DateTime
    revoked_at: DateTime | None = strawberry.field(description="Null while the key works.")

    @classmethod
    def from_info(cls, key: ApiKeyInfo) -> ApiKey:
        return cls(
            name=key.name, scopes=[s.value for s in key.scopes], created_at=key.created_at, revoked_at=key.revoked_at
        )


@strawberry.type(description="A key just created: its secret is shown here and never again (only its hash is stored).")
class NewApiKey:
    name: str
    secret: str = strawberry.field(description="Send it as `Authorization: Bearer <secret>`.")
    scopes: list[str]


@strawberry.type
class KeysQuery:
    @strawberry.field(extensions=needs(Scope.ADMIN), description="Every API key, revoked ones too, by name.")
    async def api_keys(self, info: Info) -> list[ApiKey]:
        return [ApiKey.from_info(key) for key in await info.context.services.keys.list()]


@strawberry.type
class KeysMutation:
    @strawberry.mutation(
        extensions=needs(Scope.ADMIN),
        description="A new API key with these scopes (profiles:read, records:write, consent:write, review, "
        "segments:write, changes:read, privacy, admin). The answer holds its secret, this once.",
    )
    async def create_api_key(self, info: Info, name: str, scopes: list[str]) -> NewApiKey:
        key = await info.context.services.keys.create(name, scopes, actor=info.context.principal.name)
        return NewApiKey(name=key.name, secret=key.secret, scopes=[s.value for s in key.scopes])

    @strawberry.mutation(
        extensions=needs(Scope.ADMIN),
        description="The key stops working: at once on this process, within GRAPHCDP_KEY_CACHE_SECONDS on others.",
    )
    async def revoke_api_key(self, info: Info, name: str) -> ApiKey:
        return ApiKey.from_info(await info.context.services.keys.revoke(name, actor=info.context.principal.name))
