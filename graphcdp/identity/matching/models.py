"""Matching models stored in the graph, versioned: every service process reads the active one at start-up,
and checks now and then for a newer one (GRAPHCDP_MATCHING_MODEL_REFRESH).
A stored model is validated like any other; one this version of graphcdp cannot read stops start-up."""

from __future__ import annotations

from graphcdp.identity.matching.config import MatchingModel, parse_model
from graphcdp.identity.resolver import now_ms
from graphcdp.model.matching import ActiveModelVersion, StoredModel, StoredModelVersion
from graphcdp.store import GraphStore, statement

STORE_MODEL = statement("matching/store_model", StoredModelVersion)
ACTIVE_MODEL = statement("matching/active_model", StoredModel)
ACTIVE_MODEL_VERSION = statement("matching/active_model_version", ActiveModelVersion)


async def store_model(store: GraphStore, model: MatchingModel) -> MatchingModel:
    """Store `model` as the next version, active from now on; the model with its version."""
    text = model.model_copy(update={"version": 0}).to_json()
    rows = await store.run(
        STORE_MODEL, {"name": model.name, "model": text, "fingerprint": model.fingerprint, "now": now_ms()}
    )
    return model.model_copy(update={"version": rows[0].version})


async def active_model(store: GraphStore) -> MatchingModel | None:
    rows = await store.run(ACTIVE_MODEL, {})
    if not rows:
        return None
    stored = rows[0]
    model = parse_model(stored.model, f"stored matching model version {stored.version}")
    return model.model_copy(update={"version": stored.version})


async def active_model_version(store: GraphStore) -> int | None:
    rows = await store.run(ACTIVE_MODEL_VERSION, {})
    return rows[0].version if rows else None
