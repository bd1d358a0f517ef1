"""The one convention for domain objects: pydantic models, snake_case in Python, camelCase on the wire.

Rows of a Cypher statement decode into these at the store boundary (`graphcdp.store.cypher.Query`): a
row type's field aliases are the statement's `returns:` columns, so `observed_at` reads the column
`observedAt`. Nothing above `store/` sees a raw result row.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict
from pydantic.alias_generators import to_camel


class DomainModel(BaseModel):
    """Base of every domain object and every decoded row."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class NoRow(DomainModel):
    """The row of a statement that returns nothing (`// returns: none`)."""


def _json_object(value: Any) -> Any:
    """A property stored as JSON text (nested data: docs/architecture.md, the graph model); missing means empty."""
    if value is None or value == "":
        return {}
    return json.loads(value) if isinstance(value, str) else value


def _json_or_none(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) and value else (value or None)


# A JSON-text column decoded into a dict ({} when the property is missing).
JsonObject = Annotated[dict[str, Any], BeforeValidator(_json_object)]
# A JSON-text column that may be absent (None).
OptionalJsonObject = Annotated[dict[str, Any] | None, BeforeValidator(_json_or_none)]
