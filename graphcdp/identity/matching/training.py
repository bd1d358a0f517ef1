"""Training a matching model on the records in the graph, unsupervised (the way Splink does it):

- u per level from random pairs of records (nearly all of them are different people);
- m per level by expectation-maximisation over the pairs each blocking rule yields, one session per rule,
  leaving out the comparisons of the fields that rule blocks on (they agree by construction there); an m
  is the mean of the sessions that estimated it;
- optionally m from pairs the identifiers already prove (records that share a linking identifier), for
  the comparisons not derived from identifiers;
- the prior from the expected matches among blocked pairs over all pairs.

What sets a comparison's m: the proven pairs, when at least MIN_EVIDENCE of them have both its values
(they are real matches; EM only guesses which pairs are). With proven pairs that are silent on it, it keeps
the m it had: on customer data EM fills that gap from the pairs it guesses, and in a block on surname and
postal code those are household members (trained on 2,000 generated people, birth dates no two records of
one person both carry came out as evidence for a match when they differ). Without proven pairs, the
evidence-weighted mean of the EM sessions with enough evidence, else the m it had. A comparison marked
`trainU: false` keeps its u (street, given the postal code).

The comparisons, levels, blocking and thresholds stay as configured: only m, u and the prior are learned.
Pairs are counted by their pattern of levels, so EM runs over patterns, not pairs.
"""

from __future__ import annotations

import itertools
import math
import random
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from graphcdp.identity.matching.features import Features, record_features
from graphcdp.identity.matching.keys import blocking_keys
from graphcdp.identity.matching.pages import record_pages
from graphcdp.identity.matching.scoring import Scorer
from graphcdp.identity.matching.spec import MatchingModel, Training, level_name
from graphcdp.store import GraphStore

IDENTIFIER_FIELDS = ("emailLocal", "phone")  # derived from identifiers: proven pairs agree on them by design
SMOOTHING = 1.0  # added to every level count, so no level gets m or u of 0
MIN_LABELLED = 50  # proven pairs needed before they set m
MIN_EVIDENCE = 30.0  # matched pairs with both values needed before a source sets a comparison's m


@dataclass(frozen=True)
class TrainingRecord:
    key: str
    features: Features
    identifiers: tuple[str, ...]


Pattern = tuple[int, ...]  # per comparison: level index, len(levels) for else, -1 for null


async def read_records(store: GraphStore, model: MatchingModel, page: int = 5000) -> list[TrainingRecord]:
    return [
        TrainingRecord(r.key, record_features(r.traits, r.identifiers, model.fields), r.identifiers)
        async for records in record_pages(store, page)
        for r in records
    ]


class Trainer:
    def __init__(self, model: MatchingModel, *, seed: int = 1) -> None:
        self.model = model
        self.scorer = Scorer(model)
        self.random = random.Random(seed)  # noqa: S311 - sampling, not crypto

    def pattern(self, a: Features, b: Features) -> Pattern:
        return tuple(f.index for f in self.scorer.score(a, b).fields)

    def random_patterns(self, records: Sequence[TrainingRecord], pairs: int) -> Counter[Pattern]:
        counts: Counter[Pattern] = Counter()
        if len(records) < 2:
            return counts
        for _ in range(pairs):
            a, b = self.random.sample(range(len(records)), 2)
            counts[self.pattern(records[a].features, records[b].features)] += 1
        return counts

    def blocked_pairs(self, records: Sequence[TrainingRecord], rule_index: int) -> set[tuple[int, int]]:
        rule = self.model.blocking.rules[rule_index]
        single = self.model.model_copy(update={"blocking": self.model.blocking.model_copy(update={"rules": [rule]})})
        blocks: dict[str, list[int]] = {}
        for index, record in enumerate(records):
            for key in blocking_keys(single, record.features):
                blocks.setdefault(key, []).append(index)
        pairs: set[tuple[int, int]] = set()
        for members in blocks.values():
            if len(members) <= self.model.blocking.max_block_size:
                pairs.update(itertools.combinations(members, 2))
        return pairs

    def proven_pairs(self, records: Sequence[TrainingRecord], limit: int) -> set[tuple[int, int]]:
        """Pairs of records that share a linking identifier: the same person, as far as identifiers prove."""
        holders: dict[str, list[int]] = {}
        for index, record in enumerate(records):
            for key in record.identifiers:
                holders.setdefault(key, []).append(index)
        pairs: set[tuple[int, int]] = set()
        for members in holders.values():
            if 2 <= len(members) <= self.model.blocking.max_block_size:
                pairs.update(itertools.combinations(members, 2))
        return set(self.random.sample(sorted(pairs), limit)) if len(pairs) > limit else pairs


