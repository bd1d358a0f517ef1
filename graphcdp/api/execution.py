"""graphql-core's execution context without its reference cycle, so that a request's objects are freed as soon as
it is answered.

graphql-core gives each execution context helpers bound to the context itself (`async_helpers`): a cycle, and
through the context (its `context_value`) everything the request read hangs on that cycle: about 220 objects a
context lookup, freed only by the cyclic collector, whose full collections walked all of them (docs/performance.md,
"Context lookup"). Here the helpers reach the context through a weak reference; nothing else changes."""

from __future__ import annotations

import weakref
from asyncio import Future
from collections.abc import Awaitable, Sequence
from typing import Any

from graphql.type.definition import GraphQLResolveInfoHelpers
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

# Work a context settles in the background after it answered (graphql-core keeps it on the context alone, which
# the cycle used to keep alive): held here until it is done, so that no pending task loses its last reference.
_SETTLING: set[Future[Any]] = set()


class AcyclicExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def settle_in_background(self, awaitables: list[Awaitable[Any]]) -> None:
        super().settle_in_background(awaitables)
        for future in self.background_futures - _SETTLING:
            _SETTLING.add(future)
            future.add_done_callback(_SETTLING.discard)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        this = weakref.ref(self)

        def alive() -> AcyclicExecutionContext:
            context = this()
            if context is None:  # pragma: no cover - its fields run only while it executes them
                raise RuntimeError("the execution this field belongs to is over")
            return context

        def gather(values: Sequence[Awaitable[Any]]) -> Awaitable[list[Any]]:
            return alive().gather_async_work(values)

        def track(values: Sequence[Awaitable[Any]]) -> None:
            alive().track_async_work(values)

        self.async_helpers = GraphQLResolveInfoHelpers(gather=gather, track=track)
