"""Predictions and value analytics over GraphQL on the real embedded database: customers simulated from known
BG/NBD and Gamma-Gamma parameters are tracked through `trackTouchpoints`, the models are fitted as
`graphcdp predict train` fits them (pymc-marketing), and every answer is checked against the simulation and the
closed forms written out here again."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from graphcdp.api.app import create_app
from graphcdp.clock import now_ms
from graphcdp.model.predictions import PredictionModel
from graphcdp.predictions.refit import refit_when_due
from graphcdp.predictions.service import PredictionService
from graphcdp.settings import Settings, load_settings
from graphcdp.store.embedded import EmbeddedFalkorDB
from graphcdp.store.falkordb import FalkorDBStore
from graphcdp.wiring import Services, services_on
from graphcdp_bench.datagen.purchases import DAY_MS, Customer, PurchaseConfig, simulate, touchpoints
from tests.api.graphql_client import gql
from tests.conftest import _fresh_falkordb_graph
from tests.service_process import AUTH_HEADERS, TEST_ADMIN_KEY

PEOPLE = 200
TRACK = """
mutation($touchpoints: [TouchpointInput!]!) {
  trackTouchpoints(touchpoints: $touchpoints) { results { personId } errors { index code message } }
}"""
CONTEXT = """
query($value: String!) {
  context(identifier: {type: "customer_id", value: $value}) {
    personId summary
    metrics {
      orders probabilityAlive churnRisk
      soon: expectedPurchases(days: 30) expectedPurchases yearly: expectedPurchases(days: 365) predictedValue
    }
  }
}"""
EXPLAIN = """
query($id: ID!) {
  explainPrediction(personId: $id) {
    personId days probabilityAlive churnRisk expectedPurchases predictedValue
    inputs { frequency recency tenure averageOrderValue repeatOrderValue }
    model { version customers repeatCustomers library purchases { r alpha a b } spend { p q v } }
  }
}"""
SAVE = """
mutation($key: String!, $definition: JSON!) {
  saveSegment(key: $key, definition: $definition) { segment { size } errors { code message } }
}"""
MEMBERS = '{ segment(key: "at-risk") { members(first: 100) { totalCount edges { node { id } } } } }'
VALUE = """
query($groupBy: AcquisitionGroupBy!, $from: DateTime) {
  valueByAcquisition(groupBy: $groupBy, from: $from) { key persons customers orders revenue predictedValue days }
}"""
PATHS = "{ pathsToPurchase(first: 3, maxSteps: 2) { steps persons converted conversionShare } }"


@dataclass
class World:
    http: httpx.AsyncClient
    services: Services
    customers: list[Customer]
    person_of: dict[str, str]  # customer id -> person id
    start_ms: int
    model: PredictionModel | None = None  # fitted once the fixture checked what it answers without


@asynccontextmanager
async def _app(store: FalkorDBStore, settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, Services]]:
    async with services_on(store, settings) as services:
        transport = httpx.ASGITransport(app=create_app(services=services))
        async with httpx.AsyncClient(transport=transport, base_url="http://test", headers=AUTH_HEADERS) as http:
            yield http, services


@pytest.fixture(scope="module")
async def world(embedded_falkordb: EmbeddedFalkorDB) -> AsyncIterator[World]:
    """One graph for the module: the simulated customers tracked, what it answers checked before any fit, then
    the models fitted once (the tests that fit again do it on their own PredictionService)."""
    settings = load_settings(admin_key=SecretStr(TEST_ADMIN_KEY), predict_model_refresh=0)
    start = now_ms() - 730 * DAY_MS  # two years of purchases, up to now
    customers = simulate(PurchaseConfig(people=PEOPLE, seed=3, start_ms=start))
    items = touchpoints(customers, start)
    async for store in _fresh_falkordb_graph(embedded_falkordb):
        async with _app(store, settings) as (http, services):
            person_of: dict[str, str] = {}
            for at in range(0, len(items), 500):
                batch = items[at : at + 500]
                body = await gql(http, TRACK, touchpoints=batch)
                assert body["data"]["trackTouchpoints"]["errors"] == []
                for item, result in zip(batch, body["data"]["trackTouchpoints"]["results"], strict=True):
                    person_of[item["identifiers"][0]["value"]] = result["personId"]  # type: ignore[index]
            found = World(http, services, customers, person_of, start)
            await _before_any_fit(found)
            found.model = await services.predictions.train()
            yield found


async def _before_any_fit(world: World) -> None:
    """Without a model: her inputs, and no prediction anywhere."""
    customer = next(c for c in world.customers if len(c.order_days) >= 3)
    before = (await gql(world.http, CONTEXT, value=customer.customer_id))["data"]["context"]["metrics"]
    assert before["probabilityAlive"] is None and before["churnRisk"] is None and before["predictedValue"] is None
    explained = (await gql(world.http, EXPLAIN, id=world.person_of[customer.customer_id]))["data"]
    assert explained["explainPrediction"]["model"] is None
    assert explained["explainPrediction"]["inputs"]["frequency"] == len(customer.order_days) - 1
    by_source = (await gql(world.http, VALUE, groupBy="SOURCE"))["data"]["valueByAcquisition"]
    assert by_source and all(g["predictedValue"] is None for g in by_source)


def _alive(p: dict[str, float], x: int, recency: float, tenure: float) -> float:
    """BG/NBD's P(alive), written out again (Fader, Hardie and Lee 2005, equation 13)."""
    if x == 0:
        return 1.0
    return 1.0 / (1.0 + p["a"] / (p["b"] + x - 1) * ((p["alpha"] + tenure) / (p["alpha"] + recency)) ** (p["r"] + x))


