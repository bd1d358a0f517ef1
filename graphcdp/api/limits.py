"""Query depth, cost and batch limits and the introspection switch, read from the settings of the running service
(GRAPHCDP_MAX_QUERY_DEPTH, GRAPHCDP_MAX_QUERY_COST, GRAPHCDP_MAX_BATCH_SIZE, GRAPHCDP_INTROSPECTION)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import DocumentNode, GraphQLError, Node, NoSchemaIntrospectionCustomRule
from strawberry.types import ExecutionContext

from graphcdp.api.caches import DocumentMemo
from graphcdp.api.cost import OperationMeasure, measure_reading, variable_shape
from graphcdp.errors import ErrorCode
from graphcdp.settings import Settings


def refuse_over_limits(context: ExecutionContext) -> None:
    """Refuses, before validation and before anything runs, an operation nested deeper than
    GRAPHCDP_MAX_QUERY_DEPTH (QUERY_TOO_DEEP), costlier than GRAPHCDP_MAX_QUERY_COST (QUERY_TOO_COSTLY, with the
    cost and the limit in the message), or with more batch items in all its `records` and `touchpoints` lists
    together than GRAPHCDP_MAX_BATCH_SIZE (BATCH_TOO_LARGE). The measure (graphcdp/api/cost.py) is linear in the
    document's size; the limits are read from the request's settings, so one schema serves services configured
    differently (and the tests). A check of graphcdp/api/request_checks.py."""
    if context.graphql_document is not None and context.pre_execution_errors is None:
        measures = _measured(context.graphql_document, context.variables, context.query)
        refusals = list(_refusals(measures, context.context.settings))
        if refusals:
            context.pre_execution_errors = refusals


@dataclass
class _Measures:
    """One document's measures, by the shape of the variables the measure reads (the same for every request)."""

    read: tuple[str, ...] | None = None  # None: not measured yet
    by_shape: dict[tuple[tuple[str, int] | None, ...], list[OperationMeasure]] = field(default_factory=dict)


_SHAPES_PER_DOCUMENT = 64  # page sizes and batch lengths differ between requests: a few dozen are kept
_MEASURES: DocumentMemo[_Measures] = DocumentMemo(lambda _document: _Measures())


def _measured(document: DocumentNode, variables: Any, query: str | None) -> list[OperationMeasure]:
    """The document's measures with these variables, measured once per document and shape of its variables."""
    given: Mapping[str, Any] = variables if isinstance(variables, Mapping) else {}
    memo = _MEASURES.get(document, query)
    if memo.read is not None:
        shape = tuple(variable_shape(given.get(name)) for name in memo.read)
        if (found := memo.by_shape.get(shape)) is not None:
            return found
    measures, read = measure_reading(document, given)
    memo.read = tuple(sorted(read))
    if len(memo.by_shape) >= _SHAPES_PER_DOCUMENT:
        memo.by_shape.clear()
    memo.by_shape[tuple(variable_shape(given.get(name)) for name in memo.read)] = measures
    return measures


def _refusals(measures: list[OperationMeasure], settings: Settings) -> Iterator[GraphQLError]:
    for operation in measures:
        found = operation.measure
        if found.depth > settings.max_query_depth:
            message = f"'{operation.name}' exceeds maximum operation depth of {settings.max_query_depth}"
            yield _coded(message, operation.node, ErrorCode.QUERY_TOO_DEEP)
        elif found.batch_calls > 1 and found.batch_items > settings.max_batch_size:
            message = (
                f"{found.batch_items} records and touchpoints in one request; the limit is {settings.max_batch_size} "
                "(GRAPHCDP_MAX_BATCH_SIZE), for all the calls of an operation together"
            )
            yield _coded(message, operation.node, ErrorCode.BATCH_TOO_LARGE)
        elif found.cost > settings.max_query_cost:
            cost = str(found.cost) if found.cost < 10**15 else f"more than {10**15}"
            message = f"'{operation.name}' costs {cost}; the limit is {settings.max_query_cost}"
            yield _coded(message, operation.node, ErrorCode.QUERY_TOO_COSTLY)


def _coded(message: str, node: Node, code: ErrorCode) -> GraphQLError:
    return GraphQLError(message, [node], extensions={"code": code.value})


def forbid_introspection_if_configured(context: ExecutionContext) -> None:
    """With GRAPHCDP_INTROSPECTION=false, a document asking for `__schema` or `__type` is refused before it runs
    (GRAPHQL_VALIDATION_FAILED); `__typename` stays allowed. A check of graphcdp/api/request_checks.py."""
    if not context.context.settings.introspection:
        context.validation_rules = (*context.validation_rules, NoSchemaIntrospectionCustomRule)
