"""The schema's own request checks as one strawberry extension.

strawberry makes every schema extension anew for each request and wraps each hook of each one in a context manager
of its own; five extensions of one hook each cost a context lookup more than the checks themselves did
(docs/performance.md). Here the checks run in the order the five ran in: the introspection switch when the operation
starts, the parsed-document cache, then before validation the depth, cost and batch limits, the text check and the
cached validation, each skipped once an earlier one has refused the request."""

from __future__ import annotations

from collections.abc import Iterator

from graphcdp.api.caches import SmallParserCache, validate_small_document
from graphcdp.api.limits import forbid_introspection_if_configured, refuse_over_limits
from graphcdp.api.text_arguments import refuse_bad_text


class RequestChecks(SmallParserCache):
    def on_operation(self) -> Iterator[None]:
        forbid_introspection_if_configured(self.execution_context)
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        refuse_over_limits(context)
        refuse_bad_text(context)
        validate_small_document(context)
        yield  # refused already, or a large document: strawberry validates it
