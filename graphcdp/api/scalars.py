"""Custom scalars of the schema."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import TYPE_CHECKING, NewType

import strawberry
from strawberry.types.scalar import ScalarDefinition

# What a stored date-time outside the years 1..9999 (written before input was bounded) is shown as: the nearest
# date-time that can be written, so one such value never breaks the read of everything around it.
_FIRST_MS, _LAST_MS = -62_135_596_800_000, 253_402_300_799_999


def _iso(ms: int) -> str:
    ms = min(max(ms, _FIRST_MS), _LAST_MS) if math.isfinite(ms) else _LAST_MS
    return datetime.fromtimestamp(ms / 1000, tz=UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


if TYPE_CHECKING:
    DateTime = int  # epoch milliseconds inside; ISO-8601 on the wire
else:
    DateTime = NewType("DateTime", object)

# The schema's scalar_map (strawberry's recommended way to declare custom scalars).
SCALARS: dict[object, ScalarDefinition] = {
    DateTime: strawberry.scalar(
        name="DateTime",
        description="ISO-8601 date-time (e.g. 2024-05-01T10:00:00Z) or epoch milliseconds; output as ISO-8601 UTC. "
        "On input it is checked per item, so one bad date rejects only its own item.",
        serialize=_iso,
        parse_value=lambda value: value,
    )
}
