"""Survivorship: the golden traits of a person from the traits of its records."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from graphcdp.identity.matching.birth_dates import Reading, read_birth_date


def _empty(value: Any) -> bool:
    return value is None or value in ("", [], {})


def _not_understood(key: str, value: Any) -> bool:
    """A value stored as sent though input warned about it (graphcdp/identity/input.py): it is the person's
    trait only when no record has one that is understood, so a 1942-25-08 never hides a 1942-08-25."""
    if key == "birthDate":
        return not isinstance(value, str) or read_birth_date(value).reading is not Reading.ISO
    return key == "address" and not isinstance(value, dict)


def golden_traits(records: Iterable[tuple[str, int, dict[str, Any]]], source_priority: Sequence[str]) -> dict[str, Any]:
    """Per trait key, the value of the most trusted source, then the most recent record; empties never win,
    and a value input warned about wins only where no record has one it understood.

    `records` are (source, observedAt, traits); sources not in `source_priority` rank after those in it.
    """
    rank = {source: position for position, source in enumerate(source_priority)}
    ordered = sorted(records, key=lambda r: (rank.get(r[0], len(rank)), -r[1]))
    golden: dict[str, Any] = {}
    for understood in (True, False):
        for _, _, traits in ordered:
            for key, value in traits.items():
                if key not in golden and not _empty(value) and _not_understood(key, value) is not understood:
                    golden[key] = value
    return dict(sorted(golden.items()))