def _level_counts(
    patterns: Counter[Pattern], comparison: int, levels: int, weights: dict[Pattern, float]
) -> list[float]:
    counts = [SMOOTHING] * levels
    for pattern, n in patterns.items():
        if (level := pattern[comparison]) != -1:
            counts[level] += n * weights.get(pattern, 1.0)
    return counts


def _normalized(counts: list[float]) -> list[float]:
    total = sum(counts)
    return [c / total for c in counts]


def expectation_maximisation(
    patterns: Counter[Pattern],
    m: list[list[float]],
    u: list[list[float]],
    estimate: Sequence[int],
    *,
    prior: float = 0.1,
    iterations: int = 200,
    tolerance: float = 1e-6,
) -> tuple[list[list[float]], float, int]:
    """m of the comparisons in `estimate` (u fixed) and the share of matches among these pairs."""
    m = [list(levels) for levels in m]
    lam = prior
    for iteration in range(1, iterations + 1):
        # The fields the pairs were blocked on agree by construction: left out of `estimate`.
        posterior = posteriors(patterns, m, u, estimate, lam)
        matches = sum(posterior[p] * n for p, n in patterns.items())
        lam_new = min(max(matches / sum(patterns.values()), 1e-9), 1 - 1e-9)
        change = abs(lam_new - lam)
        for c in estimate:
            new = _normalized(_level_counts(patterns, c, len(m[c]), posterior))
            change = max(change, *(abs(x - y) for x, y in zip(new, m[c], strict=True)))
            m[c] = new
        lam = lam_new
        if change < tolerance:
            return m, lam, iteration
    return m, lam, iterations


def match_evidence(patterns: Counter[Pattern], weights: dict[Pattern, float], comparisons: int) -> list[float]:
    """Per comparison, how many of the pairs (weighted by how likely each is a match) have both values: the
    evidence an estimate of its m rests on. A comparison no match ever has both values of teaches nothing."""
    evidence = [0.0] * comparisons
    for pattern, n in patterns.items():
        for c, level in enumerate(pattern):
            if level != -1:
                evidence[c] += n * weights.get(pattern, 1.0)
    return evidence


def posteriors(
    patterns: Counter[Pattern], m: list[list[float]], u: list[list[float]], estimate: Sequence[int], lam: float
) -> dict[Pattern, float]:
    """How likely each pattern is a match, under m, u and the share of matches `lam`."""
    result = {}
    for pattern in patterns:
        odds = math.log(lam / (1 - lam))
        for c in estimate:
            if (level := pattern[c]) != -1:
                odds += math.log(m[c][level] / u[c][level])
        result[pattern] = 1 / (1 + math.exp(-max(min(odds, 700), -700)))
    return result


