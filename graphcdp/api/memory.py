"""The collector and the objects a service process keeps for its whole life."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def startup_objects_frozen() -> Iterator[None]:
    """Move what start-up made (modules, the schema, statements, caches) out of the collector's generations while
    the process serves. A full collection walked all of it: 40 to 64 ms each on a 100,000-people service, a
    stall some single upserts met (docs/performance.md). Requests' objects are collected as before."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
