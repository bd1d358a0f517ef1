"""The review queue: pairs that scored between the review and auto thresholds wait for a person to decide.
Accepting links them (a reviewed MATCHED edge); rejecting records a cannot-link that keeps them apart for
good, across re-ingests and rescoring."""

from __future__ import annotations

import base64
import binascii
import json

from graphcdp.errors import GraphCDPError
from graphcdp.identity.matching.matcher import RANK_SCALE
from graphcdp.identity.resolver import ResolutionRules, now_ms, resolve
from graphcdp.model.matching import MatchDecided, RankedEntries, ReviewItem, ReviewQueueEntry
from graphcdp.store import GraphStore, statement

__all__ = ["MatchNotFoundError", "ReviewItem", "decide", "pair_id", "rank_stored_entries", "review_page"]

REVIEW_QUEUE = statement("matching/review_queue", ReviewQueueEntry)
RANK_REVIEW_QUEUE = statement("matching/rank_review_queue", RankedEntries)
DECIDE_MATCH = statement("matching/decide_match", MatchDecided)

# The queue is read a window of ranks at a time, each twice as wide as the one before, until a page is full:
# the first window is about 13 entries wide in a queue of 92,000 at 100k people; an almost empty queue takes
# some 14 small reads to cross; reading it whole took 0.6 s a page.
FIRST_WINDOW = 1 << 26
QUEUE_END = RANK_SCALE + 1


class MatchNotFoundError(GraphCDPError):
    code = "MATCH_NOT_FOUND"


def pair_id(a: str, b: str) -> str:
    """An opaque id of a record pair (record keys may hold any character, so no separator would do)."""
    first, second = sorted((a, b))
    return base64.urlsafe_b64encode(json.dumps([first, second]).encode()).decode()


def parse_pair_id(value: str) -> tuple[str, str]:
    try:
        pair = json.loads(base64.urlsafe_b64decode(value.encode()))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        pair = None
    if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(k, str) for k in pair)):
        raise MatchNotFoundError(f"{value!r} is not a match id this API gave out")
    return pair[0], pair[1]


async def review_page(store: GraphStore, first: int, after: str | None) -> tuple[list[ReviewItem], bool]:
    """Up to `first` pairs after the position `after` (an item's `order`), and whether more follow."""
    rows: list[ReviewQueueEntry] = []
    low, width = _rank_of(after), FIRST_WINDOW
    while len(rows) <= first and low < QUEUE_END:
        high = min(low + width, QUEUE_END)
        params = {"after": after or "", "fromRank": low, "toRank": high, "first": first + 1 - len(rows)}
        rows += await store.run(REVIEW_QUEUE, params)
        low, width = high, 2 * width
    items = [
        ReviewItem(
            id=pair_id(row.a, row.b),
            a=row.a,
            b=row.b,
            score=row.score,
            weight=row.weight,
            explanation=row.detail,
            rule=row.rule or "",
            at=row.at or 0,
            person_a=row.person_a,
            person_b=row.person_b,
            order=row.id,
            traits_a=row.traits_a,
            traits_b=row.traits_b,
        )
        for row in rows
    ]
    return items[:first], len(items) > first


def _rank_of(position: str | None) -> int:
    """The rank a queue position starts with (review_order), so reading resumes in its window."""
    head = (position or "")[:13]
    return int(head) if len(head) == 13 and head.isdigit() else 0


async def rank_stored_entries(store: GraphStore) -> int:
    """Rank the queue entries a graphcdp before ranks stored; how many there were."""
    rows = await store.run(RANK_REVIEW_QUEUE, {})
    return rows[0].ranked if rows else 0


async def decide(store: GraphStore, rules: ResolutionRules, match_id: str, accept: bool) -> list[str]:
    """Apply a reviewer's decision and re-resolve both records; the persons of the two afterwards."""
    a, b = parse_pair_id(match_id)
    rows = await store.run(DECIDE_MATCH, {"a": a, "b": b, "accept": accept, "now": now_ms()})
    if not rows:
        raise MatchNotFoundError(f"no records {a!r} and {b!r}: they were deleted")
    plan = await resolve(store, rules, record_keys=[a, b])
    return sorted({plan.person_of_record[a], plan.person_of_record[b]})
