"""`bench upsert --anatomy` reads the service's slow-request lines back (bench/graphcdp_bench/anatomy.py): what the
service writes (graphcdp/api/slow_requests.py) is what the benchmark reads, and its bands cut the requests by wall
time."""

from __future__ import annotations

import pytest

from graphcdp.api.slow_requests import describe
from graphcdp.store.timings import StatementTiming
from graphcdp_bench.anatomy import parse_line, read_requests, summarize

SENT = [
    StatementTiming("identity/upsert_records", 4.04, 3.31),
    StatementTiming("identity/component_hop", 2.5, 1.75),
    StatementTiming("identity/component_hop", 3.25, 2.5),
    StatementTiming("segments/segments_version", 0.6, None),
]


def test_a_line_the_service_writes_reads_back() -> None:
    line = f"2026-12-03 08:12:28,705 WARNING graphcdp.slow_requests: {describe(31.06, SENT)}"
    request = parse_line(line)
    assert request is not None
    assert request.elapsed_ms == pytest.approx(31.1)
    assert request.statements == len(SENT)
    assert request.round_trip_ms == pytest.approx(10.4)
    assert request.database_ms == pytest.approx(7.6)
    sent = {s.name: s for s in request.sent}
    assert sent["identity/component_hop"].times == 2
    assert sent["identity/component_hop"].round_trip_ms == pytest.approx(5.8)
    assert sent["identity/component_hop"].database_ms == pytest.approx(4.2)
    assert sent["segments/segments_version"].database_ms is None
    assert sent["identity/upsert_records"].times == 1


def test_other_lines_are_not_requests() -> None:
    lines = ["INFO graphcdp.store.embedded: embedded FalkorDB pid 1 on 127.0.0.1:1", describe(2.0, SENT[:1])]
    assert len(read_requests(lines)) == 1


def test_the_bands_cut_the_requests_by_wall_time() -> None:
    lines = [describe(float(ms), SENT[: 1 + ms % 4]) for ms in range(1, 101)]
    anatomy = summarize(read_requests(lines))
    assert anatomy["requests"] == 100
    bands = {b["band"]: b for b in anatomy["bands"]}
    assert [b["requests"] for b in anatomy["bands"]] == [50, 40, 8, 2]
    assert bands["fastest half"]["wallMs"] == pytest.approx(25.5)
    assert bands["slowest 2 %"]["wallMs"] == pytest.approx(99.5)
    by_name = {s["statement"]: s for s in anatomy["statements"]}
    assert by_name["identity/upsert_records"]["perRequest"] == 1.0
    assert by_name["segments/segments_version"]["databaseMs"] is None
