"""The value analytics' rows as answers: the database aggregates (one statement each), and the fitted models'
closed forms turn each customer's purchase history into predicted value, summed per group."""

from __future__ import annotations

from collections.abc import Sequence

from graphcdp.model.predictions import (
    AcquisitionGroup,
    AcquisitionValue,
    BetaGeoParameters,
    GammaGammaParameters,
    PathShare,
    PredictionModel,
    PurchasePath,
)
from graphcdp.predictions.formulas import expected_order_value, expected_purchases

DAY_MS = 86_400_000


def acquisition_values(
    groups: Sequence[AcquisitionGroup], model: PredictionModel | None, days: int
) -> list[AcquisitionValue]:
    return [
        AcquisitionValue(
            key=g.key,
            persons=g.persons,
            customers=g.customers,
            orders=g.orders,
            revenue=round(g.revenue, 2),
            predicted_value=None
            if model is None or model.spend is None
            else round(_predicted(g.histories, model.purchases, model.spend, days), 2),
            days=days,
        )
        for g in groups
    ]


def _predicted(
    histories: Sequence[Sequence[float]], purchases: BetaGeoParameters, spend: GammaGammaParameters, days: int
) -> float:
    """The group's expected spend over `days`: each customer's expected purchases times her expected order value."""
    total = 0.0
    for repeat, recency_ms, tenure_ms, spent_after_first in histories:
        x = int(repeat)
        recency = recency_ms / DAY_MS
        tenure = max(tenure_ms, recency_ms) / DAY_MS
        count = expected_purchases(purchases, x, recency, tenure, days)
        total += count * expected_order_value(spend, x, spent_after_first / x if x > 0 else None)
    return total


def path_shares(paths: Sequence[PurchasePath]) -> list[PathShare]:
    return [
        PathShare(
            steps=p.steps,
            persons=p.persons,
            converted=p.converted,
            conversion_share=round(p.converted / p.persons, 4) if p.persons else 0.0,
        )
        for p in paths
    ]
