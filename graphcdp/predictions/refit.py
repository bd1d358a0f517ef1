"""The scheduled refit (GRAPHCDP_PREDICT_REFIT_HOURS): a task of the running service fits the prediction models
again when the model in force is older than the interval. Several processes check the stored model's age first,
so they rarely fit twice; a failed fit (no predict extra, too few customers) is logged and the model stays."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from graphcdp.errors import GraphCDPError
from graphcdp.predictions.service import PredictionService

log = logging.getLogger(__name__)
HOUR_MS = 3_600_000


async def refit_when_due(predictions: PredictionService) -> bool:
    """Fit now if no model is stored or the one in force is older than the interval; whether it fitted."""
    model = await predictions.current()
    if model is not None and predictions.clock() - model.trained_at < predictions.refit_hours * HOUR_MS:
        return False
    try:
        fitted = await predictions.train()
    except GraphCDPError as exc:
        log.warning("scheduled prediction refit failed (%s): %s", exc.code.value, exc.message)
        return False
    log.info("scheduled prediction refit: model version %d on %d customers", fitted.version, fitted.customers)
    return True


async def refit_forever(predictions: PredictionService) -> None:
    check = max(predictions.refit_hours * 3600 / 4, 60.0)
    while True:
        await refit_when_due(predictions)
        await asyncio.sleep(check)


@contextlib.asynccontextmanager
async def scheduled_refit(predictions: PredictionService) -> AsyncIterator[None]:
    """For the life of the block (the app's lifespan), refit on schedule; nothing when the interval is 0."""
    if predictions.refit_hours <= 0:
        yield
        return
    task = asyncio.create_task(refit_forever(predictions), name="prediction-refit")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