def _order_times(c: Customer, start: int) -> list[int]:
    return [start + int(d * DAY_MS) for d in c.order_days]


async def test_predictions_per_person_follow_the_fitted_model(world: World) -> None:
    repeat = [c for c in world.customers if len(c.order_days) >= 3][:6]
    single = next(c for c in world.customers if len(c.order_days) == 1)
    prospect = next(c for c in world.customers if not c.order_days)

    model = await world.services.predictions.current()  # version 1, or 2 once the refit test ran
    assert model is not None and world.model is not None and model.version >= world.model.version == 1
    assert model.customers == sum(1 for c in world.customers if c.order_days)
    assert model.spend is not None

    for c in repeat:
        person = world.person_of[c.customer_id]
        explained = (await gql(world.http, EXPLAIN, id=person))["data"]["explainPrediction"]
        context = (await gql(world.http, CONTEXT, value=c.customer_id))["data"]["context"]
        metrics = context["metrics"]
        times = _order_times(c, world.start_ms)
        inputs = explained["inputs"]
        assert inputs["frequency"] == len(times) - 1
        assert inputs["recency"] == pytest.approx((times[-1] - times[0]) / DAY_MS, abs=0.01)
        assert inputs["tenure"] == pytest.approx((now_ms() - times[0]) / DAY_MS, abs=0.02)
        assert inputs["averageOrderValue"] == pytest.approx(sum(c.amounts) / len(c.amounts), abs=0.01)
        assert inputs["repeatOrderValue"] == pytest.approx(sum(c.amounts[1:]) / len(c.amounts[1:]), abs=0.01)
        assert explained["model"]["version"] == model.version and explained["model"]["library"].startswith(
            "pymc-marketing"
        )
        assert explained["model"]["purchases"] == pytest.approx(model.purchases.model_dump())
        expected = _alive(explained["model"]["purchases"], inputs["frequency"], inputs["recency"], inputs["tenure"])
        assert metrics["probabilityAlive"] == pytest.approx(expected, abs=2e-4)
        assert explained["probabilityAlive"] == pytest.approx(expected, abs=2e-4)
        risk = "HIGH" if expected < 0.3 else "MEDIUM" if expected < 0.7 else "LOW"
        assert metrics["churnRisk"] == explained["churnRisk"] == risk
        assert 0 < metrics["soon"] < metrics["expectedPurchases"] < metrics["yearly"]
        assert metrics["yearly"] == pytest.approx(explained["expectedPurchases"], rel=1e-3)
        assert metrics["predictedValue"] == pytest.approx(explained["predictedValue"], rel=1e-3)
        # Expected spend: her expected orders times an order value between her own and the population's mean.
        spend = explained["model"]["spend"]
        population = spend["p"] * spend["v"] / (spend["q"] - 1)
        order_value = metrics["predictedValue"] / metrics["yearly"]
        low, high = sorted((population, inputs["repeatOrderValue"]))
        assert low - 0.01 <= order_value <= high + 0.01
        assert f"churn risk {risk.lower()}" in context["summary"]

    first_only = (await gql(world.http, CONTEXT, value=single.customer_id))["data"]["context"]["metrics"]
    assert first_only["probabilityAlive"] == 1.0 and first_only["churnRisk"] == "LOW"  # BG/NBD: no dropout yet
    nothing = (await gql(world.http, CONTEXT, value=prospect.customer_id))["data"]["context"]["metrics"]
    assert nothing["orders"] == 0 and nothing["probabilityAlive"] is None and nothing["expectedPurchases"] is None
    explained = (await gql(world.http, EXPLAIN, id=world.person_of[prospect.customer_id]))["data"]
    assert (
        explained["explainPrediction"]["inputs"] is None
        and explained["explainPrediction"]["model"]["version"] == model.version
    )

    assert (await gql(world.http, EXPLAIN, id="nobody"))["data"] == {"explainPrediction": None}
    out_of_range = await gql(
        world.http, CONTEXT.replace("expectedPurchases(days: 30)", "expectedPurchases(days: 0)"), value="C00000000"
    )
    assert out_of_range["errors"][0]["extensions"]["code"] == "ARGUMENT_OUT_OF_RANGE"


