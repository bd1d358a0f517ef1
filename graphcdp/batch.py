"""What every batch mutation does first: refuse an oversized batch, split valid items from item errors."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from graphcdp.errors import ErrorCode, Fault, GraphCDPError
from graphcdp.model.identity import ItemError

log = logging.getLogger(__name__)

Parsed = TypeVar("Parsed")
Input = TypeVar("Input", bound=BaseModel)


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


def decode_item(model: type[Input], index: int, raw: Any) -> Input | ItemError:
    """One raw item (a JSON object, a CSV row's fields) as its typed input, or the item error saying why not."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        return item_error(index, exc)


def item_error(index: int, exc: ValidationError) -> ItemError:
    """The first problem of an item that did not validate, as connectors know it: a check's own code and
    message (see graphcdp.model.inputs.invalid), or MISSING_FIELD for a required field left out."""
    first = exc.errors(include_url=False)[0]
    field = ".".join(str(part) for part in first["loc"])
    if first["type"] == "missing":
        return ItemError(
            index=index, code=ErrorCode.MISSING_FIELD, message=f"{field} is required and must be a non-empty string"
        )
    if first["type"] in ErrorCode.__members__:
        return ItemError(index=index, code=ErrorCode(first["type"]), message=first["msg"])
    return ItemError(index=index, code=ErrorCode.INVALID_FIELD, message=f"{field}: {first['msg']}")


def items_failed(indexes: Iterable[int], exc: GraphCDPError) -> list[ItemError]:
    """An error for each item that a failure after parsing stopped (their resolution, say). A service fault is
    logged here, once, with its detail, and shown with the catalogue's message, as the API shows one; a
    request's own error (a component too large, a conflict that outlasted its retries) keeps its message."""
    message = exc.message
    if exc.code.fault is Fault.SERVICE:
        log.error("batch items failed: %s", exc.code.value, exc_info=exc)
        message = exc.code.meaning
    return [ItemError(index=index, code=exc.code, message=message) for index in indexes]
