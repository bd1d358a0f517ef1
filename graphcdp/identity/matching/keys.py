"""Match keys a record is indexed under (as MatchKey nodes with a size): blocking keys, where candidates
come from, and term keys, whose sizes are the value counts that term-frequency adjustment needs."""

from __future__ import annotations

import itertools
import re

from graphcdp.identity.matching.features import Features
from graphcdp.identity.matching.spec import BlockingRule, MatchingModel

BLOCK, TERM = "b:", "t:"
MAX_KEYS_PER_RULE = 8  # a record with many values of the fields of a rule gets at most this many of its keys
_NOT_DIGIT = re.compile(r"\D")


def _transform(value: str, transform: str) -> str:
    if transform in ("", "value"):
        return value
    if transform == "initial":
        return value[:1]
    if transform.startswith("prefix"):
        return value[: int(transform.removeprefix("prefix"))]
    if transform == "year":
        return value[:4]
    if transform == "digits":
        return _NOT_DIGIT.sub("", value)
    raise AssertionError(f"unhandled transform {transform!r}")  # the config only admits the known ones


def _rule_keys(rule: BlockingRule, features: Features) -> list[str]:
    options: list[list[str]] = []
    for part in rule.parts:
        field, _, transform = part.partition(":")
        values = sorted({v for v in (_transform(x, transform) for x in features.get(field, ())) if v})
        if not values:
            return []  # a record without one of the fields is in no block of this rule
        options.append(values)
    combos = itertools.islice(itertools.product(*options), MAX_KEYS_PER_RULE)
    return [f"{BLOCK}{rule.name}={'|'.join(combo)}" for combo in combos]


def blocking_keys(model: MatchingModel, features: Features) -> list[str]:
    return sorted({key for rule in model.blocking.rules for key in _rule_keys(rule, features)})


def term_keys(model: MatchingModel, features: Features) -> list[str]:
    """`t:field:value` for each value of a term-frequency field, and `t:field:*` (the field's record count)."""
    keys = set()
    for comparison in model.comparisons:
        if comparison.term_frequency and (values := features.get(comparison.field)):
            keys.add(f"{TERM}{comparison.field}:*")
            keys.update(f"{TERM}{comparison.field}:{v}" for v in values)
    return sorted(keys)
