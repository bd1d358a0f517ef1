"""A FalkorDB compact reply read straight into plain Python rows, for replies of plain values only.

The FalkorDB client parses a reply one value at a time, each through a coroutine (it may have to ask the server for
a label's or a property's name), into its own objects, which the store then turned into plain Python again
(`graphcdp.store.falkordb._plain`). For a reply of strings, numbers, booleans, nulls, lists, maps and points, which is
what graphcdp's statements return but for a few, that was a tenth of a context lookup's CPU (docs/performance.md).
Here such a reply is read in one synchronous pass into exactly what the client and `_plain` give together; a reply
holding anything else (a node, an edge, a path, a vector, a temporal value, a type this module does not know) or an
error is left to the client (`NotPlain`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from redis.exceptions import ResponseError

# FalkorDB's compact value types (falkordb.asyncio.query_result.ResultSetScalarTypes).
_NULL = 1
_STRING = 2
_INTEGER = 3
_BOOLEAN = 4
_DOUBLE = 5
_ARRAY = 6
_MAP = 10
_POINT = 11


class NotPlain(Exception):
    """The reply holds a value this module leaves to the client, or an error."""


def _string(value: Any) -> str:
    if type(value) is str:
        return value
    if isinstance(value, bytes):
        return value.decode()
    return str(value)


def _boolean(value: Any) -> bool:
    return (value.decode() if isinstance(value, bytes) else value) == "true"


def _array(value: Any) -> list[Any]:
    return [_value(item) for item in value]


def _map(value: Any) -> dict[str, Any]:
    return {_string(value[i]): _value(value[i + 1]) for i in range(0, len(value), 2)}


def _point(value: Any) -> dict[str, float]:
    return {"latitude": float(value[0]), "longitude": float(value[1])}


def _null(_value: Any) -> None:
    return None


_READERS: dict[int, Callable[[Any], Any]] = {
    _STRING: _string,
    _INTEGER: int,
    _NULL: _null,
    _DOUBLE: float,
    _ARRAY: _array,
    _MAP: _map,
    _BOOLEAN: _boolean,
    _POINT: _point,
}


def _value(cell: Any) -> Any:
    reader = _READERS.get(cell[0])
    if reader is None:
        raise NotPlain
    return reader(cell[1])


_EXECUTION_TIME = "Query internal execution time:"


def execution_ms(response: Any) -> float | None:
    """FalkorDB's own execution time of the statement, from the reply's statistics (its last part), in ms."""
    if not isinstance(response, list) or not response or not isinstance(response[-1], list):
        return None
    for line in response[-1]:
        text = line.decode() if isinstance(line, bytes) else line
        if isinstance(text, str) and text.startswith(_EXECUTION_TIME):
            try:
                return float(text[len(_EXECUTION_TIME) :].split()[0])
            except (ValueError, IndexError):
                return None
    return None


def plain_rows(response: Any) -> list[dict[str, Any]]:
    """The rows of a compact GRAPH.QUERY / GRAPH.RO_QUERY reply, each a dict by column name; NotPlain when the reply
    is an error or holds a value only the client reads."""
    if not isinstance(response, list) or not response:
        raise NotPlain
    if isinstance(response[0], ResponseError) or isinstance(response[-1], ResponseError):
        raise NotPlain  # the client raises it, as it would have
    if len(response) == 1:  # statistics only
        return []
    header = response[0]
    if not header:
        return []
    columns = [column[1] for column in header]
    width = len(columns)
    rows = []
    for row in response[1]:
        if len(row) != width:
            raise NotPlain
        rows.append({columns[i]: _value(row[i]) for i in range(width)})
    return rows
