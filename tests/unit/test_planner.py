"""The resolution planner decides from a component alone (no database, no clock): which persons are kept,
created and retired, who moves, what the histories gain; and commit.py encodes exactly that."""

from __future__ import annotations

import json
import time
from typing import Any

from graphcdp.identity.commit import commit_params
from graphcdp.identity.component import Component, IdentifierState, PersonState, RecordState
from graphcdp.identity.history import EventKind, HistoryEvent
from graphcdp.identity.normalize import IdentifierPolicy
from graphcdp.identity.planner import IdentifierAsRead, Move, Plan, RecordAsRead, Retirement, plan
from graphcdp.identity.rules import ResolutionRules
from graphcdp.model.feed import ChangeKind

NOW = 5_000
RULES = ResolutionRules(
    policy=IdentifierPolicy(),
    source_priority=("crm",),
    shared_after_rejections=3,
    max_component_records=1000,
    retries=0,
)


def component(
    records: dict[str, tuple[str | None, list[str]]],
    identifiers: dict[str, str | None],
    persons: dict[str, int],
    blocked: frozenset[str] = frozenset(),
) -> Component:
    """records: key → (person, identifier keys); identifiers: key → person; persons: id → createdAt."""
    found = Component()
    for n, (key, (person, ids)) in enumerate(sorted(records.items())):
        found.records[key] = RecordState(
            key=key,
            source=key.split(":")[0],
            observed_at=1000 + n,
            traits={"firstName": key.title()},
            detached=False,
            version=1,
            degree=len(ids),
            identifiers=[i for i in ids if i not in blocked],
            content_hash=None,
            person=person,
        )
    for key, person in identifiers.items():
        holders = [r for r, (_, ids) in records.items() if key in ids]
        found.identifiers[key] = IdentifierState(key, key.split(":")[0], key in blocked, False, holders, person)
    found.persons = {p: PersonState(p, at, []) for p, at in persons.items()}
    return found


def ids(*names: str) -> Any:
    return iter(names).__next__


def test_two_persons_joined_by_an_identifier_keep_the_older_id() -> None:
    both = component(
        {"crm:1": ("p-old", ["email:a@x.com"]), "web:1": ("p-new", ["email:a@x.com", "customer_id:1"])},
        {"email:a@x.com": "p-old", "customer_id:1": "p-new"},
        {"p-old": 100, "p-new": 200},
    )
    result = plan(both, RULES, NOW)
    assert result.persons == ["p-old"]
    assert result.created == []
    assert result.retirements == [
        Retirement("p-new", "p-old", HistoryEvent(EventKind.MERGED_INTO, NOW, {"person": "p-old"}))
    ]
    assert result.retired == {"p-new": "p-old"}
    assert result.merged_into("p-old") == ["p-new"]
    assert result.person_of_record == {"crm:1": "p-old", "web:1": "p-old"}
    assert result.record_moves == [Move("web:1", "p-new", "p-old")]
    assert result.identifier_moves == [Move("customer_id:1", "p-new", "p-old")]
    [kept] = result.updates
    assert kept.events == [HistoryEvent(EventKind.MERGED_FROM, NOW, {"persons": ["p-new"]})]
    assert kept.traits == {"firstName": "Crm:1"}  # the older record of the preferred source wins


def test_a_new_record_gets_a_new_person() -> None:
    result = plan(
        component({"crm:1": (None, ["email:a@x.com"])}, {"email:a@x.com": None}, {}), RULES, NOW, new_id=ids("p1")
    )
    assert result.created == ["p1"]
    assert result.person_of_record == {"crm:1": "p1"}
    assert [u.events for u in result.updates] == [[HistoryEvent(EventKind.CREATED, NOW, {})]]
    assert result.record_moves == [Move("crm:1", None, "p1")]


def test_a_person_whose_records_no_longer_link_splits() -> None:
    """The email that held two records together is blocked now: the younger record's cluster gets a new id."""
    split = component(
        {"crm:1": ("p", ["email:a@x.com"]), "crm:2": ("p", ["email:a@x.com", "customer_id:1"])},
        {"email:a@x.com": "p", "customer_id:1": "p"},
        {"p": 100},
        blocked=frozenset({"email:a@x.com"}),
    )
    result = plan(split, RULES, NOW, new_id=ids("q"))
    assert result.persons == ["p", "q"]
    assert result.created == ["q"]
    events = {u.id: u.events for u in result.updates}
    assert events == {
        "p": [HistoryEvent(EventKind.SPLIT_INTO, NOW, {"persons": ["q"]})],
        "q": [HistoryEvent(EventKind.CREATED, NOW, {"splitFrom": ["p"]})],
    }
    assert result.retirements == []


