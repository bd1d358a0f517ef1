"""Profile metrics from touchpoints (pure functions, no database)."""

from __future__ import annotations

import pytest

from graphcdp.errors import ConfigurationError
from graphcdp.profiles.metrics import DAY_MS, MetricsConfig, compute_metrics
from graphcdp.settings import load_settings

NOW = 1_800_000_000_000
CONFIG = MetricsConfig.from_settings(load_settings())


def days_ago(n: float) -> int:
    return int(NOW - n * DAY_MS)


def test_orders_returns_revenue_and_recency() -> None:
    events = [
        [days_ago(100), "order", 120.0],
        [days_ago(40), "order", 80.0],
        [days_ago(35), "return", 30.0],
        [days_ago(10), "page_view", None],
        [days_ago(2), "email_open", None],
    ]
    m = compute_metrics(events, NOW, CONFIG)
    assert (m.orders, m.revenue, m.returns, m.returned_amount, m.net_revenue) == (2, 200.0, 1, 30.0, 170.0)
    assert m.average_order_value == 100.0
    assert m.first_seen_at == days_ago(100) and m.last_seen_at == days_ago(2)
    assert m.last_order_at == days_ago(40)
    assert m.days_since_last_activity == 2.0
    # 40 days since the last order: within 90 (score 4); 2 orders (score 2); 170 net (>= 100: score 2).
    assert (m.recency_score, m.frequency_score, m.monetary_score) == (4, 2, 2)


def test_engagement_weights_recent_activity_more() -> None:
    recent = compute_metrics([[days_ago(1), "page_view", None]], NOW, CONFIG)
    old = compute_metrics([[days_ago(60), "page_view", None]], NOW, CONFIG)
    half_life = compute_metrics([[days_ago(30), "page_view", None]], NOW, CONFIG)
    assert recent.engagement_score > half_life.engagement_score > old.engagement_score
    assert half_life.engagement_score == pytest.approx(0.5, abs=1e-3)
    order = compute_metrics([[days_ago(1), "order", 5.0]], NOW, CONFIG)
    assert order.engagement_score == pytest.approx(3 * recent.engagement_score, rel=1e-3)


def test_engagement_decline_is_flagged_against_her_own_usual_level() -> None:
    # Twelve touchpoints a month for a year, then one in the latest month: declining.
    steady = [[days_ago(31 + d * 2.5), "page_view", None] for d in range(140)]
    declining = compute_metrics([*steady, [days_ago(3), "page_view", None]], NOW, CONFIG)
    assert declining.usual_engagement is not None and declining.usual_engagement > 10
    assert declining.recent_engagement == 1
    assert declining.engagement_declining
    # The same history and as active as usual lately: not declining.
    active = compute_metrics([*steady, *[[days_ago(d * 2.5), "page_view", None] for d in range(12)]], NOW, CONFIG)
    assert not active.engagement_declining
    # Too little history to know what is usual: never flagged.
    new = compute_metrics([[days_ago(40), "page_view", None]], NOW, CONFIG)
    assert new.usual_engagement is None and not new.engagement_declining


def test_no_touchpoints_gives_empty_metrics() -> None:
    m = compute_metrics([], NOW, CONFIG)
    assert (m.touchpoints, m.orders, m.revenue, m.average_order_value, m.last_seen_at) == (0, 0, 0.0, None, None)
    assert (m.recency_score, m.frequency_score, m.monetary_score) == (1, 1, 1)


def test_rfm_thresholds_come_from_settings() -> None:
    strict = MetricsConfig.from_settings(
        load_settings(
            rfm_recency_days=[1, 2, 3, 4], rfm_frequency_orders=[5, 6, 7, 8], rfm_monetary=[1e3, 2e3, 3e3, 4e3]
        )
    )
    m = compute_metrics([[days_ago(10), "order", 900.0], [days_ago(5), "order", 200.0]], NOW, strict)
    assert (m.recency_score, m.frequency_score, m.monetary_score) == (1, 1, 2)


def test_rfm_thresholds_must_rise() -> None:
    with pytest.raises(ConfigurationError, match=r"GRAPHCDP_RFM_RECENCY_DAYS.*four rising"):
        load_settings(rfm_recency_days=[30, 20, 180, 365])
