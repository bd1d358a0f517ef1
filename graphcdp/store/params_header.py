"""The `CYPHER name=value …` header that carries a FalkorDB statement's parameters, written in one pass.

FalkorDB takes parameters as Cypher literals in front of the query text. The store used to copy every value to
turn booleans into Cypher's `true` (`_param`), then have the client write the copy value by value
(`stringify_param_value`): two walks over every parameter, a tenth of a bulk import's Python time
(docs/performance.md, "Parameters written in one pass"). A batch of 5,000 records is a 4 MB header. This writes the
same text in one walk, dispatching on the exact type of the values a statement's parameters are made of; anything
else (an enum, bytes, a map key the client would refuse) is written by the client's function, as before.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any


def params_header(params: Mapping[str, Any], other: Callable[[Any], str]) -> str:
    """The header for `params`, exactly as the client writes it; `other` writes a value of any other type."""
    write = _Writer(other).literal
    parts = ["CYPHER "]
    for name, value in params.items():
        if not name or "`" in name:  # statements name their parameters in Cypher: never so
            raise ValueError(f"a parameter name cannot be empty or hold a backtick: {name!r}")
        parts.append(f"`{name}`={write(value)} ")
    return "".join(parts)


class _Writer:
    """Cypher literals by the exact type of the value (a dict lookup, not a chain of isinstance checks)."""

    def __init__(self, other: Callable[[Any], str]) -> None:
        self.other = other
        self.by_type: dict[type, Callable[[Any], str]] = {
            str: _text,
            int: repr,
            float: repr,
            bool: _flag,
            type(None): _null,
            list: self.sequence,
            tuple: self.sequence,
            dict: self.map,
        }

    def literal(self, value: Any) -> str:
        return self.by_type.get(type(value), self.other)(value)

    def sequence(self, values: list[Any] | tuple[Any, ...]) -> str:
        return "[" + ",".join(map(self.literal, values)) + "]"

    def map(self, value: dict[Any, Any]) -> str:
        if not all(type(key) is str and key and "`" not in key for key in value):
            return self.other(value)  # the client's error for a key Cypher cannot take
        return "{" + ",".join(f"`{key}`:{self.literal(item)}" for key, item in value.items()) + "}"


def _text(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _null(_: None) -> str:
    return "null"
