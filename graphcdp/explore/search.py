"""Person search by name, email or phone fragment, for support agents and chatbots.

Candidates come from a full-text index on `Person.search`, a text that identity resolution writes with
every person (`person_name` and `search_text` below, called from the resolver): the person's name,
the words of its emails and every digit suffix of its phones, lower-cased and without accents. Both
databases then see the same plain words, whatever their tokenizers do with `@`, `.` or `+`, and an
infix of a phone number ("5112345" in "+4915112345678") is a prefix of one of those suffixes. Every
query term must match a word of that text, as a prefix or within a small edit distance; the persons of
identifiers equal to the query are always candidates. The candidates are then ranked here with
rapidfuzz. See docs/search.md.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, utils

from graphcdp.errors import ErrorCode, GraphCDPError
from graphcdp.identity.normalize import IdentifierError, IdentifierPolicy
from graphcdp.identity.search_text import fold, words
from graphcdp.model.explore import PersonHit, SearchCandidate, SearchHit, SearchPage
from graphcdp.model.identity import Person
from graphcdp.settings import IdentifierKind
from graphcdp.store import GraphStore, statement

SEARCH_PERSONS = statement("explore/search_persons", SearchCandidate)
PERSONS_BY_IDS = statement("explore/persons_by_ids", Person)

MIN_QUERY_LENGTH = 2
MAX_QUERY_LENGTH = 200
MAX_TERMS = 8  # a query of more words is not a fragment any more; it also bounds the full-text query
# Ranked candidates per query. Fixed (not derived from the page asked for) so every page of one query
# ranks the same candidates: pages never overlap or skip. Results beyond it are not reachable.
CANDIDATE_LIMIT = 500
MIN_PHONE_SUFFIX = 4  # shorter digit fragments match too many numbers to be worth indexing
SEARCHABLE_KINDS: frozenset[IdentifierKind] = frozenset({"email", "phone"})

# A fuzzy match on an identifier ranks a little below an equally close name: "lovelase" most likely
# means the person called Lovelace, not someone whose email merely resembles it.
IDENTIFIER_FRAGMENT_WEIGHT = 0.95

_WORD = re.compile(r"[^\W_]+")  # letters and digits, any script
_LETTERS_OR_DIGITS = re.compile(r"[^\W\d_]+|\d+")
_PHONE_LIKE = re.compile(r"[\d\s+().\-/]+")
_NON_DIGIT = re.compile(r"\D")


class SearchQueryError(GraphCDPError):
    code = ErrorCode.INVALID_SEARCH_QUERY


# --- the search ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchQuery:
    text: str  # folded, trimmed
    words: list[str]
    digits: str  # the digits of a phone-like query ("+49 151 …"), else ""
    terms: list[dict[str, Any]]  # full-text terms: {text, fuzz}
    exact_keys: frozenset[str]  # identifier keys equal to the query, in any identifier type it parses as


def _fuzz(term: str) -> int:
    """Edits a term may be off by: none for numbers and short words, then as most search engines do."""
    if term.isdigit() or len(term) <= 3:
        return 0
    return 1 if len(term) <= 6 else 2


class PersonSearch:
    def __init__(self, store: GraphStore, policy: IdentifierPolicy) -> None:
        self.store = store
        self.policy = policy
        self.kinds: dict[str, IdentifierKind] = {
            name: type_.kind for name, type_ in policy.types.items() if type_.kind in SEARCHABLE_KINDS
        }

    def parse(self, query: str) -> SearchQuery:
        stripped = query.strip()
        if len(stripped) < MIN_QUERY_LENGTH:
            raise SearchQueryError(f"must be at least {MIN_QUERY_LENGTH} characters (after trimming spaces)")
        if len(stripped) > MAX_QUERY_LENGTH:
            raise SearchQueryError(f"must be at most {MAX_QUERY_LENGTH} characters")
        digits = ""
        if _PHONE_LIKE.fullmatch(stripped) and len(_NON_DIGIT.sub("", stripped)) >= MIN_QUERY_LENGTH:
            # A phone number as people type it: one digit string; leading zeros (trunk or international
            # prefix, "0151…", "0049…") dropped, so it is a prefix of one of the indexed digit suffixes.
            digits = _NON_DIGIT.sub("", stripped)
            query_words = [digits.lstrip("0") or digits]
        else:
            query_words = words(stripped)
        terms = [w for w in dict.fromkeys(query_words) if len(w) >= MIN_QUERY_LENGTH][:MAX_TERMS]
        if not terms:
            raise SearchQueryError(f"needs a word of at least {MIN_QUERY_LENGTH} letters or digits")
        return SearchQuery(
            text=" ".join(fold(stripped).split()),
            words=words(stripped),
            digits=digits,
            terms=[{"text": term, "fuzz": _fuzz(term)} for term in terms],
            exact_keys=frozenset(self._exact_keys(stripped)),
        )

    def _exact_keys(self, query: str) -> list[str]:
        keys = []
        for type_name in self.kinds:
            try:
                identifier = self.policy.normalize(type_name, query)
            except IdentifierError:
                continue  # not an email / phone: then it is a fragment only
            if not identifier.blocked:
                keys.append(identifier.key)
        return keys

    async def rank(self, query: str) -> list[SearchHit]:
        """Every candidate of the query, best first; ties go by person id so pages are stable."""
        parsed = self.parse(query)
        rows = await self.store.run(
            SEARCH_PERSONS,
            {
                "terms": parsed.terms,
                "limit": CANDIDATE_LIMIT,
                "exactKeys": sorted(parsed.exact_keys),
                "types": sorted(self.kinds),
            },
        )
        candidates = {row.id: row for row in rows}  # a person from both branches counts once
        scored = [(*self._score(parsed, row), person_id) for person_id, row in candidates.items()]
        scored.sort(key=lambda s: (-s[0], s[2]))
        return [
            SearchHit(person_id=person_id, score=round(score, 2), matched_on=matched_on, position=position)
            for position, (score, matched_on, person_id) in enumerate(scored)
        ]

    async def search(self, query: str, first: int, offset: int = 0) -> SearchPage:
        """One page of ranked results: `first` hits from position `offset`, with their full persons."""
        ranked = await self.rank(query)
        page = ranked[offset : offset + first]
        persons = await self._persons([hit.person_id for hit in page])
        hits = [
            PersonHit(person=persons[hit.person_id], score=hit.score, matched_on=hit.matched_on, position=hit.position)
            for hit in page
            if hit.person_id in persons  # merged away since the ranking read it: skipped, not an error
        ]
        # The page ends where the ranking said, even if its last person was merged away meanwhile.
        end = page[-1].position if page else None
        return SearchPage(hits=hits, has_next=len(ranked) > offset + first, end_position=end)

    async def _persons(self, ids: Sequence[str]) -> dict[str, Person]:
        if not ids:
            return {}
        return {person.id: person for person in await self.store.run(PERSONS_BY_IDS, {"ids": list(ids)})}

    def _score(self, query: SearchQuery, candidate: SearchCandidate) -> tuple[float, str]:
        """The best match of the query on the person's name, emails and phones, and what it was."""
        best: tuple[float, int, str] = (0.0, 0, "")  # (score, preference on ties, matched on)
        if candidate.name:
            best = max(best, (_text_score(query, candidate.name), 1, "name"))
        for identifier in candidate.identifiers:
            key = f"{identifier.type}:{identifier.value}"
            if key in query.exact_keys:
                best = max(best, (100.0, 2, key))
                continue
            best = max(best, (self._identifier_score(query, identifier.type, identifier.value), 0, key))
        return best[0], best[2]

    def _identifier_score(self, query: SearchQuery, type_name: str, value: str) -> float:
        """A fragment of the value ("ada.love" starts "ada.lovelace@…", "0151 1234…" lies inside
        "+49151 1234…"): its start beats its inside, and the more of the value it covers the better,
        below the 100 of an equal value; anything else is a fuzzy match."""
        if self.kinds.get(type_name) == "phone":
            forms = [(query.digits.lstrip("0"), _NON_DIGIT.sub("", value))]
        else:  # as typed, then without separators within the local part ("adalove" for "ada.lovelace@…")
            local = value.split("@", 1)[0]
            forms = [(query.text.replace(" ", ""), fold(value)), ("".join(query.words), "".join(words(local)))]
        for fragment, whole in forms:
            if fragment and whole and fragment in whole:
                coverage = len(fragment) / len(whole)
                return (90.0 if whole.startswith(fragment) else 85.0) + 9.0 * coverage
        return _text_score(query, value) * IDENTIFIER_FRAGMENT_WEIGHT


def _text_score(query: SearchQuery, text: str) -> float:
    """Half rapidfuzz's WRatio of the whole strings, half how well each query word meets a word of the
    text (equal, then prefix, then edit similarity), so "ada" ranks "Ada Lovelace" above "Adam Smith"."""
    folded = fold(text)
    whole = fuzz.WRatio(query.text, folded, processor=utils.default_process)
    targets = _WORD.findall(folded)
    if not query.words or not targets:
        return float(whole)
    per_word = [max(_word_score(word, target) for target in targets) for word in query.words]
    return (whole + sum(per_word) / len(per_word)) / 2


def _word_score(word: str, target: str) -> float:
    if word == target:
        return 100.0
    if target.startswith(word):
        return 80.0 + 20.0 * len(word) / len(target)
    return float(fuzz.ratio(word, target))
