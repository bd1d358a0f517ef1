"""The ingest benchmark's raw side pays for what graphcdp's side pays for: each item parsed once, inside its time."""

from __future__ import annotations

from typing import Any

import pytest

from graphcdp.settings import load_settings
from graphcdp.wiring import Services
from graphcdp_bench import ingest
from graphcdp_bench.ingest import RawSide
from tests.identity_helpers import rec


async def test_the_raw_side_parses_each_record_once_and_times_it(
    bench_graph: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Parsed twice (once untimed for the keys, once timed), the timed parse found every identifier normalized by the
    # first (the parser keeps the values it validated): the raw side's records were timed without their parsing.
    records = [rec("crm", f"c{n}", 1000 + n, ("email", f"p{n}@example.com"), firstName="Ann") for n in range(3)]
    outcome = await bench_graph.identity.upsert_records(records)
    assert not outcome.errors
    parsed: list[str] = []
    real = ingest.parse_record

    def counted(index: int, item: Any, policy: Any) -> Any:
        parsed.append(item.source_id)
        return real(index, item, policy)

    monkeypatch.setattr(ingest, "parse_record", counted)
    raw = RawSide(bench_graph.store, bench_graph.store, load_settings())
    await raw.records(records)
    assert sorted(parsed) == ["c0", "c1", "c2"]
    [(items, seconds)] = raw.batches["records"]
    assert items == 3 and seconds > 0
