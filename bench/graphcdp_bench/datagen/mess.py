"""The mess real customer data has: each corruption is a function of a seeded `random.Random`.

`Tally` decides, kind by kind, whether a corruption happens (at the configured rate) and counts both the
chances and the hits, so the manifest can say how much of each kind went into a data set.

Format variants (`email_variant`, `phone_variant`, `street_variant`, `name_case`) keep the identity of a
value: graphcdp normalizes them to the same key. Typos (`email_typo`, `name_typo`, `street_typo`) change
it: a mistyped email is a *different* identifier, which deterministic resolution must not link.
"""

from __future__ import annotations

import random
from collections.abc import Mapping

from graphcdp_bench.datagen import vocab


class Tally:
    """Rolls the dice for each kind of mess at its rate, and counts chances and hits."""

    __slots__ = ("chances", "hits", "rates", "rng")

    def __init__(self, rng: random.Random, rates: Mapping[str, float]) -> None:
        self.rng = rng
        self.rates = dict(rates)
        self.chances = dict.fromkeys(self.rates, 0)
        self.hits = dict.fromkeys(self.rates, 0)

    def roll(self, kind: str) -> bool:
        """Whether this chance of `kind` happens; counted either way."""
        self.chances[kind] += 1
        if self.rng.random() < self.rates[kind]:
            self.hits[kind] += 1
            return True
        return False


# --- emails ------------------------------------------------------------------------------------------------


def email_variant(rng: random.Random, email: str) -> str:
    """The same address as people and systems write it: case and surrounding whitespace vary."""
    local, domain = email.split("@")
    choice = rng.randrange(5)
    if choice == 0:
        return email.upper()
    if choice == 1:
        return f"{local.capitalize()}@{domain.upper()}"
    if choice == 2:
        return f"  {email} "
    if choice == 3:
        return f"{local.title()}@{domain}"
    return f"{local}@{domain.capitalize()}\t"


_TLD_TYPOS = {"com": ("con", "cm", "co", "comm"), "net": ("nte", "ne", "met"), "org": ("ogr", "or", "orgg")}


def email_typo(rng: random.Random, email: str) -> str:
    """A real typo: a different, still valid address. Digits are never touched, so a typo of one person's
    address (whose trailing number is unique) can never be another person's address."""
    local, domain = email.split("@")
    for _ in range(10):
        if rng.random() < 0.5:
            typo = f"{_letter_typo(rng, local)}@{domain}"
        else:
            labels = domain.split(".")
            if rng.random() < 0.5 and labels[-1] in _TLD_TYPOS:
                labels[-1] = rng.choice(_TLD_TYPOS[labels[-1]])
            else:
                position = rng.randrange(len(labels) - 1)
                labels[position] = _letter_typo(rng, labels[position])
            typo = f"{local}@{'.'.join(labels)}"
        if typo != email:
            return typo
    return f"{local}@{domain.replace('.', '', 1)}.com"  # "mail.example.com" -> "mailexample.com.com"


def _letter_typo(rng: random.Random, word: str) -> str:
    """Swap two neighbouring letters, drop one or double one (only letters; dots and digits stay)."""
    letters = [i for i, char in enumerate(word) if char.isalpha()]
    if len(letters) < 3:
        return word + word[letters[0]] if letters else word
    kind = rng.randrange(3)
    i = rng.choice(letters[:-1])
    if kind == 0 and word[i + 1].isalpha() and word[i] != word[i + 1]:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == 1:
        return word[:i] + word[i + 1 :] if (i > 0 and word[i - 1].isalpha()) or word[i + 1].isalpha() else word
    return word[:i] + word[i] + word[i:]


def ascii_letters(text: str) -> str:
    """A name as it goes into an email address: lower case, letters a-z only."""
    plain = text.lower().translate(_FOLD)
    return "".join(char for char in plain if "a" <= char <= "z")


_FOLD = str.maketrans("áàâäãåçéèêëíìîïñóòôöõúùûüýÿ", "aaaaaaceeeeiiiinooooouuuuyy")


# --- phones ------------------------------------------------------------------------------------------------

