"""What every typed input (a record, a touchpoint) shares: the rules for ids and dates, and the item error
a check raises (a pydantic validator raises it as a PydanticCustomError whose type is the error code, so
`graphcdp.batch.item_error` turns a ValidationError back into the code and message connectors rely on)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from pydantic_core import PydanticCustomError

from graphcdp.errors import GraphCDPError
from graphcdp.model.base import DomainModel

MAX_ID_LENGTH = 256
# Sources graphcdp writes itself (evidence of touchpoints and consent); connectors may not use them.
RESERVED_SOURCE_PREFIX = "graphcdp."


class ItemInvalid(GraphCDPError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def invalid(code: str, message: str) -> PydanticCustomError:
    """An item check failing inside a validator: the error type is the code (no template: `{}` stay as written)."""
    return PydanticCustomError(code, message)


def epoch_ms(value: Any, field: str) -> int:
    """An ISO-8601 string, a datetime/date or epoch milliseconds → epoch milliseconds (naive = UTC)."""
    if isinstance(value, bool):
        raise ItemInvalid("INVALID_DATE", f"{field} must be a date-time, not a boolean")
    if isinstance(value, int | float):
        return int(value)
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise ItemInvalid(
                "INVALID_DATE", f"{field} {value!r} is not an ISO-8601 date-time (e.g. 2024-05-01T10:00:00Z)"
            ) from None
    else:
        raise ItemInvalid("INVALID_DATE", f"{field} must be an ISO-8601 string or epoch milliseconds")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def required_text(value: Any, field: str) -> str:
    """A required id (source, sourceId…): a non-empty string (a JSON number is taken as its text)."""
    if not isinstance(value, str | int) or isinstance(value, bool) or not str(value).strip():
        raise ItemInvalid("MISSING_FIELD", f"{field} is required and must be a non-empty string")
    text = str(value).strip()
    if len(text) > MAX_ID_LENGTH:
        raise ItemInvalid("INVALID_FIELD", f"{field} is longer than {MAX_ID_LENGTH} characters")
    return text


class IdentifierValue(DomainModel):
    """An identifier as sent, in any spelling: normalized against the identifier policy later."""

    type: str
    value: str


def identifier_values(value: Any) -> list[IdentifierValue]:
    """`identifiers` as sent: a list of {type, value} (missing means none)."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise ItemInvalid("INVALID_IDENTIFIERS", "identifiers must be a list of {type, value}")
    values = []
    for position, entry in enumerate(value):
        if isinstance(entry, IdentifierValue):
            values.append(entry)
        elif isinstance(entry, Mapping) and "type" in entry and "value" in entry:
            values.append(IdentifierValue(type=str(entry["type"]), value=str(entry["value"])))
        else:
            raise ItemInvalid("INVALID_IDENTIFIERS", f"identifiers[{position}] must be an object {{type, value}}")
    return values
