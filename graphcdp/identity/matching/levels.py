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
    YearTypoLevel,
)


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _both_dates(a: str, b: str) -> tuple[date, date] | None:
    first, second = _date(a), _date(b)
    return (first, second) if first is not None and second is not None else None


def _year_typo(a: int, b: int) -> bool:
    x, y = f"{a:04d}", f"{b:04d}"
    differ = [i for i in range(4) if x[i] != y[i]]
    if len(differ) == 1:
        return True
    return (
        len(differ) == 2
        and differ[1] == differ[0] + 1
        and x[differ[0]] == y[differ[1]]
        and x[differ[1]] == y[differ[0]]
    )


def holds(level: Level, a: str, b: str, nicknames: Nicknames) -> bool:
    if isinstance(level, NicknameLevel) and level.typos:
        return nicknames.agree_with_typos(a, b, level.typos)
    if isinstance(level, ExactLevel | NicknameLevel):
        return a == b or (isinstance(level, NicknameLevel) and nicknames.agree(a, b))
    if isinstance(level, JaroWinklerLevel):
        return bool(JaroWinkler.similarity(a, b) >= level.min)
    if isinstance(level, DamerauLevenshteinLevel | LevenshteinLevel):
        metric = DamerauLevenshtein if isinstance(level, DamerauLevenshteinLevel) else Levenshtein
        return bool(metric.distance(a, b, score_cutoff=level.max) <= level.max)
    dates = _both_dates(a, b)
    return dates is not None and _dates_hold(level, *dates)


def _dates_hold(level: Level, first: date, second: date) -> bool:
    if isinstance(level, DateWithinLevel):
        return abs((first - second).days) <= level.days
    if isinstance(level, MonthDaySwapLevel):
        return first.year == second.year and (first.month, first.day) == (second.day, second.month) and first != second
    if isinstance(level, YearTypoLevel):
        return (first.month, first.day) == (second.month, second.day) and _year_typo(first.year, second.year)
    raise AssertionError(f"unhandled level {level!r}")  # the config only admits the kinds above
