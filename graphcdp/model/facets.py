"""Facets: a person's golden traits and a touchpoint's properties flattened into `path=text` strings.

Compiled segment statements look traits up in `Person.traitFacets` and touchpoint properties in
`Touchpoint.facets`, so a condition is a membership test or a prefix scan over one list property, with the value
as a parameter, whatever the shape of the JSON they came from. The text of a value is the same wherever it is
made (`facet_text`): a definition's `{"trait": "orders", "eq": 12}` and a stored `12.0` both read `orders=12`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping

# A dotted trait path: at most 8 names, each a letter or underscore then up to 63 letters, digits or underscores.
TRAIT_PATH = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}(\.[A-Za-z_][A-Za-z0-9_]{0,63}){0,7}$")
PROPERTY_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
SEPARATOR = "="
MAX_FACET_TEXT = 256  # longer values are not looked up by segments (a definition's strings are as bounded)
_EXACT_INT = 2**53

Scalar = str | int | float | bool


def facet_text(value: Scalar) -> str | None:
    """How a value reads in a facet: strings as they are, booleans `true`/`false`, integers and integral floats
    as integers, other floats as `repr`; None for what no facet holds (non-finite numbers)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return str(int(value)) if value.is_integer() and abs(value) < _EXACT_INT else repr(value)
    return value


def facet(path: str, value: Scalar) -> str | None:
    text = facet_text(value)
    return None if text is None or len(text) > MAX_FACET_TEXT else f"{path}{SEPARATOR}{text}"


def trait_facets(golden_traits: Mapping[str, object]) -> list[str]:
    """Every leaf of the golden traits whose dotted path fits the path syntax, as `path=text`; each element of a
    list its own facet; nulls and nested lists skipped. Sorted and without duplicates."""
    return sorted(set(_leaves(golden_traits, "")))


def touchpoint_facets(properties: Mapping[str, object] | None) -> list[str]:
    """The top-level scalar properties of a touchpoint (and the scalar elements of top-level lists) as facets."""
    found: set[str] = set()
    for name, value in (properties or {}).items():
        if not isinstance(name, str) or not PROPERTY_NAME.match(name):
            continue
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str | int | float) and (text := facet(name, item)) is not None:
                found.add(text)
    return sorted(found)


def _leaves(traits: Mapping[str, object], prefix: str) -> Iterator[str]:
    for name, value in traits.items():
        path = f"{prefix}{name}" if not prefix else f"{prefix}.{name}"
        if not isinstance(name, str) or not TRAIT_PATH.match(path):
            continue
        if isinstance(value, Mapping):
            yield from _leaves(value, path)
            continue
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str | int | float) and (text := facet(path, item)) is not None:
                yield text
