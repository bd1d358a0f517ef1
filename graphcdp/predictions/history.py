"""A person's purchase history as the models read it, from her orders: the same reading for training (the whole
graph) and for answering (one person), so both see the same frequency, recency and tenure."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from graphcdp.model.predictions import PurchaseHistory

DAY_MS = 86_400_000
ORDER = "order"  # the touchpoint type of a purchase (as graphcdp/profiles/metrics.py)


def purchase_history(orders: Iterable[Sequence[object]], now: int) -> PurchaseHistory | None:
    """From [occurredAt, amount] pairs of her orders (epoch ms); None without a dated order. Tenure is never
    shorter than recency (an order dated after `now`)."""
    dated: list[tuple[int, float]] = []
    for occurred, amount in orders:
        if not isinstance(occurred, int | float) or isinstance(occurred, bool) or not math.isfinite(occurred):
            continue
        value = float(amount) if isinstance(amount, int | float) and math.isfinite(amount) else 0.0
        dated.append((int(occurred), value))
    if not dated:
        return None
    dated.sort()
    first, last = dated[0][0], dated[-1][0]
    repeat = [v for _, v in dated[1:]]
    return PurchaseHistory(
        frequency=len(dated) - 1,
        recency=(last - first) / DAY_MS,
        tenure=max(now - first, last - first) / DAY_MS,
        average_order_value=round(sum(v for _, v in dated) / len(dated), 2),
        repeat_order_value=sum(repeat) / len(repeat) if repeat else None,
    )
