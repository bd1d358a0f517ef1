"""Fitting BG/NBD and Gamma-Gamma with pymc-marketing (the optional `predict` extra), MAP estimates.

Only `graphcdp predict train` (and the scheduled refit) come here; answering a request never does. The priors
are flat, so the MAP estimate is the maximum-likelihood one: with thousands of customers the data decide.
"""

from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from typing import Any

from graphcdp.errors import ErrorCode, GraphCDPError
from graphcdp.model.predictions import BetaGeoParameters, GammaGammaParameters, PurchaseHistory

MIN_CUSTOMERS = 20  # fewer customers with orders say nothing about a population
MIN_REPEAT_CUSTOMERS = 20  # Gamma-Gamma reads repeat customers only


class PredictionExtraMissingError(GraphCDPError):
    code = ErrorCode.PREDICTION_EXTRA_MISSING


class NotEnoughCustomersError(GraphCDPError):
    code = ErrorCode.NOT_ENOUGH_CUSTOMERS


@dataclass(frozen=True)
class FitResult:
    purchases: BetaGeoParameters
    spend: GammaGammaParameters | None
    customers: int
    repeat_customers: int
    seconds: float
    library: str


def fit_models(histories: Sequence[PurchaseHistory]) -> FitResult:
    """BG/NBD on every history, Gamma-Gamma on those with a repeat order (skipped if too few)."""
    try:
        with warnings.catch_warnings():  # ArviZ announces its next major version on import
            warnings.simplefilter("ignore", FutureWarning)
            import pandas as pd
            from pymc_extras.prior import Prior
            from pymc_marketing.clv import BetaGeoModel, GammaGammaModel
    except ImportError as exc:
        raise PredictionExtraMissingError(
            "fitting needs the predict extra: pip install 'graphcdp[predict]' (pymc-marketing)"
        ) from exc
    if len(histories) < MIN_CUSTOMERS:
        raise NotEnoughCustomersError(f"{len(histories)} persons with an order; fitting needs at least {MIN_CUSTOMERS}")
    logging.getLogger("pymc").setLevel(logging.WARNING)
    started = time.perf_counter()
    data = pd.DataFrame(
        {
            "customer_id": range(len(histories)),
            "frequency": [h.frequency for h in histories],
            "recency": [h.recency for h in histories],
            "T": [h.tenure for h in histories],
        }
    )
    flat = {"r": Prior("HalfFlat"), "alpha": Prior("HalfFlat"), "a": Prior("HalfFlat"), "b": Prior("HalfFlat")}
    purchases_model = BetaGeoModel(model_config=flat)
    purchases_model.fit(data=data, method="map", progressbar=False)
    purchases = BetaGeoParameters(**{k: _estimate(purchases_model, k) for k in ("r", "alpha", "a", "b")})
    repeat = [h for h in histories if h.frequency > 0 and h.repeat_order_value and h.repeat_order_value > 0]
    spend = None
    if len(repeat) >= MIN_REPEAT_CUSTOMERS:
        spend_data = pd.DataFrame(
            {
                "customer_id": range(len(repeat)),
                "frequency": [h.frequency for h in repeat],
                "monetary_value": [h.repeat_order_value for h in repeat],
            }
        )
        spend_model = GammaGammaModel()
        spend_model.fit(data=spend_data, method="map", progressbar=False)
        spend = GammaGammaParameters(**{k: _estimate(spend_model, k) for k in ("p", "q", "v")})
    return FitResult(
        purchases=purchases,
        spend=spend,
        customers=len(histories),
        repeat_customers=len(repeat),
        seconds=round(time.perf_counter() - started, 3),
        library=f"pymc-marketing {metadata.version('pymc-marketing')}",
    )


def _estimate(model: Any, name: str) -> float:
    return float(model.idata.posterior[name].values.reshape(-1)[0])
