"""Strings the store cannot take, refused before anything runs (issue 17).

The FalkorDB client sends statement parameters as text, which a NUL breaks, and an unpaired surrogate cannot be
encoded at all: either in an argument used to fail its statement (QUERY_ERROR, logged at ERROR). Every string of
an argument, whether a literal of the document, a variable's value (object keys included) or a variable's
default, is checked once per request; the first bad one refuses the request with INVALID_TEXT and the path of the
argument in `extensions.argument` (`record.source`, `explainLink.b.value`, `$query`), never the value itself.

Batch items are not checked here: `upsertRecords(records:)` and `trackTouchpoints(touchpoints:)` refuse a bad
item on its own with its per-item INVALID_TEXT and store the rest (graphcdp/model/inputs.py), and so does a
variable used only there. A GraphQL string literal cannot hold an unpaired surrogate (the parser refuses its
escape) nor a raw one (the body is refused, graphcdp/api/request_body.py); a variable can hold both."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import (
    SKIP,
    ArgumentNode,
    DirectiveNode,
    DocumentNode,
    FieldNode,
    GraphQLError,
    ListValueNode,
    Node,
    ObjectValueNode,
    StringValueNode,
    VariableDefinitionNode,
    VariableNode,
    Visitor,
    visit,
)
from strawberry.types import ExecutionContext

from graphcdp.api.caches import DocumentMemo
from graphcdp.errors import ErrorCode

# The arguments whose items are refused one by one (each item's error in the payload, the rest stored).
BATCH_ARGUMENTS = frozenset({("upsertRecords", "records"), ("trackTouchpoints", "touchpoints")})


def refuse_bad_text(context: ExecutionContext) -> None:
    """Refuses, before validation, a request with a NUL or an unpaired surrogate in a string argument. A check of
    graphcdp/api/request_checks.py."""
    if context.graphql_document is not None and context.pre_execution_errors is None:
        refusal = bad_text(context.graphql_document, context.variables, context.query)
        if refusal is not None:
            context.pre_execution_errors = [refusal]


def bad_text(document: DocumentNode, variables: Any, query: str | None = None) -> GraphQLError | None:
    """The refusal of the first string argument the store cannot take, or None when there is none. What the
    document alone says is learnt once per document parsed from `query` (graphcdp/api/caches.py)."""
    arguments = _ARGUMENTS.get(document, query)
    if arguments.bad_literal is not None:
        return _refusal(*arguments.bad_literal)
    given = variables if isinstance(variables, dict) else {}  # anything else: variable coercion refuses it
    for name in (*given, *(name for name in arguments.defaults if name not in given)):
        if name in arguments.in_batch and name not in arguments.elsewhere:
            continue
        where = _bad_json(given[name], f"${name}") if name in given else _bad_default(arguments.defaults[name], name)
        if where is not None:
            return _refusal(where, None)
    return None


def _bad_default(default: Node | None, name: str) -> str | None:
    strings = _strings(default, f"${name}") if default is not None else iter(())
    return next((at for at, node in strings if isinstance(node, StringValueNode) and _unstorable(node.value)), None)


def _arguments(document: DocumentNode) -> _Arguments:
    arguments = _Arguments()
    visit(document, arguments)
    arguments.bad_literal = next(((at, node) for at, node in arguments.literals if _unstorable(node.value)), None)
    return arguments


class _Arguments(Visitor):
    """Collects the string literals of every argument outside batch items, the variables' defaults, and which
    variables are used in a batch argument or elsewhere."""

    def __init__(self) -> None:
        super().__init__()
        self.literals: list[tuple[str, StringValueNode]] = []
        self.defaults: dict[str, Node | None] = {}
        self.in_batch: set[str] = set()
        self.elsewhere: set[str] = set()
        self.bad_literal: tuple[str, StringValueNode] | None = None  # the first literal the store cannot take

    def enter_variable_definition(self, node: VariableDefinitionNode, *_: Any) -> Any:
        self.defaults[node.variable.name.value] = node.default_value
        return SKIP

    def enter_argument(self, node: ArgumentNode, _key: Any, _parent: Any, _path: Any, ancestors: Any) -> Any:
        owner = next(
            (
                ("@" if isinstance(ancestor, DirectiveNode) else "") + ancestor.name.value
                for ancestor in reversed(ancestors)
                if isinstance(ancestor, (FieldNode, DirectiveNode))
            ),
            "",
        )
        in_batch = (owner, node.name.value) in BATCH_ARGUMENTS
        for where, value in _strings(node.value, f"{owner}.{node.name.value}"):
            if isinstance(value, VariableNode):
                (self.in_batch if in_batch else self.elsewhere).add(value.name.value)
            elif not in_batch:
                self.literals.append((where, value))
        return SKIP


def _strings(value: Node, where: str) -> Iterator[tuple[str, Any]]:
    """The string literals and variables in a value of the document, with their paths (iteratively)."""
    stack: list[tuple[Node, str]] = [(value, where)]
    while stack:
        node, at = stack.pop()
        if isinstance(node, (StringValueNode, VariableNode)):
            yield at, node
        elif isinstance(node, ListValueNode):
            stack.extend((item, f"{at}.{index}") for index, item in enumerate(node.values))
        elif isinstance(node, ObjectValueNode):
            stack.extend((field.value, f"{at}.{field.name.value}") for field in node.fields)


def _bad_json(value: Any, where: str) -> str | None:
    """The path of the first string (or object key) in a variable's JSON value the store cannot take."""
    stack: list[tuple[Any, str]] = [(value, where)]
    while stack:
        current, at = stack.pop()
        if isinstance(current, str):
            if _unstorable(current):
                return at
        elif isinstance(current, dict):
            if any(_unstorable(key) for key in current):
                return at
            stack.extend((item, f"{at}.{key}") for key, item in current.items())
        elif isinstance(current, list):
            stack.extend((item, f"{at}.{index}") for index, item in enumerate(current))
    return None


def _unstorable(text: str) -> bool:
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _refusal(where: str, node: Node | None) -> GraphQLError:
    message = f"{where}: holds a NUL or an unpaired surrogate, which the service does not accept"
    return GraphQLError(
        message,
        [node] if node is not None else None,
        extensions={"code": ErrorCode.INVALID_TEXT.value, "argument": where},
    )


_ARGUMENTS: DocumentMemo[_Arguments] = DocumentMemo(_arguments)
