"""The body of a request to /graphql, read within bounds and decoded strictly.

A body larger than GRAPHCDP_MAX_REQUEST_BYTES is refused with 413 before it is read to the end (by its
Content-Length, or while it streams in without one). A body that is not UTF-8, not a JSON object (or a list of
them), nested deeper than MAX_JSON_DEPTH, with a number of more digits than Python converts, or with a query or
operation name that is not valid Unicode is refused with 400. Each refusal is a `RequestRefused`: a GraphQL
error with its ErrorCode, answered before anything runs (graphcdp/api/graphql_view.py)."""

from __future__ import annotations

import json
from typing import Any

from cross_web import HTTPException  # what strawberry's views raise for a bad request
from starlette.types import Message, Receive

from graphcdp.errors import ErrorCode

MAX_JSON_DEPTH = 64  # deeper than any record, trait or variable the schema has a use for


class RequestRefused(HTTPException):
    """A request refused before it runs, with its code (the view answers it as a GraphQL error)."""

    def __init__(self, status_code: int, code: ErrorCode, reason: str) -> None:
        super().__init__(status_code, reason)
        self.code = code


def _too_large(limit: int) -> RequestRefused:
    return RequestRefused(
        413, ErrorCode.REQUEST_TOO_LARGE, f"the request body is larger than {limit} bytes (GRAPHCDP_MAX_REQUEST_BYTES)"
    )


def bounded_receive(receive: Receive, headers: dict[str, str], limit: int) -> Receive:
    """`receive`, refusing a body larger than `limit` bytes: at once when Content-Length says so, or as soon as
    the bytes streamed in pass it."""
    declared = headers.get("content-length")
    if declared is not None and declared.strip().isdigit() and int(declared) > limit:
        raise _too_large(limit)
    received = 0

    async def counting() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise _too_large(limit)
        return message

    return counting


def decode_body(data: str | bytes) -> object:
    """The JSON of a request body, or a RequestRefused saying why it cannot be read."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
    except UnicodeDecodeError as error:
        raise _bad("the request body is not UTF-8") from error
    try:
        decoded = json.loads(text)
    except RecursionError as error:
        raise _bad(f"the request body's JSON is nested deeper than {MAX_JSON_DEPTH} levels") from error
    except json.JSONDecodeError:
        raise  # strawberry's "Unable to parse request body as JSON"
    except ValueError as error:  # an integer of more digits than Python converts
        raise _bad("a number in the request body has too many digits") from error
    items = decoded if isinstance(decoded, list) else [decoded]
    if not items or not all(isinstance(item, dict) for item in items):
        raise _bad("the request body must be a JSON object with a `query`")
    if _depth(decoded) > MAX_JSON_DEPTH:
        raise _bad(f"the request body's JSON is nested deeper than {MAX_JSON_DEPTH} levels")
    for item in items:
        for key in ("query", "operationName"):
            if isinstance(item.get(key), str) and not _is_unicode(item[key]):
                raise _bad(f"`{key}` is not valid Unicode (a lone surrogate)")
    return decoded


def _bad(reason: str) -> RequestRefused:
    return RequestRefused(400, ErrorCode.BAD_REQUEST, reason)


def _is_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _depth(value: Any) -> int:
    """How deep JSON containers nest in `value` (iteratively: no recursion to run out of)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        current, level = stack.pop()
        if isinstance(current, dict):
            children: Any = current.values()
        elif isinstance(current, list):
            children = current
        else:
            continue
        deepest = max(deepest, level)
        if level > MAX_JSON_DEPTH:
            break
        stack.extend((child, level + 1) for child in children)
    return deepest
