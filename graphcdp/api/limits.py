"""Query depth limit and the introspection switch, read from the settings of the running service
(GRAPHCDP_MAX_QUERY_DEPTH, GRAPHCDP_INTROSPECTION)."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from graphql import ASTValidationRule, GraphQLError, NoSchemaIntrospectionCustomRule, ValidationContext
from strawberry.extensions import SchemaExtension
from strawberry.extensions.query_depth_limiter import create_validator

from graphcdp.errors import ErrorCode


@lru_cache(maxsize=8)
def _depth_rule(max_depth: int) -> type[ASTValidationRule]:
    checks_depth = create_validator(max_depth, should_ignore=None)

    class DepthRule(checks_depth):  # type: ignore[misc, valid-type]
        """strawberry's depth rule, its errors coded QUERY_TOO_DEEP (it measures while it is built)."""

        def __init__(self, context: ValidationContext) -> None:
            report = context.on_error

            def coded(error: GraphQLError) -> None:
                error.extensions = {**(error.extensions or {}), "code": ErrorCode.QUERY_TOO_DEEP.value}
                report(error)

            context.on_error = coded  # type: ignore[method-assign]
            try:
                super().__init__(context)
            finally:
                context.on_error = report  # type: ignore[method-assign]

    return DepthRule


class ConfiguredDepthLimit(SchemaExtension):
    """Refuses, before anything runs, a query nested deeper than the service allows.

    strawberry's QueryDepthLimiter takes its limit when the schema is built; this one takes it from the
    request's settings, so one schema serves services configured differently (and the tests)."""

    def on_operation(self) -> Iterator[None]:
        settings = self.execution_context.context.settings
        self.execution_context.validation_rules = (
            *self.execution_context.validation_rules,
            _depth_rule(settings.max_query_depth),
        )
        yield


class ConfiguredIntrospection(SchemaExtension):
    """With GRAPHCDP_INTROSPECTION=false, a document asking for `__schema` or `__type` is refused before it runs
    (GRAPHQL_VALIDATION_FAILED); `__typename` stays allowed."""

    def on_operation(self) -> Iterator[None]:
        if not self.execution_context.context.settings.introspection:
            self.execution_context.validation_rules = (
                *self.execution_context.validation_rules,
                NoSchemaIntrospectionCustomRule,
            )
        yield
