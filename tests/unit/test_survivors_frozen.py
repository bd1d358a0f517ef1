"""While the app serves, what a full collection leaves is frozen, so the next one walks only what was made since; a
complete collection now and then still reclaims the cycles that died frozen (graphcdp/api/memory.py)."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from graphcdp.api.memory import SurvivorsFrozen


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Node:
    """A tracked object that can sit in a cycle."""

    def __init__(self) -> None:
        self.other: Node | None = None


@pytest.fixture
def clock() -> Iterator[Clock]:
    assert gc.get_freeze_count() == 0
    yield Clock()
    gc.unfreeze()


def _installed(clock: Clock) -> SurvivorsFrozen:
    survivors = SurvivorsFrozen(complete_every=600.0, clock=clock)
    survivors.install()
    return survivors


def test_a_full_collection_freezes_what_it_leaves(clock: Clock) -> None:
    survivors = _installed(clock)
    try:
        kept = [Node() for _ in range(2_000)]
        gc.collect()
        frozen = gc.get_freeze_count()
        gc.collect(1)  # a young collection freezes nothing more
        assert gc.get_freeze_count() == frozen
    finally:
        survivors.remove()
    assert frozen >= len(kept)
    walked = {id(o) for o in gc.get_objects()}
    assert not any(id(node) in walked for node in kept)


def test_a_cycle_that_died_frozen_goes_at_the_next_complete_collection(clock: Clock) -> None:
    survivors = _installed(clock)
    try:
        a, b = Node(), Node()
        a.other, b.other = b, a
        alive = weakref.ref(a)
        gc.collect()  # the cycle is alive: frozen
        del a, b
        gc.collect()
        assert alive() is not None  # died frozen: a full collection does not walk it

        clock.now = 600.0
        gc.collect()  # the first full collection after `complete_every` walks everything
        assert alive() is None
        clock.now = 700.0
        gc.collect()
    finally:
        survivors.remove()
    assert survivors.last_complete == 600.0
    assert gc.get_freeze_count() > 0  # frozen again after the complete collection


def test_removed_it_freezes_nothing(clock: Clock) -> None:
    _installed(clock).remove()
    kept = [Node() for _ in range(100)]
    gc.collect()
    assert gc.get_freeze_count() == 0
    assert kept
