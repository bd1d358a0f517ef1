"""Whether two cleaned values agree at a comparison level (rapidfuzz for the string distances)."""

from __future__ import annotations

import operator
from collections.abc import Callable
from datetime import date
from functools import lru_cache

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


@lru_cache(maxsize=1 << 14)
def _date(value: str) -> date | None:
    """Parsed once per value: a birth date is compared by several levels against every candidate's."""
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


LevelTest = Callable[[str, str], bool]


def holds(level: Level, a: str, b: str, nicknames: Nicknames) -> bool:
    return level_test(level, nicknames)(a, b)


def level_test(level: Level, nicknames: Nicknames) -> LevelTest:
    """Whether two values agree at `level`, as a function made once per level: the scorer calls it for every
    pair of values of every candidate pair, and choosing the kind's test each time was a tenth of its time."""
    if isinstance(level, NicknameLevel) and level.typos:
        typos = level.typos
        return lambda a, b: nicknames.agree_with_typos(a, b, typos)
    if isinstance(level, NicknameLevel):
        return lambda a, b: a == b or nicknames.agree(a, b)
    if isinstance(level, ExactLevel):
        return operator.eq
    if isinstance(level, JaroWinklerLevel):
        least, similarity = level.min, JaroWinkler.similarity
        return lambda a, b: similarity(a, b) >= least
    if isinstance(level, DamerauLevenshteinLevel | LevenshteinLevel):
        most = level.max
        distance = (DamerauLevenshtein if isinstance(level, DamerauLevenshteinLevel) else Levenshtein).distance
        return lambda a, b: distance(a, b, score_cutoff=most) <= most

    def dated(a: str, b: str) -> bool:
        dates = _both_dates(a, b)
        return dates is not None and _dates_hold(level, *dates)

    return dated


def _dates_hold(level: Level, first: date, second: date) -> bool:
    if isinstance(level, DateWithinLevel):
        return abs((first - second).days) <= level.days
    if isinstance(level, MonthDaySwapLevel):
        return first.year == second.year and (first.month, first.day) == (second.day, second.month) and first != second
    if isinstance(level, YearTypoLevel):
        return (first.month, first.day) == (second.month, second.day) and _year_typo(first.year, second.year)
    raise AssertionError(f"unhandled level {level!r}")  # the config only admits the kinds above