def train(
    model: MatchingModel,
    records: Sequence[TrainingRecord],
    *,
    random_pairs: int = 200_000,
    use_identifiers: bool = True,
    seed: int = 1,
) -> MatchingModel:
    trainer = Trainer(model, seed=seed)
    levels = [len(c.levels) + 1 for c in model.comparisons]  # the levels, then else
    current_m = [[lv.m for lv in c.levels] + [c.otherwise.m] for c in model.comparisons]
    current_u = [[lv.u for lv in c.levels] + [c.otherwise.u] for c in model.comparisons]

    sampled = trainer.random_patterns(records, random_pairs)
    u = [
        _normalized(_level_counts(sampled, c, levels[c], {})) if sampled and comparison.train_u else current_u[c]
        for c, comparison in enumerate(model.comparisons)
    ]

    # Each source of m (an EM session per blocking rule, the proven pairs) comes with its evidence per
    # comparison: the matched pairs that have both values. _combined decides which source sets m.
    estimates: list[list[tuple[list[float], float]]] = [[] for _ in model.comparisons]
    blocked_total, expected_matches, iterations = 0, 0.0, 0
    fields = [c.field for c in model.comparisons]
    for index, rule in enumerate(model.blocking.rules):
        if not rule.train:
            continue
        pairs = trainer.blocked_pairs(records, index)
        if not pairs:
            continue
        blocked_on = {part.partition(":")[0] for part in rule.parts}
        estimate = [c for c, field in enumerate(fields) if field not in blocked_on]
        patterns = Counter(trainer.pattern(records[a].features, records[b].features) for a, b in pairs)
        m, lam, used = expectation_maximisation(patterns, current_m, u, estimate)
        evidence = match_evidence(patterns, posteriors(patterns, m, u, estimate, lam), len(fields))
        iterations = max(iterations, used)
        blocked_total += len(pairs)
        expected_matches = max(expected_matches, lam * len(pairs))  # the rule that finds the most matches
        for c in estimate:
            estimates[c].append((m[c], evidence[c]))

    labelled = 0
    proven_m: dict[int, tuple[list[float], float]] = {}
    if use_identifiers:
        proven = trainer.proven_pairs(records, random_pairs)
        labelled = len(proven)
        if labelled >= MIN_LABELLED:
            counted = Counter(trainer.pattern(records[a].features, records[b].features) for a, b in proven)
            evidence = match_evidence(counted, {}, len(fields))
            for c, field in enumerate(fields):
                if field not in IDENTIFIER_FIELDS:
                    proven_m[c] = (_normalized(_level_counts(counted, c, levels[c], {})), evidence[c])

    m_final = [_combined(proven_m.get(c), estimates[c], current_m[c]) for c in range(len(model.comparisons))]
    n = len(records)
    all_pairs = n * (n - 1) / 2
    prior = min(max(expected_matches / all_pairs, 1e-9), 0.5) if all_pairs and expected_matches else model.prior
    comparisons = [
        comparison.model_copy(
            update={
                "levels": [
                    level.model_copy(update={"m": _clamp(m_final[c][i]), "u": _clamp(u[c][i])})
                    for i, level in enumerate(comparison.levels)
                ],
                "otherwise": comparison.otherwise.model_copy(
                    update={"m": _clamp(m_final[c][-1]), "u": _clamp(u[c][-1])}
                ),
            }
        )
        for c, comparison in enumerate(model.comparisons)
    ]
    trained = Training(
        at=int(time.time() * 1000),
        records=n,
        random_pairs=sum(sampled.values()),
        blocked_pairs=blocked_total,
        labelled_pairs=labelled,
        iterations=iterations,
        prior_estimated=prior,
    )
    return model.model_copy(update={"comparisons": comparisons, "prior": prior, "trained": trained, "version": 0})


def _combined(
    proven: tuple[list[float], float] | None, sessions: Sequence[tuple[list[float], float]], current: list[float]
) -> list[float]:
    """One comparison's m: from the proven pairs if they hold enough evidence. With proven pairs that are
    silent on it (no matched pair has both values), the data cannot tell its m, and it keeps the one it had:
    EM would fill the gap from pairs it only guesses are matches. Without proven pairs for it (none, or a
    field derived from identifiers, which proven pairs agree on by design), the evidence-weighted mean of the
    EM sessions with enough evidence, else the m it had."""
    if proven is not None:
        return proven[0] if proven[1] >= MIN_EVIDENCE else current
    usable = [(m, weight) for m, weight in sessions if weight >= MIN_EVIDENCE]
    if not usable:
        return current
    total = sum(weight for _, weight in usable)
    return [sum(m[level] * weight for m, weight in usable) / total for level in range(len(current))]


def _clamp(p: float) -> float:
    return min(max(p, 1e-9), 1.0)


def summary(before: MatchingModel, after: MatchingModel) -> list[dict[str, Any]]:
    """Per comparison level: the weight before and after training, and what training kept (what the CLI
    prints): "m" where the data had too little evidence, "u" where the model says trainU false."""
    rows: list[dict[str, Any]] = []
    for old, new in zip(before.comparisons, after.comparisons, strict=True):
        pairs = [*zip(old.levels, new.levels, strict=True), (old.otherwise, new.otherwise)]
        kept = [name for name in ("m", "u") if all(getattr(a, name) == getattr(b, name) for a, b in pairs)]
        levels = [(level_name(a), a, b) for a, b in zip(old.levels, new.levels, strict=True)]
        for name, a, b in [*levels, ("else", old.otherwise, new.otherwise)]:
            rows.append(
                {
                    "field": old.field,
                    "level": name,
                    "weightBefore": round(math.log2(a.m / a.u), 2),
                    "weightAfter": round(math.log2(b.m / b.u), 2),
                    "m": round(b.m, 4),
                    "u": round(b.u, 6),
                    "kept": " ".join(kept),
                }
            )
    return rows
