"""How deep and how costly an operation is, measured on its document before anything runs.

One pass over the document, each fragment measured once (a fragment spread twice is not walked twice), so the
measure is linear in the document's size: a fragment bomb (each fragment spreading the previous one twice) is
measured in microseconds and refused by its cost, where walking every spread would take longer than the universe.

The measure is syntactic, the arguments read from the document or the request's variables:
  - depth: strawberry's (a field with a selection adds one; introspection fields add nothing, their cost counts);
  - cost: every field counts 1 plus its selection, times its multiplier: `first` (a page, 20 when not given),
    `touchpoints` of `context` (a page), the number of items of a `records` or `touchpoints` list, and
    `identityGraph`'s `depth` times GRAPH_STEP_COST (each step may reach many nodes);
  - batch items: the items of every `records` and `touchpoints` list of the operation together, so that several
    aliased `upsertRecords` cannot pass GRAPHCDP_MAX_BATCH_SIZE between them (one call alone is refused by its
    resolver, with the argument's name).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValueNode,
    VariableNode,
)

DEFAULT_PAGE = 20  # the largest default `first` of the schema's connections
GRAPH_STEP_COST = 10  # identityGraph: one step of depth weighs as much as ten fields
_BATCH_ARGUMENTS = ("records", "touchpoints")
_CONNECTIONS = ("journey", "searchPersons", "reviewQueue", "auditTrail")


@dataclass(frozen=True)
class Measure:
    depth: int
    cost: int
    batch_items: int
    batch_calls: int  # fields given a `records` or `touchpoints` list


@dataclass(frozen=True)
class OperationMeasure:
    name: str  # "anonymous" without one
    node: OperationDefinitionNode
    measure: Measure


_NOTHING = Measure(0, 0, 0, 0)


class _Measurer:
    def __init__(self, document: DocumentNode, variables: Mapping[str, Any]) -> None:
        self.fragments = {
            definition.name.value: definition
            for definition in document.definitions
            if isinstance(definition, FragmentDefinitionNode)
        }
        self.variables = variables
        self.read: set[str] = set()  # the variables the measure read
        self.memo: dict[str, Measure] = {}
        self.in_progress: set[str] = set()  # a fragment cycle (refused by validation) counts nothing

    def selection_set(self, selection_set: SelectionSetNode | None) -> Measure:
        depth = cost = items = calls = 0
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                part = self.field(selection)
            elif isinstance(selection, InlineFragmentNode):
                part = self.selection_set(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                part = self.fragment(selection.name.value)
            else:  # pragma: no cover - graphql-core has no other selection
                continue
            depth, cost, items = max(depth, part.depth), cost + part.cost, items + part.batch_items
            calls += part.batch_calls
        return Measure(depth, cost, items, calls)

    def fragment(self, name: str) -> Measure:
        if name in self.memo:
            return self.memo[name]
        definition = self.fragments.get(name)
        if definition is None or name in self.in_progress:
            return _NOTHING
        self.in_progress.add(name)
        measured = self.selection_set(definition.selection_set)
        self.in_progress.discard(name)
        self.memo[name] = measured
        return measured

    def field(self, node: FieldNode) -> Measure:
        name = node.name.value
        inner = self.selection_set(node.selection_set)
        depth = inner.depth + 1 if node.selection_set and not name.startswith("__") else 0
        multiplier, items, calls = 1, 0, 0
        for argument in node.arguments or ():
            value = self.value(argument.value)
            argument_name = argument.name.value
            if argument_name in _BATCH_ARGUMENTS and isinstance(value, Sequence) and not isinstance(value, str):
                items += len(value)
                calls += 1
                multiplier *= max(1, len(value))
            elif argument_name in ("first", "touchpoints") and _is_int(value):
                multiplier *= max(1, value)
            elif name == "identityGraph" and argument_name == "depth" and _is_int(value):
                multiplier *= GRAPH_STEP_COST * max(1, value)
        given = {argument.name.value for argument in node.arguments or ()}
        if name == "identityGraph" and "depth" not in given:
            multiplier *= GRAPH_STEP_COST * 2  # its default depth
        if name in _CONNECTIONS and "first" not in given:
            multiplier *= DEFAULT_PAGE
        cost = multiplier * (1 + inner.cost)
        return Measure(depth, cost, items + inner.batch_items, calls + inner.batch_calls)

    def value(self, node: ValueNode) -> Any:
        if isinstance(node, VariableNode):
            self.read.add(node.name.value)
            return self.variables.get(node.name.value)
        if isinstance(node, IntValueNode):
            try:
                return int(node.value)
            except ValueError:  # too many digits: validation refuses it
                return None
        if isinstance(node, ListValueNode):
            return node.values
        return None


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def variable_shape(value: Any) -> tuple[str, int] | None:
    """All that the measure reads of a variable's value: a list's length, or an integer; None: nothing."""
    if isinstance(value, Sequence) and not isinstance(value, str):
        return "items", len(value)
    return ("int", value) if _is_int(value) else None


def measure(document: DocumentNode, variables: Mapping[str, Any] | None) -> list[OperationMeasure]:
    """Each operation of the document, measured (fragments once each, whatever the number of spreads)."""
    return measure_reading(document, variables)[0]


def measure_reading(
    document: DocumentNode, variables: Mapping[str, Any] | None
) -> tuple[list[OperationMeasure], frozenset[str]]:
    """`measure`, and the names of the variables it read: the same for every request with this document, and
    the measure depends on nothing else of them than their `variable_shape`."""
    measurer = _Measurer(document, variables if isinstance(variables, Mapping) else {})
    measures = [
        OperationMeasure(
            definition.name.value if definition.name else "anonymous",
            definition,
            measurer.selection_set(definition.selection_set),
        )
        for definition in document.definitions
        if isinstance(definition, OperationDefinitionNode)
    ]
    return measures, frozenset(measurer.read)
