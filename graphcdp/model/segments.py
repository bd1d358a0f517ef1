"""Rows of the compiled segment statements (graphcdp/segments/compiler.py)."""

from __future__ import annotations

from pydantic import BaseModel

from graphcdp.model.base import DomainModel
from graphcdp.model.profiles import Metrics

# What an explanation shows of the value a condition looked at: numbers, texts, flags, lists of texts.
DetailValue = str | int | float | bool | None | list[str]


class MembershipChange(DomainModel):
    """A row of a compiled refresh: one person entered (or left) one segment, at the statement's `now`."""

    person: str
    segment: str
    entered: bool


class PreviewRow(DomainModel):
    """The row of a compiled preview: how many persons a definition selects, and the first ids (by id)."""

    size: int
    sample: list[str]


class ConditionRow(DomainModel):
    path: str
    held: bool
    detail: list[DetailValue]


class ExplainRow(DomainModel):
    """The row of a compiled explanation: the person asked for (after redirects) and each condition, in tree
    order."""

    person: str
    conditions: list[ConditionRow]


class MetricsRow(BaseModel):
    """The row of a compiled metrics read (the metrics segments compare, computed by the database)."""

    person: str
    metrics: Metrics


class StoredTraits(DomainModel):
    """segments/persons_without_facets: a person's golden traits as stored (JSON text, compared when written)."""

    id: str
    traits: str | None = None


class StoredProperties(DomainModel):
    """segments/touchpoints_without_facets: a touchpoint's properties as stored (JSON text)."""

    id: str
    properties: str | None = None


class FacetsWritten(DomainModel):
    """segments/set_trait_facets, segments/set_touchpoint_facets: a node whose facets were stored."""

    id: str
