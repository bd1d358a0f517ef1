"""The closed forms a fitted BG/NBD and Gamma-Gamma model answer with, per person, at read time: no fitting and
no pytensor on the request path, only arithmetic and one Gaussian hypergeometric function (scipy).

Fader, Hardie and Lee, "Counting your customers the easy way" (2005), equations (10) and (13); "RFM and CLV:
using iso-value curves" (2005) for Gamma-Gamma. Time is in days. `probability_alive` is written to compute
exactly what its Cypher form in graphcdp/segments/metric_expressions.py computes, operation by operation.
"""

from __future__ import annotations

import math

from scipy.special import hyp2f1

from graphcdp.model.predictions import BetaGeoParameters, GammaGammaParameters

ALIVE_DIGITS = 4  # probabilityAlive is shown (and compared in segments) rounded to this many digits


def probability_alive(m: BetaGeoParameters, frequency: int, recency: float, tenure: float) -> float:
    """P(still a customer) after `frequency` repeat purchases, the last `recency` days after the first, seen
    `tenure` days after the first. With no repeat purchase BG/NBD says 1 (dropout happens only at a purchase)."""
    if frequency == 0:
        return 1.0
    try:
        odds = (m.a / (m.b + frequency - 1)) * math.pow((m.alpha + tenure) / (m.alpha + recency), m.r + frequency)
    except OverflowError:
        return 0.0
    return 1.0 / (1.0 + odds)


def expected_purchases(m: BetaGeoParameters, frequency: int, recency: float, tenure: float, days: float) -> float:
    """Expected purchases in the next `days` (equation 10)."""
    x, r, alpha, a, b = frequency, m.r, m.alpha, m.a, m.b
    horizon = alpha + tenure
    z = days / (horizon + days)
    try:
        decay = math.pow(horizon / (horizon + days), r + x)
        head = (a + b + x - 1) / (a - 1) * (1.0 - decay * float(hyp2f1(r + x, b + x, a + b + x - 1, z)))
        odds = a / (b + x - 1) * math.pow(horizon / (alpha + recency), r + x) if x > 0 else 0.0
    except (OverflowError, ZeroDivisionError):
        return 0.0
    value = head / (1.0 + odds)
    return value if math.isfinite(value) and value > 0 else 0.0


def expected_order_value(m: GammaGammaParameters, frequency: int, repeat_value: float | None) -> float:
    """Her expected mean order value: the population's mean p·v/(q-1) shrunk towards her own repeat orders."""
    if frequency == 0 or repeat_value is None:
        return m.p * m.v / (m.q - 1) if m.q > 1 else math.nan
    return m.p * (m.v + frequency * repeat_value) / (m.p * frequency + m.q - 1)
