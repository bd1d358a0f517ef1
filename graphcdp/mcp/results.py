"""What the MCP tools return: typed results (their JSON schema is each tool's `outputSchema`, their dump its
structured content) and the compact text a model reads, built from the GraphQL answers of documents.py."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

MAX_IDENTIFIERS = 20  # of one customer, in any tool's answer (a shared device can carry many)
MAX_HOPS = 25  # of one explained link


class IdentifierView(BaseModel):
    type: str
    value: str
    shared: bool = Field(False, description="Seen on other persons' records too (a family email, a shop's phone).")
    blocked: bool = Field(False, description="Stored but never links (a blocklisted placeholder value).")


class CustomerBrief(BaseModel):
    """One customer in a list: who, and by what she is known."""

    person_id: str
    name: str | None
    identifiers: list[IdentifierView] = Field(description=f"At most {MAX_IDENTIFIERS}.")


class ConsentView(BaseModel):
    purpose: str
    channel: str
    status: str = Field(description="GRANTED or DENIED: the statement in force.")


class MetricsView(BaseModel):
    orders: int
    net_revenue: float
    touchpoints: int
    last_seen_at: str | None
    days_since_last_activity: float | None
    engagement_declining: bool
    rfm: str = Field(description="Recency, frequency and monetary scores, 1-5 each, as R-F-M.")


class TouchpointView(BaseModel):
    type: str
    channel: str | None
    occurred_at: str
    source: str | None = None
    amount: float | None
    currency: str | None


class CustomerContextResult(BaseModel):
    identifier: str = Field(description="The identifier asked by, normalized (type:value).")
    person_id: str
    summary: str = Field(description="One line: who, how valuable, how active, what she consented to.")
    traits: dict[str, Any] = Field(description="Golden traits: the trusted or most recent value of each.")
    identifiers: list[IdentifierView] = Field(description=f"At most {MAX_IDENTIFIERS}.")
    identifiers_total: int
    consents: list[ConsentView]
    metrics: MetricsView
    segments: list[str] = Field(description="Keys of the segments she is a member of now.")
    recent_touchpoints: list[TouchpointView] = Field(description="Newest first.")


class SearchHit(CustomerBrief):
    score: float = Field(description="0 to 100; 100 for an email or phone equal to the query.")
    matched_on: str


class SearchResult(BaseModel):
    query: str
    customers: list[SearchHit] = Field(description="Best match first; one page.")
    has_more: bool
    next_cursor: str | None = Field(description="Give it as `cursor` for the next page.")


class JourneyResult(BaseModel):
    person_id: str = Field(description="The person (a merged-away id's survivor).")
    total: int = Field(description="Touchpoints of the journey over all pages, with the type filter.")
    touchpoints: list[TouchpointView] = Field(description="Newest first; one page.")
    has_more: bool
    next_cursor: str | None = Field(description="Give it as `cursor` for the next page.")


class LinkHopView(BaseModel):
    from_: str = Field(alias="from", description="An identifier (type:value) or a record (record:source:id).")
    to: str
    kind: str = Field(description="IDENTIFIER: a record observed the identifier; MATCH: two records matched.")
    source: str
    source_id: str
    at: str | None
    score: float | None = Field(description="MATCH: the match probability.")
    rule: str | None
    reviewed: bool

    model_config = {"populate_by_name": True}


class LinkExplanationResult(BaseModel):
    linked: bool
    person_id: str | None
    reason: str
    hops: list[LinkHopView] = Field(description=f"The evidence path, in order; at most {MAX_HOPS}.")
    hops_total: int


class SegmentMembersResult(BaseModel):
    key: str
    name: str | None
    description: str | None
    size: int = Field(description="Members now, over all pages.")
    members: list[CustomerBrief] = Field(description="By person id; one page.")
    has_more: bool
    next_cursor: str | None = Field(description="Give it as `cursor` for the next page.")


# --- from GraphQL answers ---------------------------------------------------------------------------------


def _name(traits: Any) -> str | None:
    if not isinstance(traits, dict):
        return None
    name = " ".join(str(traits[k]) for k in ("firstName", "lastName") if traits.get(k))
    return name or None


def _identifiers(raw: list[dict[str, Any]]) -> list[IdentifierView]:
    return [IdentifierView.model_validate(i) for i in raw[:MAX_IDENTIFIERS]]


def customer_brief(person: dict[str, Any]) -> dict[str, Any]:
    return {
        "person_id": person["id"],
        "name": _name(person["traits"]),
        "identifiers": _identifiers(person["identifiers"]),
    }


def touchpoint_view(raw: dict[str, Any]) -> TouchpointView:
    return TouchpointView(
        type=raw["type"],
        channel=raw.get("channel"),
        occurred_at=raw["occurredAt"],
        source=raw.get("source"),
        amount=raw.get("amount"),
        currency=raw.get("currency"),
    )


def customer_context(raw: dict[str, Any]) -> CustomerContextResult:
    metrics = raw["metrics"]
    return CustomerContextResult(
        identifier=raw["identifier"],
        person_id=raw["personId"],
        summary=raw["summary"],
        traits=raw["traits"] if isinstance(raw["traits"], dict) else {},
        identifiers=_identifiers(raw["identifiers"]),
        identifiers_total=len(raw["identifiers"]),
        consents=[ConsentView.model_validate(c) for c in raw["consents"]],
        metrics=MetricsView(
            orders=metrics["orders"],
            net_revenue=metrics["netRevenue"],
            touchpoints=metrics["touchpoints"],
            last_seen_at=metrics["lastSeenAt"],
            days_since_last_activity=metrics["daysSinceLastActivity"],
            engagement_declining=metrics["engagementDeclining"],
            rfm=f"{metrics['recencyScore']}-{metrics['frequencyScore']}-{metrics['monetaryScore']}",
        ),
        segments=raw["segments"],
        recent_touchpoints=[touchpoint_view(t) for t in raw["recentTouchpoints"]],
    )


def search_result(query: str, raw: dict[str, Any]) -> SearchResult:
    return SearchResult(
        query=query,
        customers=[
            SearchHit(**customer_brief(edge["node"]), score=edge["score"], matched_on=edge["matchedOn"])
            for edge in raw["edges"]
        ],
        has_more=raw["pageInfo"]["hasNextPage"],
        next_cursor=raw["pageInfo"]["endCursor"] if raw["pageInfo"]["hasNextPage"] else None,
    )


def journey_result(raw: dict[str, Any]) -> JourneyResult:
    journey = raw["journey"]
    return JourneyResult(
        person_id=raw["id"],
        total=journey["totalCount"],
        touchpoints=[touchpoint_view(edge["node"]) for edge in journey["edges"]],
        has_more=journey["pageInfo"]["hasNextPage"],
        next_cursor=journey["pageInfo"]["endCursor"] if journey["pageInfo"]["hasNextPage"] else None,
    )


def link_explanation(raw: dict[str, Any]) -> LinkExplanationResult:
    return LinkExplanationResult(
        linked=raw["linked"],
        person_id=raw["personId"],
        reason=raw["reason"],
        hops=[
            LinkHopView(
                from_=hop["from"],
                to=hop["to"],
                kind=hop["kind"],
                source=hop["source"],
                source_id=hop["sourceId"],
                at=hop["at"],
                score=hop["score"],
                rule=hop["rule"],
                reviewed=hop["reviewed"],
            )
            for hop in raw["hops"][:MAX_HOPS]
        ],
        hops_total=len(raw["hops"]),
    )


def segment_members(raw: dict[str, Any]) -> SegmentMembersResult:
    members = raw["members"]
    return SegmentMembersResult(
        key=raw["key"],
        name=raw["name"],
        description=raw["description"],
        size=raw["size"],
        members=[CustomerBrief(**customer_brief(edge["node"])) for edge in members["edges"]],
        has_more=members["pageInfo"]["hasNextPage"],
        next_cursor=members["pageInfo"]["endCursor"] if members["pageInfo"]["hasNextPage"] else None,
    )
