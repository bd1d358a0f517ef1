"""Match keys a record is indexed under (as MatchKey nodes with a size): blocking keys, where candidates
come from, and term keys, whose sizes are the value counts that term-frequency adjustment needs."""

from __future__ import annotations

import hashlib
import itertools
import re

from graphcdp.identity.matching.features import Features
from graphcdp.identity.matching.spec import BlockingRule, MatchingModel

BLOCK, TERM = "b:", "t:"
MAX_KEYS_PER_RULE = 8  # a record with many values of the fields of a rule gets at most this many of its keys
# MatchKey.key is under a uniqueness constraint, and the embedded FalkorDB crashes checking one on a string of more
# than 4,096 bytes: a longer key is stored as its readable start and a hash of the whole (same values, same key).
MAX_KEY_BYTES = 512
_KEPT_BYTES = 128
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
    return [bounded_key(f"{BLOCK}{rule.name}={'|'.join(sorted(c) if rule.unordered else c)}") for c in combos]


def blocking_keys(model: MatchingModel, features: Features) -> list[str]:
    return sorted({key for rule in model.blocking.rules for key in _rule_keys(rule, features)})


def term_keys(model: MatchingModel, features: Features) -> list[str]:
    """`t:field:value` for each value of a term-frequency field, and `t:field:*` (the field's record count)."""
    keys = set()
    for comparison in model.comparisons:
        if comparison.term_frequency and (values := features.get(comparison.field)):
            keys.add(f"{TERM}{comparison.field}:*")
            keys.update(bounded_key(f"{TERM}{comparison.field}:{v}") for v in values)
    return sorted(keys)


def bounded_key(key: str) -> str:
    """The key, or (longer than MAX_KEY_BYTES in UTF-8) its start and the SHA-256 of the whole. A hashed term key
    finds no count where a scorer looks it up by value, so a value that long counts as rare, as it is."""
    encoded = key.encode("utf-8", "surrogatepass")
    if len(encoded) <= MAX_KEY_BYTES:
        return key
    start = encoded[:_KEPT_BYTES].decode("utf-8", "ignore")
    return f"{start}#sha256:{hashlib.sha256(encoded).hexdigest()}"
