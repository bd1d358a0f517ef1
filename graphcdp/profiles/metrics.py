"""Metrics of a person from her touchpoints: orders, revenue, returns, recency, engagement, RFM scores.

Pure functions over (occurredAt, type, amount) triples, so they are tested without a database and
computed in one pass after one round trip.
"""

from __future__ import annotations

import math
import sys
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from graphcdp.model.predictions import BetaGeoParameters
from graphcdp.model.profiles import Metrics
from graphcdp.predictions.formulas import ALIVE_DIGITS, probability_alive
from graphcdp.predictions.history import purchase_history
from graphcdp.settings import Settings

DAY_MS = 86_400_000
ORDER, RETURN = "order", "return"  # ORDER as graphcdp/predictions/history.py
# An order says more about engagement than a page view.
TYPE_WEIGHTS = {ORDER: 3.0}
BASELINE_DAYS = 365  # how far back the usual level of engagement is taken from
MIN_BASELINE_EVENTS = 3  # fewer touchpoints before the latest window are no usual level to fall from
DECLINE_RATIO = 0.5  # engagement is declining when the latest window has under half the usual


@dataclass(frozen=True)
class MetricsConfig:
    half_life_days: float
    recency_days: tuple[int, ...]  # thresholds for scores 5, 4, 3, 2
    frequency_orders: tuple[int, ...]  # thresholds for scores 2, 3, 4, 5
    monetary: tuple[float, ...]  # thresholds for scores 2, 3, 4, 5
    alive: BetaGeoParameters | None = None  # the prediction model in force (probabilityAlive)

    @classmethod
    def from_settings(cls, settings: Settings) -> MetricsConfig:
        return cls(
            settings.engagement_half_life_days,
            tuple(settings.rfm_recency_days),
            tuple(settings.rfm_frequency_orders),
            tuple(settings.rfm_monetary),
        )


def compute_metrics(events: Iterable[Sequence[object]], now: int, config: MetricsConfig) -> Metrics:
    """Metrics at `now` (epoch ms) from [occurredAt, type, amount] triples."""
    times: list[int] = []
    orders: list[tuple[int, float]] = []
    returns: list[float] = []
    engagement = 0.0
    for occurred, type_, amount in events:
        if not isinstance(occurred, int | float) or not math.isfinite(occurred):
            continue  # no date a touchpoint can be counted at
        at = int(occurred)
        value = float(amount) if isinstance(amount, int | float) and math.isfinite(amount) else 0.0
        times.append(at)
        if type_ == ORDER:
            orders.append((at, value))
        elif type_ == RETURN:
            returns.append(value)
        age_days = max(now - at, 0) / DAY_MS
        engagement += TYPE_WEIGHTS.get(str(type_), 1.0) * 0.5 ** (age_days / config.half_life_days)
    times.sort()
    revenue = _bounded(sum(v for _, v in orders))
    returned = _bounded(sum(returns))
    last_order = max((at for at, _ in orders), default=None)
    usual, recent, declining = _engagement_trend(times, now, config.half_life_days)
    days_since_order = (now - last_order) / DAY_MS if last_order is not None else None
    purchases = purchase_history(orders, now)
    alive = None
    if purchases is not None and config.alive is not None:
        alive = round(
            probability_alive(config.alive, purchases.frequency, purchases.recency, purchases.tenure), ALIVE_DIGITS
        )
    return Metrics(
        touchpoints=len(times),
        orders=len(orders),
        revenue=round(revenue, 2),
        returns=len(returns),
        returned_amount=round(returned, 2),
        net_revenue=round(_bounded(revenue - returned), 2),
        average_order_value=round(revenue / len(orders), 2) if orders else None,
        first_seen_at=times[0] if times else None,
        last_seen_at=times[-1] if times else None,
        last_order_at=last_order,
        days_since_last_activity=round((now - times[-1]) / DAY_MS, 2) if times else None,
        engagement_score=round(engagement, 3),
        usual_engagement=usual,
        recent_engagement=recent,
        engagement_declining=declining,
        recency_score=_recency_score(days_since_order, config.recency_days),
        frequency_score=_rising_score(len(orders), config.frequency_orders),
        monetary_score=_rising_score(_bounded(revenue - returned), config.monetary),
        probability_alive=alive,
        purchases=purchases,
    )


def _bounded(total: float) -> float:
    """A sum as a finite number: amounts stored before they were bounded (two of 1e308) may add up to infinity,
    which no JSON can carry; the largest finite number stands for it."""
    return total if math.isfinite(total) else math.copysign(sys.float_info.max, total)


def _engagement_trend(times: list[int], now: int, window_days: float) -> tuple[float | None, int, bool]:
    """Touchpoints in the latest window against the person's usual count per window over the year before.

    The baseline starts at her first touchpoint if that is less than a year ago, so a new customer is
    compared with her own short history, and there is no baseline without enough history before it.
    """
    window = window_days * DAY_MS
    window_start = now - window
    recent = bisect_right(times, now) - bisect_left(times, window_start)
    baseline_start = max(window_start - BASELINE_DAYS * DAY_MS, times[0] if times else window_start)
    before = bisect_left(times, window_start) - bisect_left(times, baseline_start)
    span = window_start - baseline_start
    if before < MIN_BASELINE_EVENTS or span < window:
        return None, recent, False
    usual = before / (span / window)
    return round(usual, 3), recent, recent < DECLINE_RATIO * usual


def _recency_score(days: float | None, thresholds: Sequence[int]) -> int:
    if days is None:
        return 1
    for score, limit in zip((5, 4, 3, 2), thresholds, strict=True):
        if days <= limit:
            return score
    return 1


def _rising_score(value: float, thresholds: Sequence[float]) -> int:
    return 1 + sum(1 for limit in thresholds if value >= limit)
