"""Reading a birth date as sent, whatever its shape: YYYY-MM-DD as it should be, and what people and systems
write instead. Day and month swapped (1942-25-08) is among the commonest errors in person data, so a value
that is not a date is read, where it can be, rather than thrown away; matching compares what was read."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import lru_cache

_YEAR_FIRST = re.compile(r"(\d{4})[-/. ](\d{1,2})[-/. ](\d{1,2})")
_YEAR_LAST = re.compile(r"(\d{1,2})[-/. ](\d{1,2})[-/. ](\d{4})")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_TIME = re.compile(r"[T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?")


class Reading(StrEnum):
    ISO = "iso"  # YYYY-MM-DD, a real date
    SWAPPED = "swapped"  # year first, day and month swapped (1942-25-08): only a swap makes it a date
    LAYOUT = "layout"  # another layout of one date (25/08/1942, 1942/8/25, 19420825, 1942-08-25T00:00:00)
    DIGITS = "digits"  # year, month and day digits that make no date (1942-02-30): compared as text only
    UNREADABLE = "unreadable"


@dataclass(frozen=True)
class BirthDate:
    value: str | None  # YYYY-MM-DD (for DIGITS not a real date), None when unreadable
    reading: Reading


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


@lru_cache(maxsize=2**14)
def read_birth_date(raw: str) -> BirthDate:
    """The date a birth date value most likely means, and how it was read."""
    text = _TIME.sub("", raw.strip(), count=1)
    if (exact := _iso_date(text)) is not None:
        return BirthDate(exact, Reading.ISO if exact == raw.strip() else Reading.LAYOUT)
    if found := _YEAR_FIRST.fullmatch(text) or _COMPACT.fullmatch(text):
        year, month, day = (int(part) for part in found.groups())
        return _year_first(year, month, day)
    if found := _YEAR_LAST.fullmatch(text):
        first, second, year = (int(part) for part in found.groups())
        return _year_last(first, second, year)
    return BirthDate(None, Reading.UNREADABLE)


def _year_first(year: int, month: int, day: int) -> BirthDate:
    if (as_sent := _iso(year, month, day)) is not None:
        return BirthDate(as_sent, Reading.LAYOUT)
    if (swapped := _iso(year, day, month)) is not None:
        return BirthDate(swapped, Reading.SWAPPED)
    return BirthDate(f"{year:04d}-{month:02d}-{day:02d}", Reading.DIGITS)


def _year_last(first: int, second: int, year: int) -> BirthDate:
    # Day first (25/08/1942) unless only month first makes a date (08/25/1942); a day-first reading of an
    # American date that is a date too (08/05/1942) is one that the day/month swap level still matches.
    for month, day in ((second, first), (first, second)):
        if (read := _iso(year, month, day)) is not None:
            return BirthDate(read, Reading.LAYOUT)
    return BirthDate(f"{year:04d}-{second:02d}-{first:02d}", Reading.DIGITS)


def _iso_date(text: str) -> str | None:
    if len(text) != 10:
        return None
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        return None


def describe(read: BirthDate) -> str:
    """What matching makes of a value that is not YYYY-MM-DD, for a warning's message."""
    if read.reading is Reading.SWAPPED:
        return f"matched as {read.value} (day and month swapped)"
    if read.reading is Reading.LAYOUT:
        return f"matched as {read.value}"
    if read.reading is Reading.DIGITS:
        return f"no such date; matched as the text {read.value}"
    return "left out of matching"
