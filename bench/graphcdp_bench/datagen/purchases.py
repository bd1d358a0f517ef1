"""Customers whose purchases follow known buy-till-you-die parameters, for proving the prediction models.

BG/NBD (Fader, Hardie and Lee, 2005): each customer buys at a rate λ ~ Gamma(r, rate alpha) per day while alive, and
after every purchase drops out for good with probability p ~ Beta(a, b). Gamma-Gamma (the same authors): her
order values are Gamma(shape p, rate nu) with nu ~ Gamma(q, rate v), so her mean order value is p/nu. Each
customer's first order falls uniformly in the acquisition period; before it she leaves a few touchpoints (an ad
click, a page view, a newsletter click…) whose first one names her acquisition source and channel. Some
prospects leave touchpoints and never buy, so paths to purchase have a conversion share.

The output is the touchpoints file `graphcdp import` and the benchmarks' seed read, and the true parameters.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

DAY_MS = 86_400_000
START_MS = 1_672_531_200_000  # 2023-01-01T00:00:00Z


@dataclass(frozen=True)
class TrueParameters:
    """What the simulation draws from: BG/NBD (r, alpha in days, a, b) and Gamma-Gamma (p, q, v)."""

    r: float = 0.8
    alpha: float = 30.0
    a: float = 0.7
    b: float = 4.0
    p: float = 6.0
    q: float = 4.0
    v: float = 60.0


# First touch: (source, channel), with its share of prospects.
ACQUISITION = (
    (("google_ads", "web"), 0.35),
    (("newsletter", "email"), 0.2),
    (("instagram", "social"), 0.2),
    (("referral", "web"), 0.15),
    (("app_store", "app"), 0.1),
)
# What a prospect does after the first touch and before buying: (type, channel).
BROWSING = (("page_view", "web"), ("search", "web"), ("email_click", "email"), ("app_open", "app"))
PROSPECT_SHARE = 0.25  # of the people: never order


@dataclass(frozen=True)
class PurchaseConfig:
    people: int
    seed: int = 7
    parameters: TrueParameters = field(default_factory=TrueParameters)
    acquisition_days: int = 365  # first orders fall in [0, acquisition_days)
    observed_days: int = 730  # the data ends here (days after START_MS)
    prospects: bool = True  # also people who never order, and touchpoints before the first order
    start_ms: int = START_MS  # day 0

    @property
    def end_ms(self) -> int:
        return self.start_ms + self.observed_days * DAY_MS


@dataclass
class Customer:
    index: int
    birth_day: float | None  # day of the first order; None for a prospect who never buys
    dropout_day: float | None  # day of the purchase after which she dropped out; None while alive
    order_days: list[float]
    amounts: list[float]
    source: str
    channel: str
    path: list[tuple[str, str]]  # the touchpoints before the first order (after the first touch)

    @property
    def customer_id(self) -> str:
        return f"C{self.index:08d}"

    def alive_at(self, day: float) -> bool:
        return self.dropout_day is None or self.dropout_day >= day


def simulate(config: PurchaseConfig) -> list[Customer]:
    """Everyone's orders up to `observed_days`, drawn with `config.seed`."""
    rng = np.random.default_rng(config.seed)
    t = config.parameters
    horizon = float(config.observed_days)
    customers: list[Customer] = []
    sources = [s for s, _ in ACQUISITION]
    shares = np.array([w for _, w in ACQUISITION])
    for index in range(config.people):
        source, channel = sources[int(rng.choice(len(sources), p=shares))]
        steps = int(rng.integers(0, 4)) if config.prospects else 0
        path = [BROWSING[int(rng.integers(0, len(BROWSING)))] for _ in range(steps)]
        if config.prospects and rng.random() < PROSPECT_SHARE:
            customers.append(Customer(index, None, None, [], [], source, channel, path))
            continue
        rate = rng.gamma(t.r, 1.0 / t.alpha)
        dropout = rng.beta(t.a, t.b)
        nu = rng.gamma(t.q, 1.0 / t.v)
        day = float(rng.uniform(0.0, config.acquisition_days))
        days, dropped = [day], None
        while True:  # she may drop out after each repeat purchase (not after the first: BG/NBD)
            day += float(rng.exponential(1.0 / rate))
            if day >= horizon:
                break
            days.append(day)
            if rng.random() < dropout:
                dropped = day
                break
        amounts = [round(float(rng.gamma(t.p, 1.0 / nu)), 2) for _ in days]
        customers.append(Customer(index, days[0], dropped, days, amounts, source, channel, path))
    return customers


def _iso(ms: int) -> str:
    return str(np.datetime64(ms, "ms")) + "Z"


def touchpoints(customers: list[Customer], start_ms: int = START_MS) -> list[dict[str, object]]:
    """Every touchpoint as `trackTouchpoints` takes it, under the customer's own id."""
    items: list[dict[str, object]] = []
    for c in customers:
        ident = [{"type": "customer_id", "value": c.customer_id}]
        birth = c.birth_day if c.birth_day is not None else float(c.index % 365)
        first_ms = start_ms + int(birth * DAY_MS)
        # The first touch and the browsing before the first order, an hour apart, ending before it.
        steps = [("ad_click" if c.channel != "email" else "email_click", c.channel), *c.path]
        for n, (type_, channel) in enumerate(steps):
            at = first_ms - (len(steps) - n) * 3_600_000
            items.append(
                {
                    "id": f"{c.customer_id}-t{n}",
                    "type": type_,
                    "channel": channel,
                    "source": c.source if n == 0 else channel,
                    "occurredAt": _iso(at),
                    "identifiers": ident,
                }
            )
        for n, (day, amount) in enumerate(zip(c.order_days, c.amounts, strict=True)):
            items.append(
                {
                    "id": f"{c.customer_id}-o{n}",
                    "type": "order",
                    "channel": "web",
                    "source": "shop",
                    "occurredAt": _iso(start_ms + int(day * DAY_MS)),
                    "identifiers": ident,
                    "amount": amount,
                    "currency": "EUR",
                }
            )
    return items


def write_purchases(out: Path, config: PurchaseConfig) -> dict[str, object]:
    """touchpoints.jsonl (and an empty records.jsonl) in `out`, and manifest.json with the true parameters."""
    out.mkdir(parents=True, exist_ok=True)
    customers = simulate(config)
    items = touchpoints(customers, config.start_ms)
    with (out / "touchpoints.jsonl").open("w", encoding="utf-8") as f:
        for item in items:
            f.write(json.dumps(item) + "\n")
    (out / "records.jsonl").write_text("", encoding="utf-8")
    manifest: dict[str, object] = {
        "people": config.people,
        "customers": sum(1 for c in customers if c.birth_day is not None),
        "orders": sum(len(c.order_days) for c in customers),
        "touchpoints": len(items),
        "seed": config.seed,
        "observedDays": config.observed_days,
        "endMs": config.end_ms,
        "parameters": asdict(config.parameters),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return manifest
