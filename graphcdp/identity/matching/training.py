"""Training a matching model on the records in the graph, unsupervised (the way Splink does it):

- u per level from random pairs of records, each counted as a non-match as far as the model says it is not a
  match (the random pairs hold the prior's share of matches, and those agree where matches agree); a comparison
  too few random pairs both carry keeps its u; the exact level of a term-frequency comparison gets the
  frequency of a typical value (2^-entropy), which stands for the term frequencies where none are used;
- m per level by expectation-maximisation over the pairs each blocking rule yields, one session per rule,
  leaving out the comparisons of the fields that rule blocks on (they agree by construction there); an m
  is the mean of the sessions that estimated it;
- optionally m from pairs the identifiers already prove (records that share a linking identifier), for
  the comparisons not derived from identifiers;
- the prior from the matches expected among the training rules' pairs (each pair once) over all pairs;
- u, m and the prior in ROUNDS rounds, each under the others' last estimate.

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
from graphcdp.identity.matching.spec import BlockingRule, ExactLevel, MatchingModel, Training, level_name
from graphcdp.store import GraphStore

IDENTIFIER_FIELDS = ("emailLocal", "phone")  # derived from identifiers: proven pairs agree on them by design
SMOOTHING = 1.0  # added to every level count, so no level gets m or u of 0
MIN_LABELLED = 50  # proven pairs needed before they set m
MIN_EVIDENCE = 30.0  # matched pairs with both values needed before a source sets a comparison's m
ROUNDS = 3  # u, then m and the prior under it, then u without the matches among the random pairs, ...
PRIOR_ITERATIONS = 100


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
    current_m = [[lv.m for lv in c.levels] + [c.otherwise.m] for c in model.comparisons]
    current_u = [[lv.u for lv in c.levels] + [c.otherwise.u] for c in model.comparisons]
    sampled = trainer.random_patterns(records, random_pairs)
    rule_pairs = [(rule, trainer.blocked_pairs(records, index)) for index, rule in enumerate(model.blocking.rules)]
    patterns: dict[tuple[int, int], Pattern] = {}
    for rule, pairs in rule_pairs:
        for a, b in pairs if rule.train else ():
            if (a, b) not in patterns:
                patterns[(a, b)] = trainer.pattern(records[a].features, records[b].features)
    blocked = [(rule, Counter(patterns[pair] for pair in pairs)) for rule, pairs in rule_pairs if pairs and rule.train]
    # Every pair some training rule yields, once: the pairs of a rule marked `train: false` (a household's
    # surname and postal code) are mostly different people the model cannot tell from matches.
    candidates = Counter(patterns.values())
    proven = trainer.proven_pairs(records, random_pairs) if use_identifiers else set()
    proven_patterns = Counter(trainer.pattern(records[a].features, records[b].features) for a, b in proven)
    n = len(records)
    all_pairs = n * (n - 1) / 2

    # u, m and the prior depend on each other: u is what non-matches do, and the random pairs hold the share
    # `prior` of matches, which agree where matches agree (on a national id, nearly all the random pairs that
    # agree are one person). So: u from the random pairs, m and the prior under it, then u again from the
    # random pairs with each counted as a non-match only as far as the model says it is not a match.
    m, u, prior = current_m, current_u, model.prior
    non_match: dict[Pattern, float] = {}
    fit = _Fit(current_m, 0, 0)
    typical = _typical_values(model, records)
    for _ in range(ROUNDS):
        u = _with_typical(model, _estimated_u(model, sampled, non_match, current_u), typical)
        fit = _fitted_m(model, blocked, proven_patterns, u, current_m)
        m = fit.m
        prior = _estimated_prior(candidates, m, u, prior, all_pairs) if all_pairs and fit.blocked else model.prior
        everything = range(len(model.comparisons))
        non_match = {p: 1.0 - q for p, q in posteriors(sampled, m, u, everything, prior).items()}

    comparisons = [
        comparison.model_copy(
            update={
                "levels": [
                    level.model_copy(update={"m": _clamp(m[c][i]), "u": _clamp(u[c][i])})
                    for i, level in enumerate(comparison.levels)
                ],
                "otherwise": comparison.otherwise.model_copy(update={"m": _clamp(m[c][-1]), "u": _clamp(u[c][-1])}),
            }
        )
        for c, comparison in enumerate(model.comparisons)
    ]
    trained = Training(
        at=int(time.time() * 1000),
        records=n,
        random_pairs=sum(sampled.values()),
        blocked_pairs=fit.blocked,
        labelled_pairs=len(proven),
        iterations=fit.iterations,
        prior_estimated=prior,
    )
    return model.model_copy(update={"comparisons": comparisons, "prior": prior, "trained": trained, "version": 0})


@dataclass(frozen=True)
class _Fit:
    m: list[list[float]]
    blocked: int  # pairs the training rules yielded
    iterations: int


def _estimated_u(
    model: MatchingModel, sampled: Counter[Pattern], non_match: dict[Pattern, float], current: list[list[float]]
) -> list[list[float]]:
    """Per comparison, u from the random pairs, each weighted by how likely it is not a match (1 before m is
    known). A comparison marked `trainU: false`, or one too few random pairs have both values of, keeps its u."""
    evidence = match_evidence(sampled, non_match, len(model.comparisons))
    return [
        _normalized(_level_counts(sampled, c, len(current[c]), non_match))
        if comparison.train_u and evidence[c] >= MIN_EVIDENCE
        else current[c]
        for c, comparison in enumerate(model.comparisons)
    ]


def _typical_values(model: MatchingModel, records: Sequence[TrainingRecord]) -> dict[int, float]:
    """u of the exact level of a term-frequency comparison: the frequency of a typical value, 2^-entropy of the
    values the records carry, not the chance that two random records agree. With term frequencies the scorer
    uses each value's own frequency; where it uses none (the no-chaining check), the level's weight should be
    the mean of those weights over agreeing matches. The chance of agreeing is dominated by the commonest
    values: on records of a few hundred names it made a name that agrees count two bits less than its mean, and
    one person's records with a moved address fell below the support threshold."""
    result: dict[int, float] = {}
    for c, comparison in enumerate(model.comparisons):
        if not (comparison.term_frequency and comparison.train_u):
            continue
        counts = Counter(value for record in records for value in record.features.get(comparison.field, ()))
        total = sum(counts.values())
        if total < MIN_EVIDENCE:
            continue
        entropy = -sum(n / total * math.log2(n / total) for n in counts.values())
        result[c] = 2.0**-entropy
    return result


