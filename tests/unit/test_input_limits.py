"""Bounds on one item (graphcdp.model.inputs.InputLimits), match keys kept short enough for a uniqueness
constraint, and metrics that stay finite whatever was stored (issue 17, findings 2 and 8)."""

from __future__ import annotations

import math

import pytest

from graphcdp.errors import ErrorCode
from graphcdp.identity.matching.keys import MAX_KEY_BYTES, bounded_key
from graphcdp.model.inputs import InputLimits, ItemInvalid, check_text, epoch_ms
from graphcdp.profiles.metrics import MetricsConfig, compute_metrics
from graphcdp.settings import load_settings

LIMITS = InputLimits(max_trait_length=10, max_traits_bytes=1024, max_identifiers=3, earliest_year=1900)


def code_of(check: object, *args: object) -> ErrorCode:
    with pytest.raises(ItemInvalid) as caught:
        check(*args)  # type: ignore[operator]
    return caught.value.code


def test_trait_checks_walk_nested_objects_and_lists() -> None:
    LIMITS.check_object({"a": "x" * 10, "b": [{"c": "ok"}], "n": 1.5, "t": "tab\there"}, "traits")
    assert code_of(LIMITS.check_object, {"b": [{"c": "x" * 11}]}, "traits") is ErrorCode.TRAIT_TOO_LONG
    assert code_of(LIMITS.check_object, {"k" * 11: 1}, "traits") is ErrorCode.TRAIT_TOO_LONG
    assert code_of(LIMITS.check_object, {"a": "a\x00"}, "traits") is ErrorCode.INVALID_TEXT
    assert code_of(LIMITS.check_object, {"a\ud800": 1}, "traits") is ErrorCode.INVALID_TEXT
    assert code_of(LIMITS.check_object, {"a": math.inf}, "traits") is ErrorCode.INVALID_TRAITS
    assert code_of(LIMITS.check_object, {f"k{n}": "x" * 10 for n in range(100)}, "traits") is ErrorCode.TRAITS_TOO_LARGE
    deep: dict[str, object] = {}
    for _ in range(20):
        deep = {"x": deep}
    assert code_of(LIMITS.check_object, deep, "traits") is ErrorCode.TRAITS_TOO_LARGE


def test_messages_never_echo_the_value() -> None:
    with pytest.raises(ItemInvalid) as caught:
        check_text("Lovelace\x00", "traits.lastName")
    assert "Lovelace" not in caught.value.message and "U+0000" in caught.value.message


def test_dates_and_identifier_counts() -> None:
    now = 1_700_000_000_000
    LIMITS.check_date(now + 86_400_000, "observedAt", now)
    assert code_of(LIMITS.check_date, now + 86_400_001, "observedAt", now) is ErrorCode.DATE_OUT_OF_RANGE
    assert code_of(LIMITS.check_date, LIMITS.earliest_ms - 1, "observedAt", now) is ErrorCode.DATE_OUT_OF_RANGE
    assert code_of(epoch_ms, math.nan, "observedAt") is ErrorCode.INVALID_DATE
    assert code_of(LIMITS.check_date, epoch_ms(1e20, "observedAt"), "observedAt", now) is ErrorCode.DATE_OUT_OF_RANGE
    LIMITS.check_identifier_count(3)
    assert code_of(LIMITS.check_identifier_count, 4) is ErrorCode.TOO_MANY_IDENTIFIERS


def test_long_match_keys_are_hashed_short_ones_kept() -> None:
    short = "b:name=lovelace|ada"
    assert bounded_key(short) == short
    long_a, long_b = "b:name=" + "😀" * 1000, "b:name=" + "😀" * 999 + "😁"
    assert len(bounded_key(long_a).encode()) <= MAX_KEY_BYTES
    assert bounded_key(long_a) == bounded_key(long_a) != bounded_key(long_b)
    assert bounded_key(long_a).startswith("b:name=😀")


def test_metrics_stay_finite_when_stored_amounts_overflow() -> None:
    config = MetricsConfig.from_settings(load_settings())
    now = 1_700_000_000_000
    events = [[now, "order", 1e308], [now, "order", 1e308], [now, "order", math.nan], [math.inf, "page_view", None]]
    metrics = compute_metrics(events, now, config)
    assert metrics.orders == 3 and metrics.touchpoints == 3
    assert math.isfinite(metrics.revenue) and math.isfinite(metrics.net_revenue)
    assert metrics.average_order_value is not None and math.isfinite(metrics.average_order_value)
