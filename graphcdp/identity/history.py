"""What a person's history records of a resolution: it was created (maybe split from others), others merged
into it or split from it, a link was refused, a match joined records of different persons; and, for a person
that no longer holds evidence, that it merged into another or was emptied. The planner
(graphcdp/identity/planner.py) decides which happened; graphcdp/identity/commit.py stores them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from graphcdp.identity.clustering import Rejection
from graphcdp.identity.linking import MatchDecision


class EventKind(StrEnum):
    CREATED = "created"
    MERGED_FROM = "merged_from"
    SPLIT_INTO = "split_into"
    REJECTED_LINK = "rejected_link"
    MATCHED = "matched"
    MERGED_INTO = "merged_into"
    EMPTIED = "emptied"


@dataclass(frozen=True)
class HistoryEvent:
    kind: EventKind
    at: int
    detail: Mapping[str, Any] = field(default_factory=dict)


def person_events(
    at: int,
    *,
    created: bool,
    split_from: Sequence[str],
    merged_from: Sequence[str],
    split_into: Sequence[str],
    rejected: Sequence[Rejection],
    matches: Sequence[MatchDecision],
) -> list[HistoryEvent]:
    """The events of a person that stays, in the order they are told."""
    events = []
    if created:
        events.append(HistoryEvent(EventKind.CREATED, at, {"splitFrom": list(split_from)} if split_from else {}))
    if merged_from:
        events.append(HistoryEvent(EventKind.MERGED_FROM, at, {"persons": list(merged_from)}))
    if split_into:
        events.append(HistoryEvent(EventKind.SPLIT_INTO, at, {"persons": list(split_into)}))
    events += [_rejected_link(at, rejection) for rejection in rejected]
    events += [_matched(at, match) for match in matches]
    return events


def retirement_event(at: int, into: str | None) -> HistoryEvent:
    """The last event of a person that holds no evidence any more."""
    return HistoryEvent(EventKind.MERGED_INTO, at, {"person": into}) if into else HistoryEvent(EventKind.EMPTIED, at)


def _rejected_link(at: int, rejection: Rejection) -> HistoryEvent:
    detail = {"record": rejection.record, "identifier": rejection.identifier, "reason": rejection.reason}
    return HistoryEvent(EventKind.REJECTED_LINK, at, detail)


def _matched(at: int, match: MatchDecision) -> HistoryEvent:
    """Which rule and score joined what, when it changed who is who."""
    detail = {
        "records": [match.a, match.b],
        "score": round(match.score, 6),
        "rule": match.rule,
        "reviewed": match.reviewed,
    }
    return HistoryEvent(EventKind.MATCHED, at, detail)
