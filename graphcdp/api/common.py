"""Inputs and types every part of the schema shares."""

from __future__ import annotations

import strawberry

from graphcdp.api.errors import ErrorCode


@strawberry.input
class IdentifierInput:
    type: str = strawberry.field(description="email, phone, cookie_id, customer_id, … (see the identifier types).")
    value: str = strawberry.field(description="In any spelling: it is normalized as it would be on ingest.")


@strawberry.type
class ItemError:
    index: int = strawberry.field(description="Position of the rejected item in the input list.")
    code: ErrorCode
    message: str


@strawberry.type(description="A stored item with a value not understood: kept as sent, matched as far as it can be.")
class ItemWarning:
    index: int = strawberry.field(description="Position of the item in the input list.")
    path: str = strawberry.field(description="Where in the item, e.g. traits.birthDate.")
    code: ErrorCode
    message: str
