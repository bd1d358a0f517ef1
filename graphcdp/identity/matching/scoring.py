"""Fellegi-Sunter scoring of one pair of records: per comparison the first level that holds, its weight
log2(m/u), and the match probability of prior + weights. The parts add up to the total, so an explanation
can show them as a waterfall."""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from rapidfuzz.distance import JaroWinkler

from graphcdp.identity.matching.features import Features, unshared
from graphcdp.identity.matching.levels import LevelTest, level_test
from graphcdp.identity.matching.nicknames import Nicknames, shipped_nicknames
from graphcdp.identity.matching.spec import Comparison, ExactLevel, Level, MatchingModel, SwappedLevel, level_name

NULL, ELSE = "null", "else"
IDENTIFIER_FIELDS = frozenset({"emailLocal", "phone"})  # fields made of identifiers: one both carry is left out


@dataclass(frozen=True)
class FieldScore:
    field: str
    level: str  # a level name, "else" (no level holds) or "null" (a value is missing: weight 0)
    index: int  # position of the level (len(levels) for else, -1 for null): what training counts
    weight: float
    m: float | None = None
    u: float | None = None
    a: str | None = None
    b: str | None = None
    term_frequency: float | None = None  # the u used instead of the level's, for a rare or common value

    def to_dict(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "level": self.level,
            "weight": round(self.weight, 6),
            "m": self.m,
            "u": self.u,
            "a": self.a,
            "b": self.b,
            "termFrequency": self.term_frequency,
        }


@dataclass(frozen=True)
class PairScore:
    prior_weight: float
    fields: tuple[FieldScore, ...]

    @property
    def weight(self) -> float:
        return self.prior_weight + sum(f.weight for f in self.fields)

    @property
    def probability(self) -> float:
        return probability(self.weight)

    @property
    def comparable(self) -> int:
        """How many fields both records have."""
        return sum(1 for f in self.fields if f.level != NULL)

    def to_dict(self) -> dict[str, Any]:
        return {
            "priorWeight": round(self.prior_weight, 6),
            "weight": round(self.weight, 6),
            "probability": self.probability,
            "fields": [f.to_dict() for f in self.fields],
        }


def probability(weight: float) -> float:
    if weight < -60:
        return 0.0
    return 1.0 / (1.0 + math.pow(2.0, -weight))


def log_odds(p: float) -> float:
    return math.log2(p / (1 - p))


# Counts of cleaned values per field, for term-frequency adjustment: "lastName:smith" → 1200, "lastName:*" →
# records that have a last name at all.
TermCounts = Mapping[str, int]


def _swapped(level: SwappedLevel, field: str, a: Features, b: Features) -> bool:
    """Each record's value of `field` is the other's value of the level's field (and the other way round).
    Compared without spaces: a custom trait is cleaned to letters and digits only ("woollumstreet"), a built-in
    one keeps its words ("woollum street"), and a street written in the second address line is still that street."""

    def compact(features: Features, name: str) -> set[str]:
        return {value.replace(" ", "") for value in features.get(name, ())}

    def meet(left: set[str], right: set[str]) -> bool:
        if level.min is None:
            return bool(left & right)
        return any(JaroWinkler.similarity(x, y) >= level.min for x in left for y in right)

    other = level.with_field
    return meet(compact(a, field), compact(b, other)) and meet(compact(a, other), compact(b, field))


@dataclass(frozen=True)
class _CompiledLevel:
    index: int
    level: Level
    name: str
    weight: float  # log2(m/u)
    test: LevelTest | None  # None: a swapped level, which reads the records rather than two values
    exact: bool


