"""Which segments a change to a person can touch: those whose conditions read a kind of data that changed
(`Dependency`), a golden trait key that changed, or an identifier type she gained or lost. The segments built
on those are added by the caller (`with_dependents`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from graphcdp.segments.definition import Dependency, Reads


@dataclass(frozen=True)
class Need:
    """What changed about one person, as far as segments read it."""

    kinds: frozenset[Dependency] = frozenset()  # every segment reading one of these
    trait_keys: frozenset[str] = frozenset()
    identifier_types: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.kinds or self.trait_keys or self.identifier_types)

    def __or__(self, other: Need) -> Need:
        return Need(
            self.kinds | other.kinds,
            self.trait_keys | other.trait_keys,
            self.identifier_types | other.identifier_types,
        )


def reached(reads: Mapping[str, Reads], need: Need) -> tuple[str, ...]:
    """The keys of the segments (by what each reads) that `need` can change, sorted."""
    return tuple(
        sorted(
            key
            for key, r in reads.items()
            if r.touches & need.kinds or r.trait_keys & need.trait_keys or r.identifier_types & need.identifier_types
        )
    )
