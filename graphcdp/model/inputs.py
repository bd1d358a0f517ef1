"""What every typed input (a record, a touchpoint) shares: the rules for ids and dates, and the item error
a check raises (a pydantic validator raises it as a PydanticCustomError whose type is the error code, so
`graphcdp.batch.item_error` turns a ValidationError back into the code and message connectors rely on)."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from pydantic_core import PydanticCustomError

from graphcdp.errors import ErrorCode, GraphCDPError
from graphcdp.model.base import DomainModel

MAX_ID_LENGTH = 256
# Sources graphcdp writes itself (evidence of touchpoints and consent); connectors may not use them.
RESERVED_SOURCE_PREFIX = "graphcdp."
MAX_NESTING = 16  # traits/properties nested deeper than this are refused (and never walked recursively further)
DAY_MS = 86_400_000
# What no string the service stores may hold: C0 controls but tab and line breaks, DEL, unpaired surrogates.
# Such an item is refused, not cleaned: a silently changed identifier or name would link or show wrongly.
_BAD_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


@dataclass(frozen=True)
class InputLimits:
    """Bounds on one item (settings max_trait_length, max_traits_bytes, max_identifiers_per_record, max_amount,
    earliest_year, max_future_seconds): a value outside them is that item's error."""

    max_trait_length: int = 1000
    max_traits_bytes: int = 32_768
    max_identifiers: int = 50
    max_amount: float = 1e12
    earliest_year: int = 1900
    max_future_ms: int = DAY_MS

    @property
    def earliest_ms(self) -> int:
        return int(datetime(self.earliest_year, 1, 1, tzinfo=UTC).timestamp() * 1000)

    def check_date(self, at: int, field: str, now_ms: int) -> None:
        if at < self.earliest_ms:
            raise ItemInvalid(ErrorCode.DATE_OUT_OF_RANGE, f"{field} lies before the year {self.earliest_year}")
        if at > now_ms + self.max_future_ms:
            raise ItemInvalid(
                ErrorCode.DATE_OUT_OF_RANGE,
                f"{field} lies more than {self.max_future_ms // 1000} s ahead of the server's clock",
            )

    def check_identifier_count(self, count: int) -> None:
        if count > self.max_identifiers:
            raise ItemInvalid(
                ErrorCode.TOO_MANY_IDENTIFIERS, f"{count} identifiers; at most {self.max_identifiers} per item"
            )

    def check_object(self, value: Mapping[str, Any], field: str) -> None:
        """Traits or properties: every key and string within bounds and clean, every number finite, not nested
        too deep, not too large as JSON."""
        self._check_value(value, field, 0)
        size = len(json.dumps(value, default=str, ensure_ascii=False).encode("utf-8", "surrogatepass"))
        if size > self.max_traits_bytes:
            raise ItemInvalid(
                ErrorCode.TRAITS_TOO_LARGE, f"{field} is {size} bytes as JSON; at most {self.max_traits_bytes}"
            )

    def _check_value(self, value: Any, field: str, depth: int) -> None:
        if depth > MAX_NESTING:
            raise ItemInvalid(ErrorCode.TRAITS_TOO_LARGE, f"{field} is nested deeper than {MAX_NESTING} levels")
        if isinstance(value, str):
            self._check_string(value, field)
        elif isinstance(value, float) and not math.isfinite(value):
            raise ItemInvalid(ErrorCode.INVALID_TRAITS, f"{field} is a number that is not finite")
        elif isinstance(value, Mapping):
            for key, item in value.items():
                name = f"{field}.{self._shown_key(key)}"
                self._check_string(str(key), f"{field} key")
                self._check_value(item, name, depth + 1)
        elif isinstance(value, list | tuple):
            for position, item in enumerate(value):
                self._check_value(item, f"{field}[{position}]", depth + 1)

    def _check_string(self, text: str, field: str) -> None:
        if len(text) > self.max_trait_length:
            raise ItemInvalid(
                ErrorCode.TRAIT_TOO_LONG, f"{field} is {len(text)} characters long; at most {self.max_trait_length}"
            )
        check_text(text, field)

    @staticmethod
    def _shown_key(key: Any) -> str:
        text = str(key)
        return text if len(text) <= 64 and not _BAD_CHAR.search(text) else "(key)"


def check_text(text: str, field: str) -> str:
    """The text, or INVALID_TEXT when it holds a control character or an unpaired surrogate (never echoed)."""
    if found := _BAD_CHAR.search(text):
        raise ItemInvalid(
            ErrorCode.INVALID_TEXT,
            f"{field} holds U+{ord(found.group()):04X} at position {found.start()} (control characters and "
            "unpaired surrogates are refused)",
        )
    return text


class ItemInvalid(GraphCDPError):
    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code


def invalid(code: ErrorCode, message: str) -> PydanticCustomError:
    """An item check failing inside a validator: the error type is the code (no template: `{}` stay as written)."""
    return PydanticCustomError(code.value, message)


def epoch_ms(value: Any, field: str) -> int:
    """An ISO-8601 string, a datetime/date or epoch milliseconds → epoch milliseconds (naive = UTC)."""
    if isinstance(value, bool):
        raise ItemInvalid(ErrorCode.INVALID_DATE, f"{field} must be a date-time, not a boolean")
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            raise ItemInvalid(ErrorCode.INVALID_DATE, f"{field} must be a finite number of epoch milliseconds")
        return int(value)
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        check_text(value, field)
        try:
            moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise ItemInvalid(
                ErrorCode.INVALID_DATE, f"{field} {value!r} is not an ISO-8601 date-time (e.g. 2024-05-01T10:00:00Z)"
            ) from None
    else:
        raise ItemInvalid(ErrorCode.INVALID_DATE, f"{field} must be an ISO-8601 string or epoch milliseconds")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def required_text(value: Any, field: str) -> str:
    """A required id (source, sourceId…): a non-empty string (a JSON number is taken as its text)."""
    if not isinstance(value, str | int) or isinstance(value, bool) or not str(value).strip():
        raise ItemInvalid(ErrorCode.MISSING_FIELD, f"{field} is required and must be a non-empty string")
    text = str(value).strip()
    if len(text) > MAX_ID_LENGTH:
        raise ItemInvalid(ErrorCode.INVALID_FIELD, f"{field} is longer than {MAX_ID_LENGTH} characters")
    return check_text(text, field)


class IdentifierValue(DomainModel):
    """An identifier as sent, in any spelling: normalized against the identifier policy later."""

    type: str
    value: str


def identifier_values(value: Any) -> list[IdentifierValue]:
    """`identifiers` as sent: a list of {type, value} (missing means none)."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise ItemInvalid(ErrorCode.INVALID_IDENTIFIERS, "identifiers must be a list of {type, value}")
    values = []
    for position, entry in enumerate(value):
        if isinstance(entry, IdentifierValue):
            values.append(entry)
        elif isinstance(entry, Mapping) and "type" in entry and "value" in entry:
            values.append(IdentifierValue(type=str(entry["type"]), value=str(entry["value"])))
        else:
            raise ItemInvalid(
                ErrorCode.INVALID_IDENTIFIERS, f"identifiers[{position}] must be an object {{type, value}}"
            )
    return values