@dataclass(frozen=True)
class _CompiledComparison:
    """A comparison made ready once per model: its levels' tests, names and weights (the scorer runs it for
    every candidate pair, and working them out each time was most of its cost)."""

    comparison: Comparison
    field: str
    identifier_field: bool
    levels: tuple[_CompiledLevel, ...]
    else_weight: float
    null: FieldScore

    @classmethod
    def of(cls, comparison: Comparison, nicknames: Nicknames) -> _CompiledComparison:
        levels = tuple(
            _CompiledLevel(
                index,
                level,
                level_name(level),
                math.log2(level.m / level.u),
                None if isinstance(level, SwappedLevel) else level_test(level, nicknames),
                isinstance(level, ExactLevel),
            )
            for index, level in enumerate(comparison.levels)
        )
        other = comparison.otherwise
        return cls(
            comparison,
            comparison.field,
            comparison.field in IDENTIFIER_FIELDS,
            levels,
            math.log2(other.m / other.u),
            FieldScore(comparison.field, NULL, -1, 0.0),
        )


class Scorer:
    def __init__(self, model: MatchingModel, nicknames: Nicknames | None = None) -> None:
        self.model = model
        self.nicknames = nicknames or shipped_nicknames()
        self.prior_weight = log_odds(model.prior)
        self._comparisons = tuple(_CompiledComparison.of(c, self.nicknames) for c in model.comparisons)

    def score(self, a: Features, b: Features, terms: TermCounts | None = None) -> PairScore:
        return PairScore(self.prior_weight, tuple(self._compare(c, a, b, terms) for c in self._comparisons))

    def compare(self, a: Features, b: Features, fields: Collection[str]) -> dict[str, FieldScore]:
        """The comparisons of `fields` alone, by field: each is what `score` gives for it (a comparison reads only
        its field's values, and those of the field a swapped level names)."""
        return {c.field: self._compare(c, a, b, None) for c in self._comparisons if c.field in fields}

    def fields_read(self, fields: Collection[str]) -> tuple[str, ...]:
        """The features the comparisons of `fields` read, in the model's order: those fields and the fields their
        swapped levels name."""
        read = set(fields)
        for comparison in self.model.comparisons:
            if comparison.field in fields:
                read |= {level.with_field for level in comparison.levels if isinstance(level, SwappedLevel)}
        return tuple(f for f in self.model.fields if f in read)

    def _compare(self, compiled: _CompiledComparison, a: Features, b: Features, terms: TermCounts | None) -> FieldScore:
        field = compiled.field
        if compiled.identifier_field:
            values_a, values_b = unshared(field, a, b)
        else:
            values_a, values_b = a.get(field, ()), b.get(field, ())
        if not values_a or not values_b:
            return compiled.null
        best = _best_level(compiled, values_a, values_b, a, b)
        if best is None:
            other = compiled.comparison.otherwise
            return FieldScore(
                field, ELSE, len(compiled.levels), compiled.else_weight, other.m, other.u, values_a[0], values_b[0]
            )
        found, x, y = best
        spec = found.level
        weight, u, tf = found.weight, spec.u, None
        if found.exact and compiled.comparison.term_frequency and terms is not None:
            tf = self._term_frequency(field, x, terms)
            if tf is not None:
                u, weight = tf, math.log2(spec.m / tf)
        return FieldScore(field, found.name, found.index, weight, spec.m, u, x, y, tf)

    def _term_frequency(self, field: str, value: str, terms: TermCounts) -> float | None:
        total = terms.get(f"{field}:*", 0)
        if total < self.model.term_frequency.min_records:
            return None  # too few records to say what is rare
        return max(terms.get(f"{field}:{value}", 0), 1) / total


def _best_level(
    compiled: _CompiledComparison, values_a: Sequence[str], values_b: Sequence[str], a: Features, b: Features
) -> tuple[_CompiledLevel, str, str] | None:
    """The best level any pair of the two records' values reaches, with that pair; None when none holds."""
    swapped: bool | None = None  # whether the records' values sit in each other's fields: the same for every pair
    best: tuple[_CompiledLevel, str, str] | None = None
    for x in values_a:
        for y in values_b:
            for level in compiled.levels[: best[0].index if best else None]:
                if level.test is not None:
                    agree = level.test(x, y)
                else:
                    if swapped is None:
                        swapped = _swapped(cast(SwappedLevel, level.level), compiled.field, a, b)
                    agree = swapped
                if agree:
                    best = (level, x, y)
                    break
            if best and best[0].index == 0:
                return best
    return best
