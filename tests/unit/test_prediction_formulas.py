"""The per-person closed forms and the reading of a purchase history, without a database."""

from __future__ import annotations

import pytest

from graphcdp.model.predictions import BetaGeoParameters, GammaGammaParameters
from graphcdp.predictions.formulas import expected_order_value, expected_purchases, probability_alive
from graphcdp.predictions.history import DAY_MS, purchase_history

BG = BetaGeoParameters(r=0.8, alpha=30.0, a=0.7, b=4.0)
GG = GammaGammaParameters(p=6.0, q=4.0, v=60.0)


def test_a_history_is_read_from_dated_orders_in_days() -> None:
    orders = [(10 * DAY_MS, 20.0), (None, 99.0), (0, 10.0), (4 * DAY_MS, "n/a"), (float("nan"), 5.0)]
    h = purchase_history(orders, now=30 * DAY_MS)
    assert h is not None
    assert (h.frequency, h.recency, h.tenure) == (2, 10.0, 30.0)
    assert h.average_order_value == 10.0 and h.repeat_order_value == 10.0  # the undated and the unpriced (0)
    assert purchase_history([(None, 1.0)], now=0) is None
    future = purchase_history([(0, 1.0), (5 * DAY_MS, 1.0)], now=DAY_MS)  # an order after `now`
    assert future is not None and future.tenure == future.recency == 5.0


def test_probability_alive_falls_with_the_silence_since_the_last_order() -> None:
    assert probability_alive(BG, 0, 0.0, 400.0) == 1.0  # no repeat order: BG/NBD cannot have lost her
    recent = probability_alive(BG, 5, 300.0, 310.0)
    silent = probability_alive(BG, 5, 100.0, 310.0)
    assert 0 < silent < recent < 1
    odds = BG.a / (BG.b + 4) * ((BG.alpha + 310.0) / (BG.alpha + 100.0)) ** (BG.r + 5)
    assert silent == pytest.approx(1 / (1 + odds))
    assert probability_alive(BetaGeoParameters(r=300.0, alpha=0.01, a=5.0, b=0.1), 400, 1.0, 700.0) == 0.0  # overflow


def test_expected_purchases_grow_with_the_horizon_and_match_the_unconditional_form() -> None:
    a, b, r, alpha = BG.a, BG.b, BG.r, BG.alpha
    short, long = expected_purchases(BG, 3, 200.0, 220.0, 30), expected_purchases(BG, 3, 200.0, 220.0, 365)
    assert 0 < short < long
    # A customer seen at her first purchase (x = 0, tenure 0): E[X(t)] of BG/NBD's equation (9) by a sum.
    t = 90.0
    z = t / (alpha + t)
    series, term = 0.0, 1.0
    for n in range(400):  # 2F1(r, b; a + b - 1; z) term by term
        series += term
        term *= (r + n) * (b + n) / ((a + b - 1 + n) * (n + 1)) * z
    unconditional = (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * series)
    assert expected_purchases(BG, 0, 0.0, 0.0, t) == pytest.approx(unconditional, rel=1e-9)


def test_the_expected_order_value_is_shrunk_towards_the_population_mean() -> None:
    population = GG.p * GG.v / (GG.q - 1)
    assert expected_order_value(GG, 0, None) == pytest.approx(population)
    few, many = expected_order_value(GG, 1, 300.0), expected_order_value(GG, 50, 300.0)
    assert population < few < many < 300.0
