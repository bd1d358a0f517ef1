"""Whether two cleaned values agree at a comparison level (rapidfuzz for the string distances)."""

from __future__ import annotations

from datetime import date

from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler, Levenshtein

from graphcdp.identity.matching.nicknames import Nicknames
from graphcdp.identity.matching.spec import (
    DamerauLevenshteinLevel,
    DateWithinLevel,
    ExactLevel,
    JaroWinklerLevel,
    Level,
    LevenshteinLevel,
    MonthDaySwapLevel,
    NicknameLevel,
)


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _both_dates(a: str, b: str) -> tuple[date, date] | None:
    first, second = _date(a), _date(b)
    return (first, second) if first is not None and second is not None else None


def holds(level: Level, a: str, b: str, nicknames: Nicknames) -> bool:
    if isinstance(level, ExactLevel | NicknameLevel):
        return a == b or (isinstance(level, NicknameLevel) and nicknames.agree(a, b))
    if isinstance(level, JaroWinklerLevel):
        return bool(JaroWinkler.similarity(a, b) >= level.min)
    if isinstance(level, DamerauLevenshteinLevel | LevenshteinLevel):
        metric = DamerauLevenshtein if isinstance(level, DamerauLevenshteinLevel) else Levenshtein
        return bool(metric.distance(a, b, score_cutoff=level.max) <= level.max)
    dates = _both_dates(a, b)
    if dates is None:
        return False
    first, second = dates
    if isinstance(level, DateWithinLevel):
        return abs((first - second).days) <= level.days
    if isinstance(level, MonthDaySwapLevel):
        return first.year == second.year and (first.month, first.day) == (second.day, second.month) and first != second
    raise AssertionError(f"unhandled level {level!r}")  # the config only admits the kinds above
