"""Fellegi-Sunter scoring of one pair of records: per comparison the first level that holds, its weight
log2(m/u), and the match probability of prior + weights. The parts add up to the total, so an explanation
can show them as a waterfall."""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from rapidfuzz.distance import JaroWinkler

from graphcdp.identity.matching.features import Features, unshared
from graphcdp.identity.matching.levels import holds
from graphcdp.identity.matching.nicknames import Nicknames, shipped_nicknames
from graphcdp.identity.matching.spec import Comparison, ExactLevel, MatchingModel, SwappedLevel, level_name

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


class Scorer:
    def __init__(self, model: MatchingModel, nicknames: Nicknames | None = None) -> None:
        self.model = model
        self.nicknames = nicknames or shipped_nicknames()
        self.prior_weight = log_odds(model.prior)

    def score(self, a: Features, b: Features, terms: TermCounts | None = None) -> PairScore:
        return PairScore(self.prior_weight, tuple(self._compare(c, a, b, terms) for c in self.model.comparisons))

    def compare(self, a: Features, b: Features, fields: Collection[str]) -> dict[str, FieldScore]:
        """The comparisons of `fields` alone, by field: each is what `score` gives for it (a comparison reads only
        its field's values, and those of the field a swapped level names)."""
        return {c.field: self._compare(c, a, b, None) for c in self.model.comparisons if c.field in fields}

    def fields_read(self, fields: Collection[str]) -> tuple[str, ...]:
        """The features the comparisons of `fields` read, in the model's order: those fields and the fields their
        swapped levels name."""
        read = set(fields)
        for comparison in self.model.comparisons:
            if comparison.field in fields:
                read |= {level.with_field for level in comparison.levels if isinstance(level, SwappedLevel)}
        return tuple(f for f in self.model.fields if f in read)

    def _compare(self, comparison: Comparison, a: Features, b: Features, terms: TermCounts | None) -> FieldScore:
        values_a, values_b = a.get(comparison.field, ()), b.get(comparison.field, ())
        if comparison.field in IDENTIFIER_FIELDS:
            values_a, values_b = unshared(comparison.field, a, b)
        if not values_a or not values_b:
            return FieldScore(comparison.field, NULL, -1, 0.0)
        best: tuple[int, str, str] | None = None  # the best level any pair of values reaches
        for x in values_a:
            for y in values_b:
                for index, level in enumerate(comparison.levels[: best[0] if best else None]):
                    if (
                        _swapped(level, comparison.field, a, b)
                        if isinstance(level, SwappedLevel)
                        else holds(level, x, y, self.nicknames)
                    ):
                        best = (index, x, y)
                        break
                if best and best[0] == 0:
                    break
        if best is None:
            other = comparison.otherwise
            return FieldScore(
                comparison.field,
                ELSE,
                len(comparison.levels),
                math.log2(other.m / other.u),
                other.m,
                other.u,
                values_a[0],
                values_b[0],
            )
        index, x, y = best
        level = comparison.levels[index]
        u, tf = level.u, None
        if comparison.term_frequency and isinstance(level, ExactLevel) and terms is not None:
            tf = self._term_frequency(comparison.field, x, terms)
            u = tf if tf is not None else u
        return FieldScore(comparison.field, level_name(level), index, math.log2(level.m / u), level.m, u, x, y, tf)

    def _term_frequency(self, field: str, value: str, terms: TermCounts) -> float | None:
        total = terms.get(f"{field}:*", 0)
        if total < self.model.term_frequency.min_records:
            return None  # too few records to say what is rare
        return max(terms.get(f"{field}:{value}", 0), 1) / total
