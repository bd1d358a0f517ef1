"""`graphcdp predict train`: fit BG/NBD and Gamma-Gamma on every person's orders and store them in the graph
(the `predict` extra); every service process answers with them within GRAPHCDP_PREDICT_MODEL_REFRESH seconds."""

from __future__ import annotations

import argparse
import asyncio
import logging
from typing import Any

from graphcdp.model.predictions import PredictionModel
from graphcdp.settings import Settings, load_settings


async def _train(settings: Settings, progress: bool) -> PredictionModel:
    from graphcdp.wiring import open_services

    async with open_services(settings) as services:
        return await services.predictions.train(progress=progress)


def describe(model: PredictionModel) -> str:
    p = model.purchases
    lines = [
        f"fitted on {model.customers:,} customers ({model.repeat_customers:,} with a repeat order) in "
        f"{model.fit_seconds:.1f} s with {model.library}",
        f"BG/NBD       r={p.r:.4g} alpha={p.alpha:.4g} days a={p.a:.4g} b={p.b:.4g}",
    ]
    if model.spend is not None:
        s = model.spend
        lines.append(f"Gamma-Gamma  p={s.p:.4g} q={s.q:.4g} v={s.v:.4g} (mean order value {s.p * s.v / (s.q - 1):.2f})")
    else:
        lines.append("Gamma-Gamma  not fitted: too few repeat customers (predictedValue stays null)")
    lines.append(
        f"stored as prediction model version {model.version}, in force now (running services switch to it within "
        "GRAPHCDP_PREDICT_MODEL_REFRESH seconds)"
    )
    return "\n".join(lines)


def predict_train(args: argparse.Namespace) -> None:
    settings = load_settings()
    logging.basicConfig(level=settings.log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    print(describe(asyncio.run(_train(settings, args.progress))))


def add_commands(commands: Any) -> None:
    predict = commands.add_parser("predict", help="predictions: fit BG/NBD and Gamma-Gamma on the orders in the graph")
    actions = predict.add_subparsers(dest="predict", required=True)
    train = actions.add_parser("train", help="fit the models on every person's orders and store them (predict extra)")
    train.add_argument("--no-progress", dest="progress", action="store_false", help="no progress bar")
    train.set_defaults(handler=predict_train)
