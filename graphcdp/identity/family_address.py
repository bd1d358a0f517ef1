"""Whether an email address names a family rather than one of the people who use it.

A personal address is usually made of its holder's name: her first name (or a nickname of it) somewhere in the
local part (anna.miller, millera.b, annam), or her initial beside her surname (amiller, miller.a). A household's
address names the family: the surname without any of its users' first names (themillers, millerfamily). Such
an address is evidence that its record is one of the household's people, not which one; a record that names
no one (a newsletter sign-up with the address alone) cannot be placed by it, even when only one member has
been seen using it so far.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from graphcdp.identity.matching.features import clean
from graphcdp.identity.matching.nicknames import shipped_nicknames

# Shorter names and surnames turn up inside unrelated words too often to say anything (Al, Ed, Li, Ng).
MIN_NAME_LETTERS = 3
_NOT_LETTER = re.compile(r"[^a-z]+")


@dataclass(frozen=True)
class Carrier:
    """The name a record that carries the address gives (cleaned: lower case, letters only)."""

    first: str
    last: str

    @classmethod
    def of(cls, first: object, last: object) -> Carrier:
        return cls(_letters(first), _letters(last))


def names_a_family(email: str, carriers: Sequence[Carrier]) -> bool:
    """True when the address's local part holds the surname of the records that carry it and names none of them
    as a person; False when it names one of them, or there is no surname to tell. The carriers are read together:
    an app record gives a first name only, the shop's record the surname as well."""
    local = _letters(email.rsplit("@", 1)[0])
    surnames = {c.last for c in carriers if len(c.last) >= MIN_NAME_LETTERS and c.last in local}
    return bool(surnames) and not _names_person(local, surnames, [c.first for c in carriers if c.first])


def _names_person(local: str, surnames: set[str], first_names: list[str]) -> bool:
    """Whether the local part holds one of the first names (or a nickname or formal name of one), or is an
    initial of one beside a surname (amiller, millera)."""
    nicknames = shipped_nicknames()
    names = {variant for first in first_names for variant in {first} | nicknames.variants(first)}
    if any(len(name) >= MIN_NAME_LETTERS and name in local for name in names):
        return True
    initials = {name[0] for name in names if name}
    return any(local in (initial + last, last + initial) for initial in initials for last in surnames)


def _letters(value: object) -> str:
    return _NOT_LETTER.sub("", clean(value)) if isinstance(value, str) else ""
