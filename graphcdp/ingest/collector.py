"""Python's cyclic garbage collector while a bulk import runs.

A batch of 5,000 records builds hundreds of thousands of objects that live for seconds (the component read, the
plan, the statements' parameters). At the collector's default thresholds (700, 10, 10) they survive the young
collections, reach the oldest generation, and make it collect again and again: each full collection walks every
object alive, batch and caches alike. In `graphcdp bench ingest` at 10,000 people, 175 full collections took 51 s
of a 245 s run (docs/performance.md, "The collector during a bulk import"). An import's objects are freed by
reference counting as each batch ends; the few cycles among them are collected once the import is done.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

# A young collection every 100,000 allocations (not 700), the middle generation after 50 of those, the oldest after
# 100 of those: a full collection at most every 500 million allocations while imports run.
BULK_THRESHOLDS = (100_000, 50, 100)


class _BulkWork:
    """How many imports run in this process, and the thresholds to give back when the last one ends."""

    running = 0
    before: tuple[int, int, int] = gc.get_threshold()


@contextmanager
def collector_for_bulk_work() -> Iterator[None]:
    """The collector's thresholds raised while the block runs; the defaults back, and the cycles left collected,
    once the last such block of the process ends."""
    if _BulkWork.running == 0:
        _BulkWork.before = gc.get_threshold()
        gc.set_threshold(*BULK_THRESHOLDS)
    _BulkWork.running += 1
    try:
        yield
    finally:
        _BulkWork.running -= 1
        if _BulkWork.running == 0:
            gc.set_threshold(*_BulkWork.before)
            gc.collect()
