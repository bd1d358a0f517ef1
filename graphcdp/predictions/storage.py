"""Prediction models stored in the graph, versioned like the matching model: the newest active one is in force,
and every service process reads it at start-up and checks now and then for a newer one."""

from __future__ import annotations

from pydantic import ValidationError

from graphcdp.errors import ConfigurationError
from graphcdp.model.predictions import PredictionModel, PredictionModelVersion, StoredPredictionModel
from graphcdp.store import GraphStore, statement

STORE_MODEL = statement("predictions/store_model", PredictionModelVersion)
ACTIVE_MODEL = statement("predictions/active_model", StoredPredictionModel)
ACTIVE_MODEL_VERSION = statement("predictions/active_model_version", PredictionModelVersion)


async def store_model(store: GraphStore, model: PredictionModel, now: int) -> PredictionModel:
    """Store `model` as the next version, active from now on; the model with its version."""
    rows = await store.run(STORE_MODEL, {"model": model.to_json(), "now": now})
    return model.model_copy(update={"version": rows[0].version})


async def active_model(store: GraphStore) -> PredictionModel | None:
    rows = await store.run(ACTIVE_MODEL, {})
    if not rows:
        return None
    try:
        model = PredictionModel.model_validate_json(rows[0].model)
    except ValidationError as exc:
        raise ConfigurationError(f"stored prediction model version {rows[0].version} cannot be read: {exc}") from None
    return model.model_copy(update={"version": rows[0].version})


async def active_model_version(store: GraphStore) -> int | None:
    rows = await store.run(ACTIVE_MODEL_VERSION, {})
    return rows[0].version if rows else None
