"""The audit trail over GraphQL (scope admin): who did which admin or privacy action, newest first."""

from __future__ import annotations

import strawberry

from graphcdp.api.auth import needs
from graphcdp.api.context import Info
from graphcdp.api.pagination import InvalidCursorError, PageInfo, check_page_size, decode_cursor, encode_cursor
from graphcdp.api.scalars import DateTime
from graphcdp.auth.audit import AuditAction
from graphcdp.auth.scopes import Scope
from graphcdp.model.auth import AuditEntry as AuditEntryModel


@strawberry.type(description="One admin or privacy action. Never personal data: ids and names only.")
class AuditEntry:
    at: DateTime
    actor: str = strawberry.field(description="The API key's name (`cli` for a command, `graphcdp serve` itself).")
    action: str = strawberry.field(
        description="apiKey.created, apiKey.revoked, matchingModel.set, record.deleted, person.forgotten, …"
    )
    target: str = strawberry.field(description="What it was done to: a key name, a model, a person id, a record.")

    @classmethod
    def from_model(cls, entry: AuditEntryModel) -> AuditEntry:
        return cls(at=entry.at, actor=entry.actor, action=entry.action, target=entry.target)


@strawberry.type
class AuditEntryEdge:
    cursor: str
    node: AuditEntry


@strawberry.type
class AuditEntryConnection:
    edges: list[AuditEntryEdge]
    page_info: PageInfo


async def audit(info: Info, action: AuditAction, target: str) -> None:
    """Write an admin or privacy action of this request to the audit trail, naming the caller's key."""
    await info.context.services.audit.record(info.context.principal.name, action, target)


def _position(after: str) -> tuple[int, str]:
    position = decode_cursor(after)
    if not (isinstance(position, list) and len(position) == 2 and isinstance(position[0], int)) or not isinstance(
        position[1], str
    ):
        raise InvalidCursorError("after: not a cursor this API gave out")
    return position[0], position[1]


@strawberry.type
class AuditQuery:
    @strawberry.field(
        extensions=needs(Scope.ADMIN), description="Admin and privacy actions, newest first: who, what, when."
    )
    async def audit_trail(self, info: Info, first: int = 20, after: str | None = None) -> AuditEntryConnection:
        check_page_size(first, info.context.settings.max_page_size)
        entries = await info.context.services.audit.entries(first + 1, _position(after) if after else None)
        edges = [
            AuditEntryEdge(cursor=encode_cursor([entry.at, entry.id]), node=AuditEntry.from_model(entry))
            for entry in entries[:first]
        ]
        return AuditEntryConnection(
            edges=edges,
            page_info=PageInfo(has_next_page=len(entries) > first, end_cursor=edges[-1].cursor if edges else None),
        )
