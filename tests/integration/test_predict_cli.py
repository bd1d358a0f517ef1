"""`graphcdp predict train` end to end: the command opens the embedded database the settings name, refuses a
graph with too few customers, then fits on the orders stored there, prints the parameters and stores them as the
next model version, which a service opened afterwards answers with."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from graphcdp.cli import main
from graphcdp.clock import now_ms
from graphcdp.model.predictions import PredictionModel
from graphcdp.model.profiles import TouchpointInput
from graphcdp.settings import load_settings
from graphcdp.wiring import open_services
from graphcdp_bench.datagen.purchases import DAY_MS, PurchaseConfig, simulate, touchpoints


async def _track(items: list[dict[str, object]]) -> None:
    async with open_services(load_settings()) as services:
        for at in range(0, len(items), 500):
            batch = [TouchpointInput.model_validate(item) for item in items[at : at + 500]]
            assert (await services.profiles.track(batch)).errors == []


async def _model_in_force() -> PredictionModel | None:
    async with open_services(load_settings()) as services:
        return services.predictions.model  # read at start-up


def test_predict_train_fits_and_stores_the_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GRAPHCDP_DATA_DIR", str(tmp_path / "data"))
    assert main(["predict", "train", "--no-progress"]) == 2
    assert "persons with an order; fitting needs at least 20" in capsys.readouterr().err
    assert asyncio.run(_model_in_force()) is None

    start = now_ms() - 730 * DAY_MS
    customers = simulate(PurchaseConfig(people=80, seed=5, start_ms=start, prospects=False))
    asyncio.run(_track(touchpoints(customers, start)))
    assert main(["predict", "train", "--no-progress"]) == 0
    printed = capsys.readouterr().out
    assert "fitted on 80 customers" in printed and "stored as prediction model version 1" in printed
    stored = asyncio.run(_model_in_force())
    assert stored is not None and stored.version == 1 and stored.customers == 80
    assert f"r={stored.purchases.r:.4g}" in printed and stored.spend is not None
