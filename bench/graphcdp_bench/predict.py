"""`graphcdp bench predict`: the prediction models proven on purchases simulated from known parameters.

1. Recovery: the fit on the calibration period finds the parameters the purchases were drawn from.
2. Holdout: the fitted model predicts each customer's orders in the period after; its mean absolute error is
   compared with two baselines that see the same calibration data: her own past rate (repeat orders per day of
   tenure) and the mean past rate of her RFM bucket (recency, frequency and monetary scores as `Metrics` gives).
3. On the graph (optional): the simulated touchpoints seeded into a graph, `PredictionService.train` (what
   `graphcdp predict train` runs) timed beside the raw read of the same orders, and the value analytics' statements.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from graphcdp.model.predictions import PurchaseHistory
from graphcdp.predictions.fit import fit_models
from graphcdp.predictions.formulas import expected_purchases, probability_alive
from graphcdp.predictions.history import purchase_history
from graphcdp.profiles.metrics import MetricsConfig, compute_metrics
from graphcdp.settings import Settings
from graphcdp_bench.datagen.purchases import DAY_MS, START_MS, Customer, PurchaseConfig, TrueParameters, simulate

CALIBRATION_DAYS = 547  # 18 months fitted on (first orders in the first 12), 6 months held out


@dataclass
class HoldoutResult:
    people: int
    customers: int
    calibration_days: int
    holdout_days: int
    true: dict[str, float]
    fitted: dict[str, float]
    relative_error: dict[str, float]
    fit_seconds: float
    mae_model: float
    mae_naive: float
    mae_rfm: float
    mean_holdout_orders: float
    mean_predicted_orders: float
    share_alive: float  # of the customers, still alive at the end of the calibration period (the simulation knows)
    mean_probability_alive: float  # what the fitted model says of them
    graph: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _orders(c: Customer, until_day: float) -> list[tuple[int, float]]:
    return [(START_MS + int(d * DAY_MS), a) for d, a in zip(c.order_days, c.amounts, strict=True) if d < until_day]


def calibration_histories(customers: list[Customer], calibration_days: int) -> list[PurchaseHistory]:
    now = START_MS + calibration_days * DAY_MS
    found = [purchase_history(_orders(c, calibration_days), now) for c in customers]
    return [h for h in found if h is not None]


def evaluate(
    people: int, seed: int, settings: Settings, *, calibration_days: int = CALIBRATION_DAYS, observed_days: int = 730
) -> HoldoutResult:
    """Simulate `people` customers, fit on the calibration period, predict the holdout."""
    truth = TrueParameters()
    config = PurchaseConfig(people=people, seed=seed, parameters=truth, observed_days=observed_days, prospects=False)
    customers = [c for c in simulate(config) if c.birth_day is not None and c.birth_day < calibration_days]
    histories = calibration_histories(customers, calibration_days)
    fitted = fit_models(histories)
    assert fitted.spend is not None, "thousands of repeat customers fit Gamma-Gamma"
    found = {**fitted.purchases.model_dump(), **fitted.spend.model_dump()}
    true = asdict(truth)
    holdout_days = observed_days - calibration_days
    now = START_MS + calibration_days * DAY_MS
    metrics = MetricsConfig.from_settings(settings)
    actual, model, naive, alive = [], [], [], []
    buckets: dict[tuple[int, int, int], list[float]] = defaultdict(list)
    bucket_of = []
    for c, h in zip(customers, histories, strict=True):
        actual.append(sum(1 for d in c.order_days if calibration_days <= d < observed_days))
        model.append(expected_purchases(fitted.purchases, h.frequency, h.recency, h.tenure, holdout_days))
        alive.append(probability_alive(fitted.purchases, h.frequency, h.recency, h.tenure))
        rate = h.frequency / h.tenure if h.tenure > 0 else 0.0
        naive.append(rate * holdout_days)
        events = [(at, "order", amount) for at, amount in _orders(c, calibration_days)]
        m = compute_metrics(events, now, metrics)
        bucket = (m.recency_score, m.frequency_score, m.monetary_score)
        buckets[bucket].append(rate)
        bucket_of.append(bucket)
    bucket_rate = {b: sum(rates) / len(rates) for b, rates in buckets.items()}
    rfm = [bucket_rate[b] * holdout_days for b in bucket_of]

    def mae(predicted: list[float]) -> float:
        return round(sum(abs(p - a) for p, a in zip(predicted, actual, strict=True)) / len(actual), 4)

    return HoldoutResult(
        people=people,
        customers=len(customers),
        calibration_days=calibration_days,
        holdout_days=holdout_days,
        true=true,
        fitted={k: round(v, 4) for k, v in found.items()},
        relative_error={k: round(abs(found[k] - true[k]) / true[k], 4) for k in true},
        fit_seconds=fitted.seconds,
        mae_model=mae(model),
        mae_naive=mae(naive),
        mae_rfm=mae(rfm),
        mean_holdout_orders=round(sum(actual) / len(actual), 4),
        mean_predicted_orders=round(sum(model) / len(model), 4),
        share_alive=round(sum(1 for c in customers if c.alive_at(calibration_days)) / len(customers), 4),
        mean_probability_alive=round(sum(alive) / len(alive), 4),
    )


def holdout_table(result: HoldoutResult) -> str:
    lines = [
        f"{result.customers:,} customers ({result.people:,} simulated), fitted on {result.calibration_days} days "
        f"in {result.fit_seconds:.1f} s, {result.holdout_days} days held out",
        f"{'parameter':<10} {'true':>10} {'fitted':>10} {'error':>8}",
    ]
    lines += [
        f"{k:<10} {result.true[k]:>10.4g} {result.fitted[k]:>10.4g} {result.relative_error[k]:>8.1%}"
        for k in result.true
    ]
    lines += [
        f"alive at the end of calibration: {result.share_alive:.1%} (simulated), mean probabilityAlive "
        f"{result.mean_probability_alive:.1%}",
        f"holdout orders per customer: mean {result.mean_holdout_orders:.3f}, predicted "
        f"{result.mean_predicted_orders:.3f}; mean absolute error:",
        f"  BG/NBD {result.mae_model:.4f}   own past rate {result.mae_naive:.4f}   RFM buckets {result.mae_rfm:.4f}",
    ]
    for k, v in result.graph.items():
        lines.append(f"  graph: {k} = {v}")
    return "\n".join(lines)


async def on_graph(settings: Settings, url: str, people: int, seed: int, work: Path) -> dict[str, Any]:
    """Seed `people` simulated customers (with prospects) into an empty graph of the server at `url`; time the
    training and the analytics, beside the raw read of the orders."""
    from graphcdp.predictions.service import ORDER_HISTORIES, PATHS_TO_PURCHASE, TRAIN_PAGE, VALUE_BY_ACQUISITION
    from graphcdp.profiles.metrics import ORDER
    from graphcdp_bench.datagen.purchases import write_purchases
    from graphcdp_bench.graphs import bench_services
    from graphcdp_bench.seed import seed_graph

    manifest = write_purchases(work, PurchaseConfig(people=people, seed=seed))
    async with bench_services(url, "bench_predict", settings, reset=True) as services:
        started = time.perf_counter()
        await seed_graph(services.store, services.identity.rules, work, progress=True)
        seeded = time.perf_counter() - started
        predictions = services.predictions
        predictions.clock = lambda: int(manifest["endMs"])  # type: ignore[call-overload]
        started = time.perf_counter()
        after, read = "", 0
        while True:  # the raw read of every order, page by page, as training reads it
            rows = await services.store.run(ORDER_HISTORIES, {"after": after, "limit": TRAIN_PAGE, "order": ORDER})
            read += len(rows)
            if len(rows) < TRAIN_PAGE:
                break
            after = rows[-1].person
        raw_read = time.perf_counter() - started
        started = time.perf_counter()
        model = await predictions.train(progress=False)
        train = time.perf_counter() - started
        started = time.perf_counter()
        groups = await predictions.value_by_acquisition("SOURCE", -(2**62), 2**62, 365)
        value = time.perf_counter() - started
        started = time.perf_counter()
        await services.store.run(
            VALUE_BY_ACQUISITION,
            {
                "groupBy": "SOURCE",
                "from": -(2**62),
                "to": 2**62,
                "order": ORDER,
                "now": manifest["endMs"],
                "limit": 100,
            },
        )
        raw_value_s = time.perf_counter() - started
        started = time.perf_counter()
        await services.store.run(PATHS_TO_PURCHASE, {"order": ORDER, "maxSteps": 5, "first": 10})
        paths = time.perf_counter() - started
    return {
        "people": people,
        "persons read": read,
        "touchpoints": manifest["touchpoints"],
        "seed s": round(seeded, 1),
        "raw read of the orders s": round(raw_read, 2),
        "predict train s (read + fit + store)": round(train, 2),
        "fit s": model.fit_seconds,
        "valueByAcquisition s (statement + closed forms)": round(value, 2),
        "valueByAcquisition statement alone s": round(raw_value_s, 2),
        "pathsToPurchase statement s": round(paths, 2),
        "groups": len(groups),
        "fitted on graph": {**model.purchases.model_dump(), **(model.spend.model_dump() if model.spend else {})},
    }
