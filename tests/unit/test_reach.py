"""What a plan changed about each person, as segment maintenance reads it (graphcdp/identity/reach.py)."""

from __future__ import annotations

from graphcdp.identity.history import EventKind, HistoryEvent
from graphcdp.identity.planner import Move, Plan, Retirement
from graphcdp.identity.reach import Reach, plan_reach
from graphcdp.model.feed import ChangeEvent, ChangeKind


def test_created_merged_and_moved_persons_are_changed_whole() -> None:
    plan = Plan(
        now=1,
        created=["new"],
        retirements=[Retirement("gone", "survivor", HistoryEvent(EventKind.MERGED_INTO, 1))],
        identifier_moves=[Move("email:a@example.com", "giver", "taker")],
    )
    reach = plan_reach(plan)
    assert reach == {name: Reach(whole=True) for name in ("new", "survivor", "giver", "taker")}


def test_traits_and_identifiers_gained_from_no_person_are_named() -> None:
    plan = Plan(
        now=1,
        persons=["ada", "bob"],
        identifier_moves=[Move("cookie_id:ck-1", None, "ada")],
        changes=[
            ChangeEvent(ChangeKind.TRAITS_CHANGED, "ada", {"keys": ["address", "firstName"]}),
            ChangeEvent(ChangeKind.IDENTIFIERS_CHANGED, "ada", {"added": ["cookie_id"], "removed": []}),
        ],
    )
    assert plan_reach(plan) == {
        "ada": Reach(
            traits=frozenset({"address", "firstName"}),
            identifier_types=frozenset({"cookie_id"}),
            gained=frozenset({"cookie_id:ck-1"}),
        )
    }  # bob: nothing a segment reads changed
