"""Parsed and validated documents reused, for small documents only.

Frontends send the same few queries over and over: those are parsed and validated once. strawberry's caches keep
every document whatever its size (eight different 3 MB queries held 2 GB); these keep only documents of at most
CACHED_DOCUMENT_CHARS characters and parse or validate a larger one every time it comes."""

from __future__ import annotations

from collections.abc import Iterator

from strawberry.extensions import ParserCache, ValidationCache

CACHED_DOCUMENT_CHARS = 16 * 1024
CACHED_DOCUMENTS = 512


def _small(query: str | None) -> bool:
    return query is not None and len(query) <= CACHED_DOCUMENT_CHARS


class SmallParserCache(ParserCache):
    def __init__(self) -> None:
        super().__init__(maxsize=CACHED_DOCUMENTS)

    def on_parse(self) -> Iterator[None]:
        if _small(self.execution_context.query):
            yield from super().on_parse()
        else:
            yield  # strawberry parses it


class SmallValidationCache(ValidationCache):
    """Validates a small document through the cache, unless an earlier extension has refused it already."""

    def __init__(self) -> None:
        super().__init__(maxsize=CACHED_DOCUMENTS)

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if context.pre_execution_errors is None and _small(context.query):
            yield from super().on_validate()
        else:
            yield  # refused already, or strawberry validates it
