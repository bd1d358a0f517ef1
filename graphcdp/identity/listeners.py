"""Who must hear that persons changed: after each mutation, the services tell the listeners (the segments'
maintenance) which persons it touched and what kind of data changed, before the mutation returns, so a
read after a write sees everything derived from it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from graphcdp.identity.reach import Reach


class ChangedData(StrEnum):
    """What a mutation can change about a person."""

    EVIDENCE = "evidence"  # records, identifiers, and with them who is who (merges, splits): anything
    TOUCHPOINTS = "touchpoints"
    CONSENT = "consent"


@dataclass(frozen=True)
class PersonsChanged:
    persons: frozenset[str]  # the persons after the change (survivors of merges, both sides of splits)
    retired: frozenset[str]  # persons merged away or emptied by it: members of nothing any more
    kinds: frozenset[ChangedData]
    # What the EVIDENCE change did to each of `persons` when a resolution knows it (graphcdp/identity/reach.py):
    # a person absent from it had nothing a listener reads changed by the evidence. None: anything may have.
    reach: Mapping[str, Reach] | None = None


class ChangeListener(Protocol):
    async def persons_changed(self, change: PersonsChanged) -> None: ...


class PersonChanges:
    """The listeners of person changes; services call `changed` once per mutation."""

    def __init__(self) -> None:
        self._listeners: list[ChangeListener] = []

    def subscribe(self, listener: ChangeListener) -> None:
        self._listeners.append(listener)

    def unsubscribe(self, listener: ChangeListener) -> None:
        self._listeners.remove(listener)

    @property
    def subscribed(self) -> tuple[ChangeListener, ...]:
        return tuple(self._listeners)

    async def changed(
        self,
        persons: Iterable[str],
        kinds: Iterable[ChangedData],
        retired: Iterable[str] = (),
        reach: Mapping[str, Reach] | None = None,
    ) -> None:
        change = PersonsChanged(frozenset(p for p in persons if p), frozenset(retired), frozenset(kinds), reach)
        if not change.persons and not change.retired:
            return
        for listener in self._listeners:
            await listener.persons_changed(change)
