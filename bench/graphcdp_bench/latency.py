"""Latency samples and their summary, in one shape for every benchmark's JSON and plots."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from typing import Any

DISTRIBUTION_POINTS = 200  # quantiles kept in the JSON, enough to draw the distribution


def percentile(ordered: Sequence[float], q: float) -> float:
    """The nearest-rank q-th percentile of already sorted values."""
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))]


def latency_summary(samples_ms: Sequence[float], seconds: float | None = None) -> dict[str, Any]:
    """p50/p95/p99/mean/max in ms, requests per second over `seconds` of wall time, and the distribution
    as DISTRIBUTION_POINTS evenly spaced quantiles (for plots; the raw samples can be large)."""
    if not samples_ms:
        return {"count": 0}
    ordered = sorted(samples_ms)
    points = min(DISTRIBUTION_POINTS, len(ordered))
    summary: dict[str, Any] = {
        "count": len(ordered),
        "p50": round(percentile(ordered, 50), 3),
        "p95": round(percentile(ordered, 95), 3),
        "p99": round(percentile(ordered, 99), 3),
        "mean": round(statistics.fmean(ordered), 3),
        "max": round(ordered[-1], 3),
        "quantilesMs": [round(ordered[(len(ordered) - 1) * k // max(points - 1, 1)], 3) for k in range(points)],
    }
    if seconds is not None and seconds > 0:
        summary["requestsPerSecond"] = round(len(ordered) / seconds, 1)
    return summary
