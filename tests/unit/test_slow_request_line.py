"""The slow-request log's line (graphcdp/api/slow_requests.py): statements of one name counted together, the
slowest first, a bounded line, and the timings collected only inside a request's context."""

from __future__ import annotations

from graphcdp.api.slow_requests import SHOWN_STATEMENTS, describe
from graphcdp.store import timings
from graphcdp.store.timings import StatementTiming


def test_statements_of_one_name_are_counted_together_the_slowest_first() -> None:
    line = describe(
        20.0,
        [
            StatementTiming("identity/component_hop", 2.0, 1.5),
            StatementTiming("identity/upsert_records", 6.0, 5.0),
            StatementTiming("identity/component_hop", 3.0, 2.5),
            StatementTiming("segments/segments_version", 0.5, None),
        ],
    )
    assert line == (
        "slow request: 20.0 ms; 4 statements, 11.5 ms round trip, 9.0 ms in the database: "
        "identity/upsert_records 6.0/5.0 ms, identity/component_hop x2 5.0/4.0 ms, segments/segments_version 0.5 ms"
    )


def test_a_request_without_statements() -> None:
    assert describe(3.25, []) == "slow request: 3.2 ms; 0 statements, 0.0 ms round trip"


def test_a_long_request_names_its_slowest_statements_and_counts_the_rest() -> None:
    statements = [StatementTiming(f"area/statement_{i}", float(i), float(i) / 2) for i in range(SHOWN_STATEMENTS + 5)]
    line = describe(500.0, statements)
    assert line.endswith(", and 5 more")
    assert f"area/statement_{SHOWN_STATEMENTS + 4} " in line
    assert "area/statement_0 " not in line


def test_statements_are_timed_only_inside_a_collection() -> None:
    timings.database_reported(1.0)
    timings.statement_ran("outside", 2.0)  # no request: nothing kept, nothing raised
    with timings.collected() as collected:
        timings.database_reported(0.7)
        timings.statement_ran("identity/upsert_records", 1.2)
        timings.statement_ran("segments/segments_version", 0.3)  # no time reported for it
    timings.statement_ran("after", 2.0)
    assert collected.statements == [
        StatementTiming("identity/upsert_records", 1.2, 0.7),
        StatementTiming("segments/segments_version", 0.3, None),
    ]


def test_a_group_s_statements_say_how_many_requests_they_served() -> None:
    statements = [StatementTiming("identity/upsert_records", 6.0, 5.0)]
    assert describe(20.0, statements, group=3) == (
        "slow request: 20.0 ms; 1 statements, 6.0 ms round trip, 5.0 ms in the database; written for 3 requests "
        "together: identity/upsert_records 6.0/5.0 ms"
    )
    with timings.collected() as collected:
        collected.add_group(statements, 3)
        collected.add_group(statements, 2)
    assert collected.group == 3
    assert len(collected.statements) == 2
