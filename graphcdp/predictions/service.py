"""`PredictionService`: the fitted models in force (read from the graph, refreshed now and then), fitting them,
answering per person from her purchase history, and the value analytics across customers."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from tqdm import tqdm  # type: ignore[import-untyped]

from graphcdp.clock import now_ms
from graphcdp.errors import GraphCDPError
from graphcdp.model.predictions import (
    AcquisitionGroup,
    AcquisitionValue,
    BetaGeoParameters,
    ChurnRisk,
    OrderHistoryRow,
    PathShare,
    PredictionExplanation,
    PredictionModel,
    PurchaseHistory,
    PurchasePath,
)
from graphcdp.model.profiles import Activity
from graphcdp.predictions.analytics import acquisition_values, path_shares
from graphcdp.predictions.formulas import ALIVE_DIGITS, expected_order_value, expected_purchases, probability_alive
from graphcdp.predictions.history import ORDER, purchase_history
from graphcdp.predictions.storage import active_model, active_model_version, store_model
from graphcdp.settings import Settings
from graphcdp.store import GraphStore, statement

ORDER_HISTORIES = statement("predictions/order_histories", OrderHistoryRow)
ACTIVITY = statement("profiles/activity", Activity)
VALUE_BY_ACQUISITION = statement("predictions/value_by_acquisition", AcquisitionGroup)
PATHS_TO_PURCHASE = statement("predictions/paths_to_purchase", PurchasePath)
TRAIN_PAGE = 5000  # persons read per round trip while training
MAX_GROUPS = 100  # valueByAcquisition answers the largest groups

log = logging.getLogger(__name__)


class PredictionService:
    def __init__(self, store: GraphStore, settings: Settings, clock: Callable[[], int] = now_ms) -> None:
        self.store = store
        self.clock = clock  # epoch ms; tests move it
        self.high_below = settings.churn_high_below
        self.medium_below = settings.churn_medium_below
        self.refit_hours = settings.predict_refit_hours
        self._refresh = settings.predict_model_refresh
        self._checked = time.monotonic()
        self.model: PredictionModel | None = None  # the model in force; None until one is fitted

    # --- the model in force -------------------------------------------------------------------------------

    async def start(self) -> None:
        await self.load_stored_model()

    async def load_stored_model(self) -> None:
        self._checked = time.monotonic()
        if (model := await active_model(self.store)) is not None:
            self.model = model

    async def current(self) -> PredictionModel | None:
        """The model in force, switching first to a newer one another process stored (at most every
        GRAPHCDP_PREDICT_MODEL_REFRESH seconds)."""
        if time.monotonic() - self._checked >= self._refresh:
            self._checked = time.monotonic()
            version = await active_model_version(self.store)
            if version is not None and (self.model is None or version != self.model.version):
                try:
                    await self.load_stored_model()
                except GraphCDPError as exc:  # a running service keeps answering with the model it has
                    log.error("stored prediction model version %s not used: %s", version, exc.message)
        return self.model

    @property
    def alive_parameters(self) -> BetaGeoParameters | None:
        """What probabilityAlive is computed with (in Python and in segment conditions)."""
        return self.model.purchases if self.model is not None else None

    # --- fitting ------------------------------------------------------------------------------------------

    async def histories(self, now: int, *, progress: bool = False) -> list[PurchaseHistory]:
        """Every person's purchase history at `now` (persons with an order), a page of persons at a time."""
        found: list[PurchaseHistory] = []
        after = ""
        with tqdm(desc="reading order histories", unit=" persons", disable=not progress) as bar:
            while True:
                rows = await self.store.run(ORDER_HISTORIES, {"after": after, "limit": TRAIN_PAGE, "order": ORDER})
                for row in rows:
                    if (h := purchase_history(row.orders, now)) is not None:
                        found.append(h)
                bar.update(len(rows))
                if len(rows) < TRAIN_PAGE:
                    return found
                after = rows[-1].person

    async def train(self, *, progress: bool = False) -> PredictionModel:
        """Fit BG/NBD and Gamma-Gamma on every person's orders, store them as the next version and use them."""
        from graphcdp.predictions.fit import fit_models  # pymc-marketing: the predict extra

        now = self.clock()
        histories = await self.histories(now, progress=progress)
        if progress:
            print(f"fitting BG/NBD and Gamma-Gamma on {len(histories):,} customers …", flush=True)
        fitted = await asyncio.to_thread(fit_models, histories)
        model = PredictionModel(
            trained_at=now,
            customers=fitted.customers,
            repeat_customers=fitted.repeat_customers,
            fit_seconds=fitted.seconds,
            library=fitted.library,
            purchases=fitted.purchases,
            spend=fitted.spend,
        )
        self.model = await store_model(self.store, model, now)
        return self.model

    # --- per person ---------------------------------------------------------------------------------------

    def churn_risk(self, alive: float | None) -> ChurnRisk | None:
        if alive is None:
            return None
        if alive < self.high_below:
            return ChurnRisk.HIGH
        return ChurnRisk.MEDIUM if alive < self.medium_below else ChurnRisk.LOW

    def expected_purchases(self, history: PurchaseHistory | None, days: int) -> float | None:
        if history is None or self.model is None:
            return None
        m = self.model.purchases
        return round(expected_purchases(m, history.frequency, history.recency, history.tenure, days), 4)

    def predicted_value(self, history: PurchaseHistory | None, days: int) -> float | None:
        """Expected purchases times her expected order value (undiscounted); None without Gamma-Gamma."""
        if history is None or self.model is None or self.model.spend is None:
            return None
        m, spend = self.model, self.model.spend
        purchases = expected_purchases(m.purchases, history.frequency, history.recency, history.tenure, days)
        return round(purchases * expected_order_value(spend, history.frequency, history.repeat_order_value), 2)

    async def explain(self, person_id: str, days: int) -> PredictionExplanation:
        model = await self.current()
        rows = await self.store.run(ACTIVITY, {"persons": [person_id]})
        orders = [(at, amount) for row in rows for at, type_, amount in row.events if type_ == ORDER]
        history = purchase_history(orders, self.clock())
        alive = None
        if history is not None and model is not None:
            raw = probability_alive(model.purchases, history.frequency, history.recency, history.tenure)
            alive = round(raw, ALIVE_DIGITS)
        return PredictionExplanation(
            person_id=person_id,
            history=history,
            model=model,
            probability_alive=alive,
            churn_risk=self.churn_risk(alive),
            expected_purchases=self.expected_purchases(history, days),
            predicted_value=self.predicted_value(history, days),
            days=days,
        )

    # --- across customers ---------------------------------------------------------------------------------

    async def value_by_acquisition(self, group_by: str, from_ms: int, to_ms: int, days: int) -> list[AcquisitionValue]:
        model = await self.current()
        now = self.clock()
        rows = await self.store.run(
            VALUE_BY_ACQUISITION,
            {"groupBy": group_by, "from": from_ms, "to": to_ms, "order": ORDER, "now": now, "limit": MAX_GROUPS},
        )
        return acquisition_values(rows, model, days)

    async def paths_to_purchase(self, first: int, max_steps: int) -> list[PathShare]:
        rows = await self.store.run(PATHS_TO_PURCHASE, {"order": ORDER, "maxSteps": max_steps, "first": first})
        return path_shares(rows)
