"""Every field of `Metrics` as Cypher over a person's touchpoints (`tps`, distinct), computing exactly what
`graphcdp/profiles/metrics.py` `compute_metrics` computes in Python, rounding included
(`tests/integration/test_segment_equivalence.py` compares both on random data)."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection

from graphcdp.predictions.formulas import ALIVE_DIGITS
from graphcdp.profiles.metrics import (
    BASELINE_DAYS,
    DAY_MS,
    DECLINE_RATIO,
    MIN_BASELINE_EVENTS,
    ORDER,
    RETURN,
    TYPE_WEIGHTS,
    MetricsConfig,
)
from graphcdp.segments.definition import Metric

# The variable each metric is bound to, after the stages.
METRIC_VARS: dict[Metric, str] = {metric: f"mv_{metric.value}" for metric in Metric}
# The names the stages bind (a parameter such as $m_window matches too, and binds nothing).
_STAGE_NAME = re.compile(r"\b(?:m|k|mv)_[A-Za-z]+\b")
# A touchpoint's amount as compute_metrics reads it: a number, or 0.
AMOUNT = "coalesce(toFloat(t.amount), 0.0)"


def metric_stages(
    carried: list[str],
    now: int,
    config: MetricsConfig,
    param: Callable[[object], str],
    params: dict[str, object],
    *,
    wanted: Collection[Metric],
) -> list[str]:
    """The WITH clauses that bind the `wanted` metrics (METRIC_VARS) after `carried` (which holds `tps`),
    extending it; fixed values go into `params` under fixed names, thresholds through `param`. Only what the
    wanted metrics need is computed."""
    window = config.half_life_days * DAY_MS
    window_start = now - window
    names = {
        "m_halfLife": float(config.half_life_days),
        "m_window": float(window),
        "m_windowStart": float(window_start),
        "m_baselineFloor": float(window_start - BASELINE_DAYS * DAY_MS),
        "m_frequency": list(config.frequency_orders),
        "m_monetary": [float(v) for v in config.monetary],
        "m_order": ORDER,
        "m_return": RETURN,
        # BG/NBD of the prediction model in force (probabilityAlive); null without one.
        "m_aliveR": config.alive.r if config.alive else None,
        "m_aliveAlpha": config.alive.alpha if config.alive else None,
        "m_aliveA": config.alive.a if config.alive else None,
        "m_aliveB": config.alive.b if config.alive else None,
    }
    params.update(names)
    recency = " ".join(
        f"WHEN (toFloat($now - m_lastOrder) / {DAY_MS}) <= {param(limit)} THEN {score}"
        for score, limit in zip((5, 4, 3, 2), config.recency_days, strict=False)
    )
    weights = " ".join(f"WHEN {param(type_)} THEN {float(w)}" for type_, w in TYPE_WEIGHTS.items())
    weight = f"(CASE t.type {weights} ELSE 1.0 END)"
    no_baseline = f"m_before < {MIN_BASELINE_EVENTS} OR m_span < $m_window"
    age = "(CASE WHEN $now - t.occurredAt > 0 THEN $now - t.occurredAt ELSE 0 END)"
    steps: list[list[str]] = [
        ["[t IN tps WHERE t.occurredAt IS NOT NULL] AS m_tps"],
        [
            "[t IN m_tps WHERE t.type = $m_order] AS m_ord",
            "[t IN m_tps WHERE t.type = $m_return] AS m_ret",
            "[t IN m_tps | t.occurredAt] AS m_times",
        ],
        [
            f"reduce(s = 0.0, t IN m_ord | s + {AMOUNT}) AS m_rev",
            f"reduce(s = 0.0, t IN m_ret | s + {AMOUNT}) AS m_retd",
            "reduce(m = null, x IN m_times | CASE WHEN m IS NULL OR x < m THEN x ELSE m END) AS m_first",
            "reduce(m = null, x IN m_times | CASE WHEN m IS NULL OR x > m THEN x ELSE m END) AS m_last",
            "reduce(m = null, t IN m_ord | CASE WHEN m IS NULL OR t.occurredAt > m THEN t.occurredAt ELSE m END)"
            " AS m_lastOrder",
            "reduce(m = null, t IN m_ord | CASE WHEN m IS NULL OR t.occurredAt < m THEN t.occurredAt ELSE m END)"
            " AS m_firstOrder",
            f"reduce(s = 0.0, t IN m_tps | s + {weight} * 0.5 ^ (toFloat({age}) / {DAY_MS} / $m_halfLife)) AS m_eng",
        ],
        [
            "CASE WHEN m_first IS NULL THEN $m_windowStart WHEN m_first > $m_baselineFloor THEN m_first "
            "ELSE $m_baselineFloor END AS m_bstart",
        ],
        [
            # recency and tenure in days, as graphcdp/predictions/history.py reads them
            "CASE WHEN m_firstOrder IS NULL THEN null "
            f"ELSE toFloat(m_lastOrder - m_firstOrder) / {DAY_MS} END AS m_rec",
            "CASE WHEN m_firstOrder IS NULL THEN null "
            f"WHEN $now - m_firstOrder > m_lastOrder - m_firstOrder THEN toFloat($now - m_firstOrder) / {DAY_MS} "
            f"ELSE toFloat(m_lastOrder - m_firstOrder) / {DAY_MS} END AS m_ten",
            "size([x IN m_times WHERE x >= $m_windowStart AND x <= $now]) AS m_recent",
            "size([x IN m_times WHERE x >= m_bstart AND x < $m_windowStart]) AS m_before",
            "$m_windowStart - m_bstart AS m_span",
        ],
        [
            "m_rev AS k_rev",
            "m_retd AS k_retd",
            "m_rev - m_retd AS k_net",
            "CASE WHEN size(m_ord) = 0 THEN null ELSE m_rev / size(m_ord) END AS k_aov",
            f"CASE WHEN m_last IS NULL THEN null ELSE toFloat($now - m_last) / {DAY_MS} END AS k_days",
            "m_eng AS k_eng",
            f"CASE WHEN {no_baseline} THEN null ELSE m_before / (m_span / $m_window) END AS k_usual",
            # graphcdp/predictions/formulas.py probability_alive, operation by operation
            "CASE WHEN m_firstOrder IS NULL OR $m_aliveR IS NULL THEN null WHEN size(m_ord) = 1 THEN 1.0 "
            "ELSE 1.0 / (1.0 + ($m_aliveA / ($m_aliveB + (size(m_ord) - 1) - 1)) "
            "* ((($m_aliveAlpha + m_ten) / ($m_aliveAlpha + m_rec)) ^ ($m_aliveR + (size(m_ord) - 1)))) END AS k_alive",
        ],
        [
            f"{python_round('k_rev', 100)} AS {METRIC_VARS[Metric.REVENUE]}",
            f"{python_round('k_retd', 100)} AS {METRIC_VARS[Metric.RETURNED_AMOUNT]}",
            f"{python_round('k_net', 100)} AS {METRIC_VARS[Metric.NET_REVENUE]}",
            f"{python_round('k_aov', 100)} AS {METRIC_VARS[Metric.AVERAGE_ORDER_VALUE]}",
            f"{python_round('k_days', 100)} AS {METRIC_VARS[Metric.DAYS_SINCE_LAST_ACTIVITY]}",
            f"{python_round('k_eng', 1000)} AS {METRIC_VARS[Metric.ENGAGEMENT_SCORE]}",
            f"{python_round('k_usual', 1000)} AS {METRIC_VARS[Metric.USUAL_ENGAGEMENT]}",
            f"{python_round('k_alive', 10**ALIVE_DIGITS)} AS {METRIC_VARS[Metric.PROBABILITY_ALIVE]}",
            f"size(m_tps) AS {METRIC_VARS[Metric.TOUCHPOINTS]}",
            f"size(m_ord) AS {METRIC_VARS[Metric.ORDERS]}",
            f"size(m_ret) AS {METRIC_VARS[Metric.RETURNS]}",
            f"m_first AS {METRIC_VARS[Metric.FIRST_SEEN_AT]}",
            f"m_last AS {METRIC_VARS[Metric.LAST_SEEN_AT]}",
            f"m_lastOrder AS {METRIC_VARS[Metric.LAST_ORDER_AT]}",
            f"m_recent AS {METRIC_VARS[Metric.RECENT_ENGAGEMENT]}",
            f"CASE WHEN {no_baseline} THEN false "
            f"ELSE m_recent < {DECLINE_RATIO} * (m_before / (m_span / $m_window)) END "
            f"AS {METRIC_VARS[Metric.ENGAGEMENT_DECLINING]}",
            f"CASE WHEN m_lastOrder IS NULL THEN 1 {recency} ELSE 1 END AS {METRIC_VARS[Metric.RECENCY_SCORE]}",
            f"1 + size([x IN $m_frequency WHERE size(m_ord) >= x]) AS {METRIC_VARS[Metric.FREQUENCY_SCORE]}",
            f"1 + size([x IN $m_monetary WHERE m_rev - m_retd >= x]) AS {METRIC_VARS[Metric.MONETARY_SCORE]}",
        ],
    ]
    final = [METRIC_VARS[m] for m in Metric if m in wanted]
    lines = []
    kept = list(carried)
    for step in _needed(steps, set(final)):
        lines.append("WITH " + ", ".join([*kept, *step]))
        kept.extend(_alias(item) for item in step)
    # Only the metrics travel on.
    lines.append("WITH " + ", ".join([*carried, *final]))
    carried.extend(final)
    return lines


def _alias(item: str) -> str:
    return item.rsplit(" AS ", 1)[1]


def _needed(steps: list[list[str]], wanted: set[str]) -> list[list[str]]:
    """The items of each step that the wanted names need, directly or through later steps."""
    needed = set(wanted)
    kept: list[list[str]] = []
    for step in reversed(steps):
        items = [item for item in step if _alias(item) in needed]
        for item in items:
            needed |= set(_STAGE_NAME.findall(item.rsplit(" AS ", 1)[0]))
        if items:
            kept.insert(0, items)
    return kept


def python_round(var: str, scale: int) -> str:
    """`round(x, digits)` exactly as Python computes it, for x in `var` and scale = 10 ** digits: the exact binary
    value of x rounded to the nearest, a tie to the even one. x * scale is rounded to a double first; when that
    lands on a tie (…5), the rounding error of the product (Dekker's split: scale has few bits, so each partial
    product is exact) says on which side of the tie the exact value lies. Both databases' round() would take a
    tie away from zero, or up."""
    s = float(scale)
    p = f"({var} * {s})"
    f = f"floor({p})"
    high = f"(134217729.0 * {var} - (134217729.0 * {var} - {var}))"
    error = f"(({high} * {s} - {p}) + ({var} - {high}) * {s})"
    tie = f"(CASE WHEN {error} > 0 THEN {f} + 1 WHEN {error} < 0 THEN {f} WHEN {f} % 2 = 0 THEN {f} ELSE {f} + 1 END)"
    return f"(CASE WHEN {var} IS NULL THEN null WHEN {p} - {f} = 0.5 THEN {tie} ELSE round({p}) END) / {s}"
