"""What a record offers to compare: cleaned values per field, from its traits and its identifiers."""

from __future__ import annotations

import functools
import itertools
import json
import re
import threading
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from graphcdp.identity.matching.birth_dates import read_birth_date
from graphcdp.identity.matching.spec import BUILTIN_FIELDS

# Field → its values (most have one; a record with two emails has two email local parts). Empty: unknown.
Features = dict[str, tuple[str, ...]]
# Not a field: the whole emails the email local parts come from, so that a pair's scorer can leave out an email
# both records carry (graphcdp/identity/matching/scoring.py).
EMAILS = "@emails"

# A stored record's features by its content hash (of its traits), its linking identifiers (one may be blocked since),
# the fields asked for and whether a record without traits has none: the same records are candidates of batch after
# batch (a common name's block) and are planned again by every batch that touches their person. Least recently used
# last out: when it is full, the half used longest ago goes. About 1 kB an entry; at 100,000 people a records batch
# meets 40,000 candidates, and 2**17 entries kept 86 % of the next batches' (2**16, all dropped when full: 31 %).
_STORED: dict[tuple[str, tuple[str, ...], tuple[str, ...], bool], Features] = {}
STORED_KEPT = 2**17
# A batch's plan runs in a worker thread beside the event loop's matching (graphcdp/identity/pieces.py), and both
# recall and keep: dropping the oldest half while another thread took one failed ("dictionary changed size").
_STORED_LOCK = threading.Lock()


_APOSTROPHES = re.compile("['\u2019`\u00b4]")  # O'Connor, O\u2019Connor, O`Connor, O\u00b4Connor
_NOT_WORD = re.compile(r"[^0-9a-z]+")


def clean(value: Any) -> str:
    """Case, accents and punctuation do not make two values differ: "St. John" → "st john", "O'Connor" →
    "oconnor", "Müller" → "muller"."""
    return _clean_text(str(value))


@functools.lru_cache(maxsize=2**16)
def _clean_text(value: str) -> str:
    # Names, cities and streets repeat across records and candidates: most values were cleaned before.
    text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii").casefold()
    return _NOT_WORD.sub(" ", _APOSTROPHES.sub("", text)).strip()


def _trait(traits: Mapping[str, Any], path: str) -> Any:
    value: Any = traits
    for part in path.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def unshared(field: str, a: Features, b: Features) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The values of `field` (emailLocal or phone) of two records, without those of an identifier both carry.
    Records that carry the same identifier and are still apart were kept apart by identity resolution (a type
    limit, or traits naming different people: a household's email); counting it again as agreement would undo
    that. What is left (another email of the same local part, a phone one digit off) is evidence as usual."""
    if field == "phone":
        mine, theirs = a.get(field, ()), b.get(field, ())
        if not mine or not theirs or set(mine).isdisjoint(theirs):  # most pairs: nothing to leave out
            return mine, theirs
        both = set(mine) & set(theirs)
        return tuple(v for v in mine if v not in both), tuple(v for v in theirs if v not in both)
    emails_a, emails_b = a.get(EMAILS, ()), b.get(EMAILS, ())
    if not emails_a or not emails_b or set(emails_a).isdisjoint(emails_b):
        return a.get(field, ()), b.get(field, ())
    both = set(emails_a) & set(emails_b)

    def local_parts(features: Features) -> tuple[str, ...]:
        return tuple(sorted({clean(e.rsplit("@", 1)[0]) for e in features.get(EMAILS, ()) if e not in both} - {""}))

    return local_parts(a), local_parts(b)


def record_features(traits: Mapping[str, Any], identifier_keys: Iterable[str], fields: Iterable[str]) -> Features:
    keys = sorted(identifier_keys)
    features: Features = {}
    for field in fields:
        if field == "emailLocal":
            emails = [k.split(":", 1)[1] for k in keys if k.startswith("email:")]
            values = [email.rsplit("@", 1)[0] for email in emails]
            if emails:
                features[EMAILS] = tuple(sorted(emails))
        elif field == "phone":
            values = [k.split(":", 1)[1] for k in keys if k.startswith("phone:")]
        elif field == "birthDate":
            raw = _trait(traits, field)
            read = read_birth_date(str(raw)) if isinstance(raw, str | int) and not isinstance(raw, bool) else None
            values = [read.value] if read is not None and read.value else []  # as input read it
        else:
            raw = _trait(traits, field)
            values = [raw] if raw is not None and not isinstance(raw, Mapping | list) else []
        if field == "birthDate":
            cleaned = tuple(sorted(set(values)))
        elif field in BUILTIN_FIELDS:
            cleaned = tuple(sorted({c for c in map(clean, values) if c}))
        else:  # a declared trait (a national id): only its letters and digits count
            cleaned = tuple(sorted({c.replace(" ", "") for c in map(clean, values) if c}))
        if cleaned:
            features[field] = cleaned
    return features


def stored_features(
    content_hash: str | None,
    traits: str | Mapping[str, Any],
    identifier_keys: Iterable[str],
    fields: tuple[str, ...],
    *,
    none_without_traits: bool = False,
) -> Features:
    """A stored record's features (`traits` as stored, JSON, or decoded), computed once per content: found by its
    content hash when computed before. `none_without_traits`: a record without traits has none (matching's
    candidates). Callers only read them."""
    identifiers = tuple(sorted(identifier_keys))
    key = (content_hash, identifiers, fields, none_without_traits) if content_hash else None
    if key is not None and (known := _recall(key)) is not None:
        return known
    decoded = json.loads(traits) if isinstance(traits, str) else traits
    features = {} if none_without_traits and not decoded else record_features(decoded, identifiers, fields)
    if key is not None:
        _keep(key, features)
    return features


def _keep(key: tuple[str, tuple[str, ...], tuple[str, ...], bool], features: Features) -> None:
    with _STORED_LOCK:
        if len(_STORED) >= STORED_KEPT:
            for oldest in list(itertools.islice(_STORED, STORED_KEPT // 2)):
                del _STORED[oldest]
        _STORED[key] = features


def _recall(key: tuple[str, tuple[str, ...], tuple[str, ...], bool]) -> Features | None:
    with _STORED_LOCK:
        found = _STORED.pop(key, None)
        if found is not None:
            _STORED[key] = found  # used now: last in the order, last to go
        return found
