"""The one place errors become GraphQL errors, and are logged.

Resolvers let a GraphCDPError propagate. The schema hands every error of a response to `present` (strawberry calls
`Schema.process_errors` for parse, validation and execution errors alike), which sets `extensions.code` to an
`ErrorCode` and logs the error once: a request's mistake at INFO with its code and field path only (never an
input value), a service fault at ERROR with its traceback. A service fault's message is the catalogue's; an
unexpected exception becomes INTERNAL_ERROR: neither shows internals to the client.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from typing import Any, cast

import strawberry
from graphql import (
    BREAK,
    DocumentNode,
    FieldNode,
    GraphQLError,
    GraphQLSchema,
    GraphQLSyntaxError,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    visit,
)
from strawberry.types import ExecutionContext
from strawberry.types.enum import StrawberryEnumDefinition

from graphcdp.errors import ErrorCode, Fault, GraphCDPError

__all__ = ["ErrorCode", "Schema", "present"]

log = logging.getLogger(__name__)

# The catalogue as a GraphQL enum (strawberry.enum registers the class itself; import ErrorCode from here).
strawberry.enum(
    ErrorCode,
    name="ErrorCode",
    description="Why a request or an item was refused: the `code` of an ItemError, and `extensions.code` of every "
    "error in a GraphQL response. Codes are stable, messages are not: branch on the code.",
)
for _value in cast(StrawberryEnumDefinition, getattr(ErrorCode, "__strawberry_definition__")).values:  # noqa: B009
    _value.description = f"{ErrorCode[_value.name].meaning} When: {ErrorCode[_value.name].when}"

# An error about one argument is named after it ("identifier: email 'x' is not ...") when the failing field
# declares that argument: explainLink's identifiers are `a` and `b`, so its identifier errors carry no name.
_ARGUMENT_OF: dict[ErrorCode, tuple[str, ...]] = {
    ErrorCode.UNKNOWN_IDENTIFIER_TYPE: ("identifier",),
    ErrorCode.INVALID_EMAIL: ("identifier",),
    ErrorCode.INVALID_PHONE: ("identifier",),
    ErrorCode.INVALID_HASHED_EMAIL: ("identifier",),
    ErrorCode.INVALID_IDENTIFIER: ("identifier",),
    ErrorCode.INVALID_DEPTH: ("depth",),
    ErrorCode.INVALID_SEARCH_QUERY: ("query",),
    ErrorCode.BATCH_TOO_LARGE: ("records", "touchpoints"),
    ErrorCode.MATCH_NOT_FOUND: ("id",),
    ErrorCode.CONFIGURATION_ERROR: ("model",),  # setMatchingModel: the model is refused
    ErrorCode.CONSENT_IN_FUTURE: ("at",),
    ErrorCode.INVALID_SCOPE: ("scopes",),
    ErrorCode.INVALID_KEY_NAME: ("name",),
}


class Schema(strawberry.Schema):
    """strawberry's Schema, with every error of a response going through `present` (instead of strawberry's
    logging, which logs each one at ERROR with a traceback)."""

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        document = execution_context.graphql_document if execution_context else None
        for error in errors:
            present(error, self._schema, document)


def present(error: GraphQLError, schema: GraphQLSchema, document: DocumentNode | None) -> None:
    """Give the error its code and client-facing message (in place, as strawberry's own error processing does),
    and log it. Running it again on the same error (cached validation errors) changes nothing."""
    original = error.original_error
    where = ".".join(str(key) for key in error.path) if error.path else "request"
    if isinstance(original, GraphCDPError):
        code = original.code
        if code.fault is Fault.SERVICE:
            error.message = code.meaning  # the detail is in the log
        elif argument := _argument(error, code, schema, document):
            error.message = f"{argument}: {original.message}"
        else:
            error.message = original.message
    elif error.path is None and (original is None or isinstance(original, GraphQLError)):
        code = _request_error_code(error)  # the document or its variables: nothing ran
    else:  # an exception no one expected, or GraphQL refusing what a resolver returned: a defect
        code = ErrorCode.INTERNAL_ERROR
        error.message = code.meaning
    error.extensions = {**(error.extensions or {}), "code": code.value}
    if code.fault is Fault.REQUEST:
        log.info("GraphQL error %s at %s", code.value, where)
    else:
        crash = original if original is not None and not isinstance(original, GraphQLError) else None
        log.error("GraphQL error %s at %s", code.value, where, exc_info=crash)


def _request_error_code(error: GraphQLError) -> ErrorCode:
    if isinstance(error, GraphQLSyntaxError):
        return ErrorCode.GRAPHQL_PARSE_FAILED
    tagged = (error.extensions or {}).get("code")  # e.g. QUERY_TOO_DEEP, set by the rule that found it
    if isinstance(tagged, str) and tagged in ErrorCode.__members__:
        return ErrorCode[tagged]
    return ErrorCode.GRAPHQL_VALIDATION_FAILED


def _argument(error: GraphQLError, code: ErrorCode, schema: GraphQLSchema, document: DocumentNode | None) -> str:
    """The argument of the failing field that the error is about, or "" when it has none of them."""
    names = _ARGUMENT_OF.get(code)
    if not names or not error.nodes or document is None or not isinstance(error.nodes[0], FieldNode):
        return ""
    declared = _declared_arguments(schema, document, error.nodes[0])
    return next((name for name in names if name in declared), "")


def _declared_arguments(schema: GraphQLSchema, document: DocumentNode, field: FieldNode) -> Collection[str]:
    """The arguments the schema declares for `field` (a node of `document`), given or not."""
    type_info = TypeInfo(schema)
    found: list[str] = []

    class FindField(Visitor):
        def enter_field(self, node: FieldNode, *_: Any) -> Any:
            if node is not field:
                return None
            if definition := type_info.get_field_def():
                found.extend(definition.args)
            return BREAK

    visit(document, TypeInfoVisitor(type_info, FindField()))
    return found
