"""An explanation's texts: what each condition of a definition looked at for one person, from the row of the
statement `compile_explain` compiled."""

from __future__ import annotations

from dataclasses import dataclass

from graphcdp.model.segments import ConditionRow, DetailValue, ExplainRow
from graphcdp.segments.definition import (
    BIRTH_DATE,
    AgeCondition,
    All,
    Any,
    Condition,
    ConsentCondition,
    Definition,
    IdentifierCondition,
    MetricCondition,
    Not,
    SegmentCondition,
    TouchpointCondition,
    TraitCondition,
    walk,
)


@dataclass(frozen=True)
class ConditionResult:
    path: str
    held: bool
    detail: str


@dataclass(frozen=True)
class Explanation:
    person: str  # the person explained (the survivor when a retired id was asked for)
    member: bool  # whether the whole definition holds
    conditions: tuple[ConditionResult, ...]


def explanation(definition: Definition, row: ExplainRow) -> Explanation:
    """The compiled explanation's row as texts: what each condition looked at."""
    nodes = list(walk(definition.root))
    results = tuple(
        ConditionResult(c.path, c.held, _describe(node, c)) for node, c in zip(nodes, row.conditions, strict=True)
    )
    return Explanation(row.person, results[0].held, results)


def _describe(node: Condition, row: ConditionRow) -> str:
    values = row.detail
    if isinstance(node, All | Any):
        return f"{values[0]} of {values[1]} conditions held"
    if isinstance(node, Not):
        return "the condition inside held" if values[0] else "the condition inside did not hold"
    if isinstance(node, TraitCondition | AgeCondition):
        facets = values[0] if isinstance(values[0], list) else []
        name = node.trait if isinstance(node, TraitCondition) else BIRTH_DATE
        shown = [f.split("=", 1)[1] for f in facets]
        return f"{name} = {', '.join(shown)}" if shown else f"{name} is not set"
    return _describe_more(node, values)


def _describe_more(node: Condition, values: list[DetailValue]) -> str:
    if isinstance(node, IdentifierCondition):
        return f"{values[0]} {node.type} identifier(s)"
    if isinstance(node, MetricCondition):
        return f"{node.metric.value} = {_shown(values[0])}"
    if isinstance(node, TouchpointCondition):
        text = f"{values[0]} matching touchpoint(s)"
        return text + (f", amount sum {_shown(values[1])}" if len(values) > 1 else "")
    if isinstance(node, ConsentCondition):
        if node.channel is not None:
            return f"consent in force: {values[0]}" if values[0] is not None else "no consent statement"
        found = values[0] if isinstance(values[0], list) else []
        return "consent in force: " + ", ".join(found) if found else "no consent statement"
    assert isinstance(node, SegmentCondition)
    return f"member of {node.key}" if values[0] else f"not a member of {node.key}"


def _shown(value: object) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
