"""The searchable text of a person, written by identity resolution and read by person search
(graphcdp/explore/search.py, docs/search.md): name words, email words and phone digit suffixes."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from graphcdp.settings import IdentifierKind

MIN_PHONE_SUFFIX = 4  # shorter digit fragments match too many numbers to be worth indexing
_WORD = re.compile(r"[^\W_]+")  # letters and digits, any script
_LETTERS_OR_DIGITS = re.compile(r"[^\W\d_]+|\d+")
_NON_DIGIT = re.compile(r"\D")


def fold(text: str) -> str:
    """Lower-cased, without accents: "Zoë MÜLLER" → "zoe muller", as both indexes will see it."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def person_name(traits: Mapping[str, Any]) -> str | None:
    """The name a person is found by: "first last" from the golden traits, plus a `name` trait."""
    parts = [str(traits[key]).strip() for key in ("firstName", "lastName") if _filled(traits.get(key))]
    first_last = " ".join(parts)
    full = " ".join(str(traits["name"]).split()) if _filled(traits.get("name")) else ""
    if full and full.casefold() != first_last.casefold():
        parts.append(full)
    name = " ".join(" ".join(parts).split()).lower()
    return name or None


def _filled(value: Any) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool) and str(value).strip() != ""


def _email_words(email: str) -> list[str]:
    local = email.split("@", 1)[0]
    found = words(email)
    found += [part for word in found for part in _LETTERS_OR_DIGITS.findall(word)]  # "ada1815" → ada, 1815
    joined = "".join(words(local))
    if joined:
        found.append(joined)  # "ada.lovelace" is also found as "adalove…"
    return found


def _phone_suffixes(phone: str) -> list[str]:
    digits = _NON_DIGIT.sub("", phone)
    return [digits[start:] for start in range(len(digits) - MIN_PHONE_SUFFIX + 1)] or ([digits] if digits else [])


def search_text(name: str | None, identifiers: Iterable[tuple[IdentifierKind, str]]) -> str:
    """The words a person's full-text index entry holds: name words, email words (and the local part
    without separators), and every digit suffix of each phone so that any infix is a prefix."""
    found = words(name or "")
    for kind, value in identifiers:
        if kind == "email":
            found += _email_words(value)
        elif kind == "phone":
            found += _phone_suffixes(value)
    return " ".join(dict.fromkeys(found))  # de-duplicated, first occurrence order
