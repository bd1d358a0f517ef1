"""The collector and the objects a service process keeps for its whole life."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

OLDEST_GENERATION = len(gc.get_threshold()) - 1  # collecting it is a full collection
# At most this often a full collection walks every object, the frozen ones too (SurvivorsFrozen).
COMPLETE_EVERY_SECONDS = 600.0


@contextmanager
def startup_objects_frozen() -> Iterator[None]:
    """Move what start-up made (modules, the schema, statements, caches) out of the collector's generations while
    the process serves, and after that what each full collection leaves (SurvivorsFrozen). A full collection
    walked all of it: 40 to 64 ms each on a 100,000-people service, a stall some single upserts met
    (docs/performance.md). Requests' objects are collected as before."""
    gc.collect()
    gc.freeze()
    survivors = SurvivorsFrozen()
    survivors.install()
    try:
        yield
    finally:
        survivors.remove()
        gc.unfreeze()


class SurvivorsFrozen:
    """Freezes what a full collection leaves, so the next one walks only the objects made since.

    With start-up frozen, a full collection still walked every object that outlived the requests since: modules
    and their models imported on first use, caches' containers. On the 100,000-people benchmark service that was
    about 50,000 objects and 41 to 80 ms per full collection, one every 10 to 20 s at one client
    (docs/performance.md, "Where a single upsert's tail goes"). Reference counting still frees a frozen object
    that is no longer used; only a cycle among frozen objects that dies later escapes the collections, so at most
    every `complete_every` seconds one full collection thaws everything first and walks it all."""

    def __init__(
        self, complete_every: float = COMPLETE_EVERY_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.complete_every = complete_every
        self.clock = clock
        self.last_complete = clock()

    def install(self) -> None:
        gc.callbacks.append(self._on_collection)

    def remove(self) -> None:
        if self._on_collection in gc.callbacks:
            gc.callbacks.remove(self._on_collection)

    def _on_collection(self, phase: str, info: dict[str, Any]) -> None:
        if info["generation"] != OLDEST_GENERATION:
            return  # a young collection: nothing frozen is walked
        if phase == "start":
            if self.clock() - self.last_complete >= self.complete_every:
                gc.unfreeze()  # this collection walks everything, and collects the cycles that died frozen
                self.last_complete = self.clock()
        else:
            gc.freeze()