def _with_typical(model: MatchingModel, u: list[list[float]], typical: dict[int, float]) -> list[list[float]]:
    """`u` with the exact levels of the comparisons in `typical` set to its value."""
    return [
        [
            typical[c]
            if c in typical and i < len(comparison.levels) and isinstance(comparison.levels[i], ExactLevel)
            else value
            for i, value in enumerate(u[c])
        ]
        for c, comparison in enumerate(model.comparisons)
    ]


def _fitted_m(
    model: MatchingModel,
    blocked: Sequence[tuple[BlockingRule, Counter[Pattern]]],
    proven: Counter[Pattern],
    u: list[list[float]],
    current: list[list[float]],
) -> _Fit:
    """m per comparison under `u`: an EM session per training rule, and the proven pairs (see _combined)."""
    fields = [c.field for c in model.comparisons]
    # Each source of m (an EM session per blocking rule, the proven pairs) comes with its evidence per
    # comparison: the matched pairs that have both values. _combined decides which source sets m.
    estimates: list[list[tuple[list[float], float]]] = [[] for _ in fields]
    blocked_total, iterations = 0, 0
    for rule, patterns in blocked:
        if not rule.train:
            continue
        blocked_on = {part.partition(":")[0] for part in rule.parts}
        estimate = [c for c, field in enumerate(fields) if field not in blocked_on]
        m, lam, used = expectation_maximisation(patterns, current, u, estimate)
        evidence = match_evidence(patterns, posteriors(patterns, m, u, estimate, lam), len(fields))
        iterations = max(iterations, used)
        pairs = sum(patterns.values())
        blocked_total += pairs
        for c in estimate:
            estimates[c].append((m[c], evidence[c]))
    proven_m: dict[int, tuple[list[float], float]] = {}
    if sum(proven.values()) >= MIN_LABELLED:
        evidence = match_evidence(proven, {}, len(fields))
        for c, field in enumerate(fields):
            if field not in IDENTIFIER_FIELDS:
                proven_m[c] = (_normalized(_level_counts(proven, c, len(current[c]), {})), evidence[c])
    m_final = [_combined(proven_m.get(c), estimates[c], current[c]) for c in range(len(fields))]
    return _Fit(m_final, blocked_total, iterations)


def _estimated_prior(
    candidates: Counter[Pattern],
    m: list[list[float]],
    u: list[list[float]],
    prior: float,
    all_pairs: float,
) -> float:
    """The share of matches among all pairs: the matches expected among the pairs of any blocking rule (the
    model's whole judgement of each pattern, every comparison), over all pairs; the pairs no rule yields are
    taken for non-matches. Found as a fixed point: the expected matches depend on the prior they estimate."""
    everything = range(len(m))
    for _ in range(PRIOR_ITERATIONS):
        posterior = posteriors(candidates, m, u, everything, prior)
        matches = sum(posterior[p] * n for p, n in candidates.items())
        new = min(max(matches / all_pairs, 1e-9), 0.5)
        if abs(math.log(new / prior)) < 1e-4:
            return new
        prior = new
    return prior


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