PHONE_FORMATS = (
    "({a}) {e}-{l}", "{a}-{e}-{l}", "+1 {a} {e} {l}", "{a}{e}{l}", "{a}.{e}.{l}", "1-{a}-{e}-{l}",
    "+1 ({a}) {e}-{l}", "+1-{a}-{e}-{l}", "({a}) {e} {l}", "1 {a} {e} {l}", "+1.{a}.{e}.{l}",
)  # fmt: skip


def phone_e164(phone: tuple[int, int, int]) -> str:
    area, exchange, line = phone
    return f"+1{area}{exchange}{line:04d}"


def phone_variant(rng: random.Random, phone: tuple[int, int, int]) -> str:
    """A US number as people type it: every variant normalizes to the same E.164 number."""
    area, exchange, line = phone
    return rng.choice(PHONE_FORMATS).format(a=area, e=exchange, l=f"{line:04d}")


# --- names -------------------------------------------------------------------------------------------------

# Neighbours on a QWERTY keyboard, for substitution typos.
_KEYBOARD = {
    "a": "qwsz", "b": "vghn", "c": "xdfv", "d": "serfcx", "e": "wsdr", "f": "drtgvc", "g": "ftyhbv", "h": "gyujnb",
    "i": "ujko", "j": "huikmn", "k": "jiolm", "l": "kop", "m": "njk", "n": "bhjm", "o": "iklp", "p": "ol",
    "q": "wa", "r": "edft", "s": "awedxz", "t": "rfgy", "u": "yhji", "v": "cfgb", "w": "qase", "x": "zsdc",
    "y": "tghu", "z": "asx",
}  # fmt: skip


def name_typo(rng: random.Random, name: str) -> str:
    """One slip of the keyboard: a swapped, dropped, doubled or neighbouring letter."""
    if len(name) < 3:
        return name + name[-1]
    i = rng.randrange(1, len(name) - 1)  # keep the first letter: people rarely get that wrong
    kind = rng.randrange(4)
    if kind == 0 and name[i] != name[i + 1]:
        return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    if kind == 1:
        return name[:i] + name[i + 1 :]
    if kind == 2:
        return name[:i] + name[i] + name[i:]
    neighbours = _KEYBOARD.get(name[i].lower())
    if not neighbours:
        return name[:i] + name[i] + name[i:]
    return name[:i] + rng.choice(neighbours) + name[i + 1 :]


def nickname(rng: random.Random, first: str) -> str | None:
    """A nickname the person goes by (Robert -> Bob), or None when the name has none."""
    options = vocab.NICKNAMES.get(first)
    return rng.choice(options) if options else None


def name_case(rng: random.Random, name: str) -> str:
    """How legacy systems store names: all upper case, all lower case."""
    return name.upper() if rng.random() < 0.7 else name.lower()


# --- addresses ---------------------------------------------------------------------------------------------

_ABBREVIATIONS = {full: short for full, short in vocab.STREET_TYPES}
_FULL_NAMES = {abbreviation: full for full, shorts in vocab.STREET_TYPES for abbreviation in shorts}


def street_variant(rng: random.Random, street: str) -> str:
    """The same street written another way: type abbreviated (Street -> St.), upper case, no unit comma."""
    words = street.replace(",", "").split(" ")
    for i, word in enumerate(words):
        if word in _ABBREVIATIONS:
            words[i] = rng.choice(_ABBREVIATIONS[word])
            break
        if word in _FULL_NAMES:
            words[i] = _FULL_NAMES[word]
            break
    written = " ".join(words)
    return written.upper() if rng.random() < 0.2 else written


def street_typo(rng: random.Random, street: str) -> str:
    """A typo in the street name (never in the house number)."""
    words = street.split(" ")
    candidates = [i for i, word in enumerate(words) if word.isalpha() and len(word) > 3]
    if not candidates:
        return street
    i = rng.choice(candidates)
    words[i] = name_typo(rng, words[i])
    return " ".join(words)


# --- junk --------------------------------------------------------------------------------------------------


def junk_email(rng: random.Random) -> str:
    """A placeholder typed instead of an email (on graphcdp's default blocklist)."""
    return rng.choice(vocab.JUNK_EMAILS)


def junk_phone(rng: random.Random) -> str:
    """A placeholder typed instead of a phone number (on graphcdp's default blocklist)."""
    return rng.choice(vocab.JUNK_PHONES)
