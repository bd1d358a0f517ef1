"""Predictions from purchase history: the fitted buy-till-you-die models, a person's purchase history as they
read it, and what the value analytics return."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field

from graphcdp.model.base import DomainModel


class BetaGeoParameters(BaseModel):
    """BG/NBD: purchase rate λ ~ Gamma(r, rate alpha) per day; dropout after each purchase p ~ Beta(a, b)."""

    r: float = Field(gt=0)
    alpha: float = Field(gt=0)
    a: float = Field(gt=0)
    b: float = Field(gt=0)


class GammaGammaParameters(BaseModel):
    """Gamma-Gamma: order values Gamma(p, rate nu), nu ~ Gamma(q, rate v); the mean order value is p·v/(q-1)."""

    p: float = Field(gt=0)
    q: float = Field(gt=0)
    v: float = Field(gt=0)


class PredictionModel(BaseModel):
    """A fitted model as stored in the graph (JSON), versioned like the matching model."""

    version: int = 0  # given when stored
    trained_at: int  # epoch ms: the `now` tenure was measured at
    customers: int  # persons with at least one order it was fitted on
    repeat_customers: int  # of them, with a repeat order (Gamma-Gamma is fitted on these)
    fit_seconds: float
    library: str  # what fitted it, with its version
    purchases: BetaGeoParameters
    spend: GammaGammaParameters | None  # None when too few repeat customers to fit it

    def to_json(self) -> str:
        return self.model_copy(update={"version": 0}).model_dump_json()


class PurchaseHistory(BaseModel):
    """What the models read of one person (days, from her orders): repeat purchases (orders after the first),
    recency (first to last order), tenure (first order to now) and her mean repeat order value."""

    frequency: int
    recency: float
    tenure: float
    average_order_value: float | None  # of all her orders
    repeat_order_value: float | None  # mean of the orders after the first: what Gamma-Gamma reads


class ChurnRisk(StrEnum):
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"


class StoredPredictionModel(DomainModel):
    """The active stored prediction model, as JSON text (predictions/active_model)."""

    version: int
    model: str


class PredictionModelVersion(DomainModel):
    """predictions/store_model, predictions/active_model_version: a version, None when none is stored."""

    version: int | None = None


class OrderHistoryRow(DomainModel):
    """predictions/order_histories: one person's orders as [occurredAt, amount] pairs, paged by person id."""

    person: str
    orders: list[list[float | int | None]]


class AcquisitionGroup(DomainModel):
    """predictions/value_by_acquisition: customers first touched through one source (or channel)."""

    key: str | None
    persons: int
    customers: int
    orders: int
    revenue: float
    histories: list[list[float]]  # per customer, in ms: [repeat orders, recency, tenure, spent after the first]


class PurchasePath(DomainModel):
    """predictions/paths_to_purchase: a sequence of touchpoint types before a first order, and how often."""

    path: str  # the steps as one text (the order of ties)
    steps: list[str]
    persons: int
    converted: int


class PredictionExplanation(BaseModel):
    """Why a person's predictions are what they are: her inputs, the model in force and what it answers."""

    person_id: str
    history: PurchaseHistory | None  # None: no order, nothing to predict from
    model: PredictionModel | None  # None: no model fitted yet
    probability_alive: float | None
    churn_risk: ChurnRisk | None
    expected_purchases: float | None  # over the days asked
    predicted_value: float | None
    days: int


class AcquisitionValue(BaseModel):
    """valueByAcquisition: one first-touch source or channel."""

    key: str | None
    persons: int
    customers: int
    orders: int
    revenue: float
    predicted_value: float | None  # over the days asked; None without a fitted model
    days: int


class PathShare(BaseModel):
    """pathsToPurchase: one path and its conversion share."""

    steps: list[str]
    persons: int
    converted: int
    conversion_share: float
