"""Probabilistic links applied to the deterministic clusters of a component, without chaining strangers.

Deterministic clustering (graphcdp/identity/clustering.py) comes first. Then the MATCHED links between
records of different clusters are tried: reviewer-accepted ones first, then by score, highest first, then
by key, so the result is a function of the evidence, never of arrival order. A link joins two clusters only
if, across both, no comparable pair of records scores below the support threshold: a record joins a person
only if it matches the person as a whole, and a borderline chain A~B~C does not pull A and C together.
A pair a reviewer rejected never ends up together through matches, and type limits (merge protection)
apply as to any other merge.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from graphcdp.identity.clustering import Group, UnionFind
from graphcdp.identity.component import Component
from graphcdp.identity.matching.features import Features, stored_features
from graphcdp.identity.matching.scoring import PairScore, Scorer


@dataclass(frozen=True)
class MatchDecision:
    a: str
    b: str
    score: float
    rule: str
    reviewed: bool
    reason: str = ""  # why it was refused; empty when applied


@dataclass
class Linked:
    groups: list[Group]
    applied: list[MatchDecision]
    refused: list[MatchDecision]


def link_groups(
    groups: list[Group],
    component: Component,
    scorer: Scorer,
    limit: Callable[[str], int],
) -> Linked:
    owner = {key: index for index, group in enumerate(groups) for key in group.records}
    sets = UnionFind()
    for index in range(len(groups)):
        sets.add(str(index))
    members = {str(i): list(g.records) for i, g in enumerate(groups)}
    types: dict[str, Counter[str]] = {
        str(i): Counter(component.identifiers[k].type for k in g.identifiers) for i, g in enumerate(groups)
    }
    cannot = {frozenset((r.key, other)) for r in component.records.values() for other in r.cannot}
    features: dict[str, Features] = {}

    def features_of(key: str) -> Features:
        if key not in features:
            record = component.records[key]
            features[key] = stored_features(record.content_hash, record.traits, record.identifiers, scorer.model.fields)
        return features[key]

    def support(a: str, b: str) -> PairScore | None:
        fa, fb = features_of(a), features_of(b)
        if not fa or not fb:
            return None
        score = scorer.score(fa, fb)
        return score if score.comparable >= scorer.model.min_comparable else None

    links = {
        (min(r.key, m.other), max(r.key, m.other)): m
        for r in component.records.values()
        for m in r.matches
        if m.other in component.records
    }
    ordered = sorted(links.items(), key=lambda item: (not item[1].reviewed, -item[1].score, item[0]))
    linked = Linked(groups=[], applied=[], refused=[])
    for (a, b), edge in ordered:
        decision = MatchDecision(a, b, edge.score, edge.rule, edge.reviewed)
        if component.records[a].detached or component.records[b].detached or a not in owner or b not in owner:
            continue
        left, right = sets.find(str(owner[a])), sets.find(str(owner[b]))
        if left == right:
            continue
        reason = _refusal(members[left], members[right], cannot, types[left] + types[right], limit)
        if not reason and not edge.reviewed:
            reason = _unsupported(members[left], members[right], support, scorer.model.thresholds.support)
        if reason:
            linked.refused.append(MatchDecision(a, b, edge.score, edge.rule, edge.reviewed, reason))
            continue
        sets.union(left, right)
        members[left] += members.pop(right)
        types[left] += types.pop(right)
        linked.applied.append(decision)
    merged: dict[str, Group] = {}
    for index, group in enumerate(groups):
        target = merged.setdefault(sets.find(str(index)), Group(order=group.order))
        target.records += group.records
        target.identifiers += group.identifiers
        target.order = min(target.order, group.order)
    linked.groups = sorted(merged.values(), key=lambda g: g.order)
    return linked


def _refusal(
    left: list[str],
    right: list[str],
    cannot: set[frozenset[str]],
    types: Counter[str],
    limit: Callable[[str], int],
) -> str:
    for a in left:
        for b in right:
            if frozenset((a, b)) in cannot:
                first, second = sorted((a, b))
                return f"a reviewer said {first} and {second} are different people"
    for type_, n in sorted(types.items()):
        if n > limit(type_):
            return f"one person would hold {n} {type_} values (limit {limit(type_)})"
    return ""


def _unsupported(
    left: list[str], right: list[str], support: Callable[[str, str], PairScore | None], threshold: float
) -> str:
    for a in left:
        for b in right:
            score = support(a, b)
            if score is not None and score.probability < threshold:
                first, second = sorted((a, b))
                return f"{first} and {second} do not match (score {score.probability:.3f} < support {threshold:g})"
    return ""
