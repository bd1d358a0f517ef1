"""Segment definitions of every kind, operator and metric: what the linter and the hostile-string tests compile."""

from __future__ import annotations

from graphcdp.segments.definition import COMPARISON_OPS, TRAIT_OPS, Metric

_TRAIT_VALUES: dict[str, object] = {
    "eq": "CA",
    "ne": 3,
    "in": ["CA", 2, True],
    "contains": "ak",
    "startsWith": "Oa",
    "gt": 1.5,
    "gte": "2020-01-01",
    "lt": 3,
    "lte": "z",
    "exists": True,
}

CORPUS: list[dict[str, object]] = [
    *({"trait": "address.region", op.value: _TRAIT_VALUES[op.value]} for op in TRAIT_OPS),
    {"trait": "x", "exists": False},
    *({"age": {op.value: 18}} for op in COMPARISON_OPS),
    {"identifier": "email"},
    {"identifier": "email", "eq": "ada@example.com"},
    *({"metric": m.value, "gte": 1} for m in Metric if m is not Metric.ENGAGEMENT_DECLINING),
    {"metric": "engagementDeclining", "eq": True},
    {"metric": "orders", "gte": 2, "lt": 10},
    {"touchpoint": {}},
    {
        "touchpoint": {"type": "page_view", "channel": "web", "properties": {"category": "shoes", "size": 38}},
        "withinDays": 30,
        "count": {"gte": 3, "lte": 10},
        "sum": {"gte": 100},
    },
    {"consent": {"purpose": "marketing", "channel": "email"}},
    {"consent": {"purpose": "marketing"}},
    {"segment": "vip"},
    {"all": [{"segment": "vip"}, {"not": {"any": [{"trait": "a", "eq": 1}, {"metric": "orders", "eq": 0}]}}]},
]

# One condition of each kind (an explanation shows a detail per kind).
ONE_OF_EACH_KIND: list[dict[str, object]] = [
    {"trait": "address.region", "eq": "CA"},
    {"age": {"gte": 18}},
    {"identifier": "email"},
    {"metric": "orders", "gte": 2},
    {"touchpoint": {"type": "order"}, "withinDays": 30, "sum": {"gte": 100}},
    {"consent": {"purpose": "marketing", "channel": "email"}},
    {"consent": {"purpose": "marketing"}},
    {"segment": "vip"},
    {"not": {"all": [{"trait": "a", "exists": True}, {"trait": "b", "gt": 2}]}},
]
