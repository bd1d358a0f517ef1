"""Nicknames: "Bob" and "Robert" agree at the nickname level. The table is the `nicknames` package's (about
1,100 English names, Apache-2.0), plus the small table that ships here (nicknames.csv: name,nickname)."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

from nicknames import NickNamer
from rapidfuzz.distance import DamerauLevenshtein

EXTRA_TABLE = Path(__file__).with_name("nicknames.csv")
MIN_TYPO_LETTERS = 4
NAMES_KEPT = 1 << 16  # names whose variants are kept; a name is any text an input sends, so the memory is bounded


class Nicknames:
    def __init__(self, extra: Path = EXTRA_TABLE) -> None:
        self._namer = NickNamer()
        self._formal: dict[str, set[str]] = {}  # nickname → formal names (the shipped table)
        self._nick: dict[str, set[str]] = {}  # formal name → nicknames
        self._variants: dict[str, frozenset[str]] = {}
        self._nicknames_of: dict[str, frozenset[str]] = {}
        self._formals_of: dict[str, frozenset[str]] = {}
        with extra.open(encoding="utf-8", newline="") as table:
            for row in csv.DictReader(table):
                name, nickname = row["name"].strip().casefold(), row["nickname"].strip().casefold()
                self._formal.setdefault(nickname, set()).add(name)
                self._nick.setdefault(name, set()).add(nickname)

    def _nicknames(self, name: str) -> frozenset[str]:
        # Kept per name: the package normalizes and copies a set on every lookup, and the scorer asks for the
        # same few thousand first names for every candidate pair.
        if (found := self._nicknames_of.get(name)) is None:
            _bound(self._nicknames_of)
            found = self._nicknames_of[name] = frozenset(self._namer.nicknames_of(name) | self._nick.get(name, set()))
        return found

    def _formals(self, name: str) -> frozenset[str]:
        if (found := self._formals_of.get(name)) is None:
            _bound(self._formals_of)
            found = self._formals_of[name] = frozenset(self._namer.canonicals_of(name) | self._formal.get(name, set()))
        return found

    def variants(self, name: str) -> frozenset[str]:
        """The nicknames and formal names of a name (lower case): Jenny's are Jennifer, Jen, ...; Jennifer's are
        Jenny, Jen, ..."""
        if name not in self._variants:
            _bound(self._variants)
            self._variants[name] = frozenset(self._nicknames(name) | self._formals(name))
        return self._variants[name]

    def agree_with_typos(self, a: str, b: str, typos: int) -> bool:
        """One name is within `typos` keystrokes of a nickname or formal name of the other (Mragaret, Maggie via
        Margaret; Bully, William via Billy). Names shorter than MIN_TYPO_LETTERS are left out: among names of
        two or three letters one keystroke reaches too many others (Nan, a nickname of Ann, is one from Dan)."""
        if len(a) < MIN_TYPO_LETTERS or len(b) < MIN_TYPO_LETTERS:
            return False
        return any(
            len(variant) >= MIN_TYPO_LETTERS and DamerauLevenshtein.distance(name, variant, score_cutoff=typos) <= typos
            for name, other in ((a, b), (b, a))
            for variant in self.variants(other)
        )

    def agree(self, a: str, b: str) -> bool:
        """One is a nickname of the other (Bob, Robert), or both are nicknames of one formal name (Bob, Rob).
        The package lists some pairs both ways (Bill has nickname Robert, Robert has nickname Bill), so a
        shared formal name that is also a nickname of either side does not count: Robert and William both
        "have" Bill, and are still two names."""
        if b in self._nicknames(a) or a in self._nicknames(b):
            return True
        shared = self._formals(a) & self._formals(b)
        return bool(shared - self._nicknames(a) - self._nicknames(b))


def _bound(kept: dict[str, frozenset[str]]) -> None:
    if len(kept) >= NAMES_KEPT:
        kept.clear()


@cache
def shipped_nicknames() -> Nicknames:
    return Nicknames()
