"""Relay-style pagination shared by every connection: PageInfo and opaque cursors."""

from __future__ import annotations

import base64
import json
from typing import Any

import strawberry

from graphcdp.errors import ErrorCode, GraphCDPError


class InvalidCursorError(GraphCDPError):
    code = ErrorCode.INVALID_CURSOR


class PageSizeError(GraphCDPError):
    code = ErrorCode.PAGE_SIZE_OUT_OF_RANGE


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


def encode_cursor(position: Any) -> str:
    """An opaque cursor for any JSON-serializable position (an offset, a keyset tuple, …)."""
    return base64.urlsafe_b64encode(json.dumps(position, separators=(",", ":")).encode()).decode()


def decode_cursor(cursor: str, field: str = "after") -> Any:
    try:
        return json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, UnicodeDecodeError):
        raise InvalidCursorError(f"{field}: not a cursor this API gave out") from None


def check_page_size(first: int, maximum: int, field: str = "first") -> None:
    if not 1 <= first <= maximum:
        raise PageSizeError(f"{field}: must be between 1 and {maximum} (GRAPHCDP_MAX_PAGE_SIZE), not {first}")
