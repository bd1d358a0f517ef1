"""The prediction models proven on purchases simulated from known BG/NBD and Gamma-Gamma parameters (the bench
generator): the pymc-marketing fit recovers them, and the closed forms predict a held-out period better than the
customer's own past rate and than her RFM bucket. One fit of 10,000 customers (seconds once PyTensor's compiled
code is cached; the first run on a machine compiles it)."""

from __future__ import annotations

import pytest

from graphcdp.settings import load_settings
from graphcdp_bench.predict import HoldoutResult, evaluate


@pytest.fixture(scope="module")
def holdout() -> HoldoutResult:
    return evaluate(10_000, seed=7, settings=load_settings())


def test_the_fit_recovers_every_parameter_within_ten_percent(holdout: HoldoutResult) -> None:
    assert holdout.customers == 10_000
    assert set(holdout.relative_error) == {"r", "alpha", "a", "b", "p", "q", "v"}
    assert all(error < 0.10 for error in holdout.relative_error.values()), holdout.relative_error


def test_the_model_beats_the_past_rate_and_rfm_buckets_on_the_holdout(holdout: HoldoutResult) -> None:
    assert holdout.mae_model < holdout.mae_naive, holdout
    assert holdout.mae_model < holdout.mae_rfm, holdout


def test_the_closed_forms_agree_with_what_happened_on_average(holdout: HoldoutResult) -> None:
    # Expected purchases summed over customers match the held-out orders; P(alive) the share still alive.
    assert holdout.mean_predicted_orders == pytest.approx(holdout.mean_holdout_orders, rel=0.05)
    assert holdout.mean_probability_alive == pytest.approx(holdout.share_alive, abs=0.03)
