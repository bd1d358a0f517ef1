"""GraphQL types of predictions (per person: in `Metrics` and `explainPrediction`) and of the value analytics across
customers (`valueByAcquisition`, `pathsToPurchase`): thin mappings over PredictionService."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

import strawberry

from graphcdp.api.auth import needs
from graphcdp.api.context import Info
from graphcdp.api.pagination import check_page_size
from graphcdp.api.scalars import DateTime
from graphcdp.auth.scopes import Scope
from graphcdp.errors import ErrorCode, GraphCDPError
from graphcdp.identity.input import epoch_ms
from graphcdp.model import predictions as model
from graphcdp.model.predictions import PredictionExplanation as Explained

ChurnRisk = strawberry.enum(model.ChurnRisk, name="ChurnRisk", description="probabilityAlive under the thresholds.")
MAX_DAYS = 3650  # the horizons a prediction is asked for
MAX_STEPS = 10
END_OF_TIME = 2**62


class ArgumentError(GraphCDPError):
    code = ErrorCode.ARGUMENT_OUT_OF_RANGE


@strawberry.enum(description="What valueByAcquisition groups customers by: their first touchpoint's source or channel.")
class AcquisitionGroupBy(Enum):
    SOURCE = "SOURCE"
    CHANNEL = "CHANNEL"


def check_days(days: int) -> None:
    if not 1 <= days <= MAX_DAYS:
        raise ArgumentError(f"days: must be between 1 and {MAX_DAYS}, not {days}")


@strawberry.type(description="What the models read of her orders (days).")
class PredictionInputs:
    frequency: int = strawberry.field(description="Repeat purchases: her orders after the first.")
    recency: float = strawberry.field(description="Days from her first to her last order.")
    tenure: float = strawberry.field(description="Days from her first order to now.")
    average_order_value: float | None = strawberry.field(description="Mean of all her orders.")
    repeat_order_value: float | None = strawberry.field(
        description="Mean of her orders after the first: what Gamma-Gamma reads."
    )


@strawberry.type(description="BG/NBD: purchase rate ~ Gamma(r, alpha) per day; dropout after a purchase ~ Beta(a, b).")
class BetaGeoParameters:
    r: float
    alpha: float
    a: float
    b: float


@strawberry.type(description="Gamma-Gamma: order values ~ Gamma(p, nu), nu ~ Gamma(q, v).")
class GammaGammaParameters:
    p: float
    q: float
    v: float


@strawberry.type(description="A fitted prediction model, as stored in the graph.")
class PredictionModel:
    version: int
    trained_at: DateTime
    customers: int = strawberry.field(description="Persons with an order it was fitted on.")
    repeat_customers: int = strawberry.field(description="Of them, with a repeat order (Gamma-Gamma's data).")
    fit_seconds: float
    library: str
    purchases: BetaGeoParameters
    spend: GammaGammaParameters | None = strawberry.field(description="Null when too few repeat customers.")

    @classmethod
    def from_model(cls, m: model.PredictionModel) -> PredictionModel:
        spend = m.spend
        return cls(
            version=m.version,
            trained_at=m.trained_at,
            customers=m.customers,
            repeat_customers=m.repeat_customers,
            fit_seconds=m.fit_seconds,
            library=m.library,
            purchases=BetaGeoParameters(r=m.purchases.r, alpha=m.purchases.alpha, a=m.purchases.a, b=m.purchases.b),
            spend=GammaGammaParameters(p=spend.p, q=spend.q, v=spend.v) if spend else None,
        )


@strawberry.type(description="Why a person's predictions are what they are.")
class PredictionExplanation:
    person_id: strawberry.ID
    inputs: PredictionInputs | None = strawberry.field(description="Null without an order: nothing to predict from.")
    model: PredictionModel | None = strawberry.field(description="Null until `graphcdp predict train` ran.")
    probability_alive: float | None
    churn_risk: ChurnRisk | None  # type: ignore[valid-type]
    expected_purchases: float | None = strawberry.field(description="Over `days`.")
    predicted_value: float | None = strawberry.field(description="Over `days`, undiscounted.")
    days: int

    @classmethod
    def from_model(cls, e: Explained) -> PredictionExplanation:
        h = e.history
        return cls(
            person_id=strawberry.ID(e.person_id),
            inputs=PredictionInputs(
                frequency=h.frequency,
                recency=round(h.recency, 2),
                tenure=round(h.tenure, 2),
                average_order_value=h.average_order_value,
                repeat_order_value=round(h.repeat_order_value, 2) if h.repeat_order_value is not None else None,
            )
            if h
            else None,
            model=PredictionModel.from_model(e.model) if e.model else None,
            probability_alive=e.probability_alive,
            churn_risk=e.churn_risk,
            expected_purchases=e.expected_purchases,
            predicted_value=e.predicted_value,
            days=e.days,
        )


@strawberry.type(description="Customers first touched through one source or channel.")
class AcquisitionValue:
    key: str | None = strawberry.field(description="The source or channel; null when the first touchpoint has none.")
    persons: int = strawberry.field(description="Persons first touched through it, buyers or not.")
    customers: int = strawberry.field(description="Of them, with an order.")
    orders: int
    revenue: float = strawberry.field(description="Sum of their order amounts (historical value).")
    predicted_value: float | None = strawberry.field(
        description="Their expected spend over `days` (BG/NBD x Gamma-Gamma); null without a fitted model."
    )
    days: int


@strawberry.type(description="A path to purchase: the types of the first touchpoints before a first order.")
class PurchasePath:
    steps: list[str]
    persons: int = strawberry.field(description="Persons whose journey started so (converted or not).")
    converted: int = strawberry.field(description="Of them, who then ordered.")
    conversion_share: float = strawberry.field(description="converted / persons.")


def _time(value: Any, field: str, default: int) -> int:
    return default if value is None else epoch_ms(value, field)


@strawberry.type
class PredictionQuery:
    @strawberry.field(
        extensions=needs(Scope.PROFILES_READ),
        description="Why a person's predictions are what they are: her inputs (frequency, recency, tenure, "
        "order values), the model version and parameters, and what they give. Null for an unknown person.",
    )
    async def explain_prediction(
        self, info: Info, person_id: strawberry.ID, days: int = 365
    ) -> PredictionExplanation | None:
        check_days(days)
        found = await info.context.identity.person(str(person_id))
        if found is None:
            return None
        return PredictionExplanation.from_model(await info.context.services.predictions.explain(found.id, days))

    @strawberry.field(
        extensions=needs(Scope.PROFILES_READ),
        description="Per first-touch source or channel (first touched in [from, to)): persons, customers, their "
        "revenue and predicted value over `days`; the 100 largest groups, by customers.",
    )
    async def value_by_acquisition(
        self,
        info: Info,
        group_by: AcquisitionGroupBy,
        from_: Annotated[DateTime | None, strawberry.argument(name="from")] = None,
        to: DateTime | None = None,
        days: int = 365,
    ) -> list[AcquisitionValue]:
        check_days(days)
        rows = await info.context.services.predictions.value_by_acquisition(
            group_by.value, _time(from_, "from", -END_OF_TIME), _time(to, "to", END_OF_TIME), days
        )
        return [
            AcquisitionValue(
                key=r.key,
                persons=r.persons,
                customers=r.customers,
                orders=r.orders,
                revenue=r.revenue,
                predicted_value=r.predicted_value,
                days=r.days,
            )
            for r in rows
        ]

    @strawberry.field(
        extensions=needs(Scope.PROFILES_READ),
        description="The commonest paths to a first order: the types of each person's first `maxSteps` touchpoints "
        "before her first order (all of them if she never ordered), with how many took each and the share who "
        "then ordered; by persons who converted.",
    )
    async def paths_to_purchase(self, info: Info, first: int = 10, max_steps: int = 5) -> list[PurchasePath]:
        check_page_size(first, info.context.settings.max_page_size)
        if not 1 <= max_steps <= MAX_STEPS:
            raise ArgumentError(f"maxSteps: must be between 1 and {MAX_STEPS}, not {max_steps}")
        rows = await info.context.services.predictions.paths_to_purchase(first, max_steps)
        return [
            PurchasePath(steps=r.steps, persons=r.persons, converted=r.converted, conversion_share=r.conversion_share)
            for r in rows
        ]
