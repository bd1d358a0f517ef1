"""Nicknames: "Bob" and "Robert" agree at the nickname level. The table is the `nicknames` package's (about
1,100 English names, Apache-2.0), plus the small table that ships here (nicknames.csv: name,nickname)."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

from nicknames import NickNamer

EXTRA_TABLE = Path(__file__).with_name("nicknames.csv")


class Nicknames:
    def __init__(self, extra: Path = EXTRA_TABLE) -> None:
        self._namer = NickNamer()
        self._extra: dict[str, set[str]] = {}
        with extra.open(encoding="utf-8", newline="") as table:
            for row in csv.DictReader(table):
                name, nickname = row["name"].strip().casefold(), row["nickname"].strip().casefold()
                self._extra.setdefault(nickname, set()).add(name)

    def groups(self, name: str) -> frozenset[str]:
        """The formal names a name may stand for, itself included."""
        return frozenset({name} | self._namer.canonicals_of(name) | self._extra.get(name, set()))

    def agree(self, a: str, b: str) -> bool:
        return bool(self.groups(a) & self.groups(b))


@cache
def shipped_nicknames() -> Nicknames:
    return Nicknames()
