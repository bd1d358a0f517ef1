"""`serve --workers N`: each worker's share of the per-key limits adds up to no more than the limit (at least
one request and one subscription each)."""

from __future__ import annotations

import pytest

from graphcdp.cli.workers import limit_shares
from graphcdp.settings import load_settings


@pytest.mark.parametrize("workers", [1, 2, 3, 8])
@pytest.mark.parametrize(("rate", "burst", "subscriptions"), [(50.0, 200, 32), (1.0, 1, 1), (7.5, 9, 5)])
def test_the_workers_shares_add_up_to_no_more_than_the_limits(
    workers: int, rate: float, burst: int, subscriptions: int
) -> None:
    settings = load_settings(rate_limit=rate, rate_limit_burst=burst, max_subscriptions_per_key=subscriptions)
    shares = limit_shares(settings, workers)
    assert float(shares["rate_limit"]) * workers == pytest.approx(rate)  # type: ignore[arg-type]
    for setting, limit in (("rate_limit_burst", burst), ("max_subscriptions_per_key", subscriptions)):
        share = shares[setting]
        assert isinstance(share, int) and share >= 1
        assert share * workers <= limit or share == 1
        assert (share + 1) * workers > limit  # the largest share that fits
    assert load_settings(**shares)  # valid settings for a worker


def test_a_limit_turned_off_stays_off() -> None:
    assert limit_shares(load_settings(rate_limit=0), 4)["rate_limit"] == 0
