"""What every batch mutation does first: refuse an oversized batch, split valid items from item errors."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from graphcdp.errors import ErrorCode, GraphCDPError
from graphcdp.model.identity import ItemError

Parsed = TypeVar("Parsed")


class BatchTooLargeError(GraphCDPError):
    code = ErrorCode.BATCH_TOO_LARGE


def check_batch_size(count: int, limit: int, what: str, mutation: str) -> None:
    if count > limit:
        raise BatchTooLargeError(
            f"{count} {what} in one {mutation} call; the limit is {limit} (GRAPHCDP_MAX_BATCH_SIZE)"
        )


def parse_items(
    items: Sequence[Any], parse: Callable[[int, Any], Parsed | ItemError]
) -> tuple[list[Parsed], list[ItemError]]:
    """Each item parsed with its index: the valid ones, and an item error for each of the others."""
    parsed: list[Parsed] = []
    errors: list[ItemError] = []
    for index, item in enumerate(items):
        result = parse(index, item)
        if isinstance(result, ItemError):
            errors.append(result)
        else:
            parsed.append(result)
    return parsed, errors
