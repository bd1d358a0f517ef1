"""Parsed and validated documents reused, for small documents only.

Frontends send the same few queries over and over: those are parsed and validated once. strawberry's caches keep
every document whatever its size (eight different 3 MB queries held 2 GB); these keep only documents of at most
CACHED_DOCUMENT_CHARS characters and parse or validate a larger one every time it comes.

What is learnt from a parsed document alone (its validation, what the request checks read of it) is kept per
document object (`DocumentMemo`): the parser cache hands the same object for the same text, and a document's own
hash walks its whole tree, which cost more than a context lookup's validation saved."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

from graphql import DocumentNode, GraphQLError, GraphQLSchema
from strawberry.extensions import ParserCache
from strawberry.schema.name_converter import NameConverter
from strawberry.schema.schema import validate_document
from strawberry.types import ExecutionContext

CACHED_DOCUMENT_CHARS = 16 * 1024
CACHED_DOCUMENTS = 512

T = TypeVar("T")


def small(query: str | None) -> bool:
    """A document small enough to be kept once parsed (and what is learnt from it)."""
    return query is not None and len(query) <= CACHED_DOCUMENT_CHARS


class DocumentMemo(Generic[T]):
    """What `compute` gives for a parsed document, for the CACHED_DOCUMENTS documents used last, by identity.
    An entry holds its document, so an id is not reused while its entry lives."""

    def __init__(self, compute: Callable[[DocumentNode], T], maxsize: int = CACHED_DOCUMENTS) -> None:
        self._compute = compute
        self._maxsize = maxsize
        self._entries: OrderedDict[int, tuple[DocumentNode, T]] = OrderedDict()

    def get(self, document: DocumentNode, query: str | None) -> T:
        """The value for `document`, parsed from `query`; a large document is computed each time, not kept."""
        if not small(query):
            return self._compute(document)
        key = id(document)
        entry = self._entries.get(key)
        if entry is not None and entry[0] is document:
            self._entries.move_to_end(key)
            return entry[1]
        value = self._compute(document)
        self._entries[key] = (document, value)
        if len(self._entries) > self._maxsize:
            self._entries.popitem(last=False)
        return value


class SmallParserCache(ParserCache):
    def __init__(self) -> None:
        super().__init__(maxsize=CACHED_DOCUMENTS)

    def on_parse(self) -> Iterator[None]:
        if small(self.execution_context.query):
            yield from super().on_parse()
        else:
            yield  # strawberry parses it


# Per document: its validation errors per (schema, rules); the rules differ with GRAPHCDP_INTROSPECTION.
_Validations = dict[tuple[int, tuple[Any, ...]], list[GraphQLError]]
_VALIDATED: DocumentMemo[_Validations] = DocumentMemo(lambda _document: {})


def validate_small_document(context: ExecutionContext) -> None:
    """Validates a small document once per schema and rules, unless an earlier check has refused it already; a
    large one is left to strawberry, which validates it after the checks (graphcdp/api/request_checks.py)."""
    document = context.graphql_document
    if context.pre_execution_errors is None and document is not None and small(context.query):
        schema: GraphQLSchema = context.schema._schema
        rules = tuple(context.validation_rules)
        validations = _VALIDATED.get(document, context.query)
        key = (id(schema), rules)
        if key not in validations:
            validations[key] = validate_document(schema, document, rules)
        context.pre_execution_errors = validations[key]


class CachedNameConverter(NameConverter):
    """strawberry converts every argument's Python name to its GraphQL name on every call of a field: once each."""

    def __init__(self) -> None:
        super().__init__()
        self._names: dict[tuple[bool, str], str] = {}

    def apply_naming_config(self, name: str) -> str:
        key = (self.auto_camel_case, name)
        converted = self._names.get(key)
        if converted is None:
            converted = self._names[key] = super().apply_naming_config(name)
        return converted
