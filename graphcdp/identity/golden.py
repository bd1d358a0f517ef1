"""Survivorship: the golden traits of a person from the traits of its records."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any


def _empty(value: Any) -> bool:
    return value is None or value in ("", [], {})


def golden_traits(records: Iterable[tuple[str, int, dict[str, Any]]], source_priority: Sequence[str]) -> dict[str, Any]:
    """Per trait key, the value of the most trusted source, then the most recent record; empties never win.

    `records` are (source, observedAt, traits); sources not in `source_priority` rank after those in it.
    """
    rank = {source: position for position, source in enumerate(source_priority)}
    ordered = sorted(records, key=lambda r: (rank.get(r[0], len(rank)), -r[1]))
    golden: dict[str, Any] = {}
    for _, _, traits in ordered:
        for key, value in traits.items():
            if key not in golden and not _empty(value):
                golden[key] = value
    return dict(sorted(golden.items()))