async def test_probability_alive_segments_and_what_segments_refuse(world: World) -> None:
    saved = await gql(world.http, SAVE, key="at-risk", definition={"metric": "probabilityAlive", "lt": 0.5})
    assert saved["data"]["saveSegment"]["errors"] == []
    persons = sorted(set(world.person_of.values()))
    metrics = await world.services.profiles.metrics(persons)
    at_risk = {
        p
        for p, m in zip(persons, metrics, strict=True)
        if m.probability_alive is not None and m.probability_alive < 0.5
    }
    assert 0 < len(at_risk) < len(persons)
    members = (await gql(world.http, MEMBERS))["data"]["segment"]["members"]
    assert members["totalCount"] == len(at_risk)
    assert {e["node"]["id"] for e in members["edges"]} <= at_risk

    for metric, reason in (
        ("expectedPurchases", "hypergeometric"),
        ("predictedValue", "hypergeometric"),
        ("churnRisk", "probabilityAlive"),
    ):
        refused = await gql(world.http, SAVE, key="nope", definition={"metric": metric, "gt": 1})
        (error,) = refused["data"]["saveSegment"]["errors"]
        assert error["code"] == "INVALID_SEGMENT" and reason in error["message"], error


async def test_value_by_acquisition_and_paths_to_purchase_match_the_simulation(world: World) -> None:
    expected: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"persons": 0, "customers": 0, "orders": 0, "revenue": 0.0}
    )
    for c in world.customers:
        group = expected[c.source]
        group["persons"] += 1
        group["customers"] += 1 if c.order_days else 0
        group["orders"] += len(c.order_days)
        group["revenue"] += sum(c.amounts)
    by_source = (await gql(world.http, VALUE, groupBy="SOURCE"))["data"]["valueByAcquisition"]
    assert {g["key"] for g in by_source} == set(expected)
    for g in by_source:
        want = expected[g["key"]]
        assert (g["persons"], g["customers"], g["orders"]) == (want["persons"], want["customers"], want["orders"])
        assert g["revenue"] == pytest.approx(want["revenue"], abs=0.05)
        assert g["predictedValue"] > 0 and g["days"] == 365
    assert [g["customers"] for g in by_source] == sorted((g["customers"] for g in by_source), reverse=True)
    by_channel = (await gql(world.http, VALUE, groupBy="CHANNEL"))["data"]["valueByAcquisition"]
    assert Counter({g["key"]: g["persons"] for g in by_channel}) == Counter(c.channel for c in world.customers)
    assert (await gql(world.http, VALUE, groupBy="SOURCE", **{"from": now_ms() + DAY_MS}))["data"] == {
        "valueByAcquisition": []
    }

    paths: dict[tuple[str, ...], list[int]] = defaultdict(lambda: [0, 0])
    for c in world.customers:
        first_step = "email_click" if c.channel == "email" else "ad_click"
        steps = tuple([first_step, *(t for t, _ in c.path)][:2])
        paths[steps][0] += 1
        paths[steps][1] += 1 if c.order_days else 0
    ranked = sorted(paths.items(), key=lambda kv: (-kv[1][1], -kv[1][0], "".join(f"{s} > " for s in kv[0])))[:3]
    answered = (await gql(world.http, PATHS))["data"]["pathsToPurchase"]
    assert answered == [
        {"steps": list(steps), "persons": n, "converted": bought, "conversionShare": round(bought / n, 4)}
        for steps, (n, bought) in ranked
    ]


async def test_every_process_picks_up_a_stored_model_and_the_schedule_refits_when_due(world: World) -> None:
    settings = load_settings(predict_model_refresh=0, predict_refit_hours=1)
    other = PredictionService(world.services.store, settings)  # another service process on the same graph
    stored = await other.current()
    assert world.model is not None and stored is not None
    assert stored.version >= world.model.version and stored.purchases.r > 0
    assert not await refit_when_due(other)  # fresh: nothing to do
    other.clock = lambda: now_ms() + 2 * 3_600_000  # two hours later
    assert await refit_when_due(other)
    newer = await world.services.predictions.current()  # the API's service switches to it
    assert newer is not None and newer.version == stored.version + 1
    assert math.isclose(newer.purchases.r, world.model.purchases.r, rel_tol=0.05)
