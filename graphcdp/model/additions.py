"""Rows of the statements that resolve a batch's additions to persons (graphcdp/identity/additions.py)."""

from __future__ import annotations

from graphcdp.model.base import DomainModel, JsonObject
from graphcdp.model.identity import Flag


class AdditionIdentifier(DomainModel):
    """An identifier of a new evidence record (identity/addition_identifiers), with the records holding it."""

    key: str
    type: str
    blocked: Flag = False
    shared: Flag = False
    rejections: int = 0
    person: str | None = None
    degree: int  # the records holding it
    # [record key, its person or "", detached] of the holders not plainly its person's (none, another, detached)
    holders: list[tuple[str, str, Flag]]
    # [record key, traits] of the holders that may name someone (a first name), for types of limit above 1 only
    named: list[tuple[str, JsonObject]]


class AdditionPerson(DomainModel):
    """A person new evidence would join (identity/addition_persons), with every identifier she holds as
    [key, type, refusal count, shared]."""

    id: str
    version: int
    traits: JsonObject
    record_count: int
    rejections: list[str]
    retired: Flag = False
    identifiers: list[tuple[str, str, int, Flag]]