def test_a_person_no_cluster_keeps_is_emptied() -> None:
    result = plan(component({}, {}, {}), RULES, NOW, extra_persons=["gone"])
    assert result.retirements == [Retirement("gone", None, HistoryEvent(EventKind.EMPTIED, NOW, {}))]


def test_the_plan_remembers_what_it_was_made_from() -> None:
    read = component({"crm:1": ("p", ["email:a@x.com"])}, {"email:a@x.com": "p"}, {"p": 100})
    result = plan(read, RULES, NOW)
    assert result.records_read == [RecordAsRead("crm:1", "p", 1, 1)]
    assert result.identifiers_read == [IdentifierAsRead("email:a@x.com", "p", 1)]
    assert result.resolved == ["crm:1"]


def test_the_commit_parameters_encode_the_plan() -> None:
    both = component(
        {"crm:1": ("p-old", ["email:a@x.com"]), "web:1": ("p-new", ["email:a@x.com"])},
        {"email:a@x.com": "p-old"},
        {"p-old": 100, "p-new": 200},
    )
    params = commit_params(plan(both, RULES, NOW))
    assert params == {
        "now": NOW,
        "checks": [
            {"record": "crm:1", "identifier": "", "person": "p-old", "degree": 1, "version": 1},
            {"record": "web:1", "identifier": "", "person": "p-new", "degree": 1, "version": 1},
            {"record": "", "identifier": "email:a@x.com", "person": "p-old", "degree": 2, "version": -1},
        ],
        "persons": [
            {
                "id": "p-old",
                "traits": '{"firstName": "Crm:1"}',
                "traitFacets": ["firstName=Crm:1"],  # what segment conditions look traits up by
                "rejections": [],
                "events": ['{"at": 5000, "kind": "merged_from", "persons": ["p-new"]}'],
                "recordCount": 2,
                "name": "crm:1",
                "search": "crm 1 a x com",  # its name, and the words of its email
            }
        ],
        "retired": [
            {"id": "p-new", "into": "p-old", "events": ['{"at": 5000, "kind": "merged_into", "person": "p-old"}']}
        ],
        "recordMoves": [{"key": "web:1", "old": "p-new", "person": "p-old"}],
        "identifierMoves": [],
        "flags": [],
        "resolved": ["crm:1", "web:1"],
        "changes": [  # the change feed's events, appended by the commit if and only if it commits
            {"kind": "MERGED", "personId": "p-old", "data": '{"from": "p-new", "into": "p-old"}'},
            {"kind": "TRAITS_CHANGED", "personId": "p-old", "data": '{"keys": ["firstName"]}'},
        ],
    }


def test_a_plan_that_changes_nothing_a_person_shows_has_no_change_events() -> None:
    read = component({"crm:1": ("p", ["email:a@x.com"])}, {"email:a@x.com": "p"}, {"p": 100})
    read.persons["p"].traits = {"firstName": "Crm:1"}  # as stored: what this plan computes again
    assert plan(read, RULES, NOW).changes == []
    read.persons["p"].traits = {"firstName": "Ada", "city": "London"}
    assert [(c.kind, c.data) for c in plan(read, RULES, NOW).changes] == [
        (ChangeKind.TRAITS_CHANGED, {"keys": ["city", "firstName"]})
    ]


def test_a_refused_link_is_told_once_and_counted_on_its_identifier() -> None:
    """crm:3 has customer id 1 and the email of customer 2: one person may hold one customer id, so the email
    link is refused; the person records the refusal and its history tells it, a plan of the same evidence
    again tells it no more."""
    two_customers = component(
        {
            "crm:1": (None, ["customer_id:1"]),
            "crm:2": (None, ["customer_id:2", "email:a@x.com"]),
            "crm:3": (None, ["email:a@x.com", "customer_id:1"]),
        },
        {"customer_id:1": None, "customer_id:2": None, "email:a@x.com": None},
        {},
    )
    first = plan(two_customers, RULES, NOW, new_id=ids("p1", "p2"))
    rejections = [r for u in first.updates for r in u.rejections]
    assert len(rejections) == 1
    told = [e for u in first.updates for e in u.events if e.kind == EventKind.REJECTED_LINK]
    assert [e.detail["record"] for e in told] == [rejections[0].record]
    assert [(f.key, f.rejections, f.shared) for f in first.shared_flags] == [(rejections[0].identifier, 1, False)]
    owner = next(u for u in first.updates if u.rejections)
    again = component(
        {k: (first.person_of_record[k], r.identifiers) for k, r in two_customers.records.items()},
        {k: next(u.id for u in first.updates if k in _identifiers_of(first, u.id)) for k in two_customers.identifiers},
        {u.id: 100 for u in first.updates},
    )
    again.persons[owner.id].rejections = [r.to_json() for r in owner.rejections]
    second = plan(again, RULES, NOW)
    assert [e for u in second.updates for e in u.events if e.kind == EventKind.REJECTED_LINK] == []
    assert [r for u in second.updates for r in u.rejections] == rejections


