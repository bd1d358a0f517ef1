"""Which persons a sweep must re-check: the windows of time in which a segment's time-dependent conditions can
change their answer between two sweeps (at `since` and `until`, epoch ms), for a person whose data did not change
meanwhile (a person whose data changed was re-evaluated by maintenance, at a time between the two).

A touchpoint condition `withinDays: D` changes when one of the person's touchpoints leaves the window, i.e. for
a touchpoint that occurred between `since - D days` and `until - D days`; `daysSinceLastActivity` and
`recencyScore` change when the last activity (the last order) crosses a threshold in the same way, and an age
condition when a birth date crosses a year cutoff. Other time-dependent metrics (engagementScore and the other
engagement measures) decay continuously: no window bounds them, and the segment is re-evaluated in full (None).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from graphcdp.model.segments import SweepCandidate
from graphcdp.profiles.metrics import DAY_MS, ORDER, MetricsConfig
from graphcdp.segments.compiler import years_before
from graphcdp.segments.definition import (
    BIRTH_DATE,
    TIME_DEPENDENT_METRICS,
    AgeCondition,
    Definition,
    Metric,
    MetricCondition,
    TouchpointCondition,
    walk,
)
from graphcdp.store import GraphStore, statement

SWEEP_CANDIDATES = statement("segments/sweep_candidates", SweepCandidate)

# Widening on each side: 1 ms for divisions done in floating point, and daysSinceLastActivity is compared
# after rounding to hundredths of a day, so it crosses a threshold up to half a hundredth early or late.
EDGE_MS = 1
ROUNDED_DAYS_MS = DAY_MS // 100


@dataclass
class SweepWindows:
    """Times of touchpoints (of orders), and birthDate facets, that mark a person as possibly changed."""

    touchpoints: list[tuple[int, int]] = field(default_factory=list)
    orders: list[tuple[int, int]] = field(default_factory=list)
    births: list[tuple[str, str]] = field(default_factory=list)

    def add(self, other: SweepWindows) -> None:
        self.touchpoints += other.touchpoints
        self.orders += other.orders
        self.births += other.births

    def empty(self) -> bool:
        return not (self.touchpoints or self.orders or self.births)

    async def persons(self, store: GraphStore) -> list[str]:
        """The live persons with something in a window, by id."""
        if self.empty():
            return []
        rows = await store.run(
            SWEEP_CANDIDATES,
            {
                "windows": [list(w) for w in self.touchpoints],
                "orderWindows": [list(w) for w in self.orders],
                "birthWindows": [list(w) for w in self.births],
                "order": ORDER,
            },
        )
        return sorted({row.person for row in rows})


def sweep_windows(definition: Definition, metrics: MetricsConfig, since: int, until: int) -> SweepWindows | None:
    """The windows of a definition's own time-dependent conditions between two sweeps; None when one of them
    has no window (re-evaluate the segment in full)."""
    found = SweepWindows()
    for c in walk(definition.root):
        if isinstance(c, TouchpointCondition) and c.within_days is not None:
            width = int(c.within_days * DAY_MS)  # as the compiler computes the cutoff
            found.touchpoints.append((since - width - EDGE_MS, until - width + EDGE_MS))
        elif isinstance(c, AgeCondition):
            for comparison in c.comparisons:
                for years in (int(comparison.value), int(comparison.value) + 1):  # the compiler's cutoffs
                    found.births.append((_born_by(since, years), _born_by(until, years)))
        elif isinstance(c, MetricCondition) and c.metric in TIME_DEPENDENT_METRICS:
            if c.metric is Metric.RECENCY_SCORE:
                found.orders += [
                    (since - days * DAY_MS - EDGE_MS, until - days * DAY_MS + EDGE_MS) for days in metrics.recency_days
                ]
            elif c.metric is Metric.DAYS_SINCE_LAST_ACTIVITY and all(
                isinstance(x.value, int | float) and not isinstance(x.value, bool) for x in c.comparisons
            ):
                for comparison in c.comparisons:
                    width = int(float(comparison.value) * DAY_MS)
                    found.touchpoints.append(
                        (since - width - ROUNDED_DAYS_MS - EDGE_MS, until - width + ROUNDED_DAYS_MS + EDGE_MS)
                    )
            else:
                return None
    return found


def _born_by(now: int, years: int) -> str:
    """The birthDate facet an age cutoff compares with (born on or before it: at least `years` old)."""
    today = datetime.fromtimestamp(now / 1000, UTC).date()
    return f"{BIRTH_DATE}={years_before(today, years).isoformat()}"