def test_identifiers_a_type_limit_refuses_get_no_person_of_their_own() -> None:
    """Issue 17, finding 3: a record of seven emails (limit 5) keeps five; the two refused ones stay the record's
    evidence, refused links of its person, but become no person: a person stands for records. One that an
    older plan gave a person of its own (before this rule) leaves it, and that person is emptied."""
    emails = [f"email:{n}@x.com" for n in range(7)]
    seven = component({"crm:1": (None, emails)}, {e: None for e in emails} | {emails[6]: "p-empty"}, {"p-empty": 50})
    result = plan(seven, RULES, NOW, new_id=ids("p1", "p2", "p3"))
    assert result.created == ["p1"]
    assert result.persons == ["p1"]
    assert result.person_of_record == {"crm:1": "p1"}
    refused = [r.identifier for r in result.rejections]
    assert refused == emails[5:]
    assert {m.key: m.person for m in result.identifier_moves} == {e: "p1" for e in emails[:5]} | {emails[6]: None}
    assert result.retirements == [Retirement("p-empty", None, HistoryEvent(EventKind.EMPTIED, NOW, {}))]
    [kept] = result.updates
    assert kept.records == ["crm:1"]
    assert [r.identifier for r in kept.rejections] == refused
    moves = commit_params(result)["identifierMoves"]
    assert {"key": emails[6], "old": "p-empty", "person": ""} in moves


def test_a_later_record_carrying_a_refused_identifier_alone_gets_a_person_with_it() -> None:
    """The refused email belongs to no person until a record links it: then it is that record's person's, not
    the person of the record it was refused from."""
    emails = [f"email:{n}@x.com" for n in range(6)]
    read = component(
        {"crm:1": (None, emails), "web:1": (None, [emails[5]])}, {e: None for e in emails}, {}
    )  # crm:1 observed first (component() numbers records in key order)
    result = plan(read, RULES, NOW, new_id=ids("p1", "p2"))
    assert result.person_of_record == {"crm:1": "p1", "web:1": "p2"}
    assert {m.key: m.person for m in result.identifier_moves}[emails[5]] == "p2"
    assert [r.identifier for r in result.rejections] == [emails[5]]


def _identifiers_of(result: Plan, person: str) -> set[str]:
    moved = {m.key: m.person for m in result.identifier_moves}
    return {k for k, p in moved.items() if p == person}


def test_history_events_are_stored_as_one_json_object() -> None:
    params = commit_params(plan(component({}, {}, {}), RULES, NOW, extra_persons=["gone"]))
    assert [json.loads(e) for e in params["retired"][0]["events"]] == [{"kind": "emptied", "at": NOW}]


def test_planning_grows_linearly_with_the_identifiers_a_type_limit_refuses() -> None:
    """Issue 17, finding 3: 1,000 records of 200 cookie ids blocked the service for over 10 minutes, because
    every person's update scanned every refused link of the batch: 100 such records (15,000 refusals, as many
    groups) took 10 s that way, 150 of them (22,500) take a few seconds now."""
    many = component({}, {}, {})
    for r in range(150):
        keys = [f"cookie_id:{r}-{n}" for n in range(200)]
        many.records[f"web:{r}"] = RecordState(f"web:{r}", "web", 1000 + r, {}, False, 1, 200, keys, None, None)
        for key in keys:
            many.identifiers[key] = IdentifierState(key, "cookie_id", False, False, [f"web:{r}"], None)
    started = time.monotonic()
    planned = plan(many, RULES, NOW, new_id=_numbered())
    elapsed = time.monotonic() - started
    assert len(planned.rejections) == 150 * 150  # a cookie_id limit of 50: each record keeps 50
    assert elapsed < 12, f"planning took {elapsed:.1f} s"


def _numbered() -> Any:
    counter = iter(range(10**6))
    return lambda: f"p{next(counter)}"
