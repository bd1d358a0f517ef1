"""The ingest benchmark's raw side pays for what graphcdp's side pays for: each item parsed once, inside its time."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from graphcdp.settings import load_settings
from graphcdp.wiring import Services
from graphcdp_bench import ingest
from graphcdp_bench.datagen import GeneratorConfig, write_dataset
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


PARSE_SECONDS = 0.2


async def test_graphcdp_parses_ahead_but_never_while_the_raw_side_is_timed(
    tmp_path: Path, bench_graph: Services, second_bench_graph: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The importer parses the next batch in a thread while graphcdp writes one; the raw side must not share the machine
    # with that parse, and a parse that outlasts graphcdp's write counts on graphcdp's side.
    data = tmp_path / "set"
    write_dataset(data, GeneratorConfig(people=30, seed=3, touchpoints_per_person=0), progress=False)
    spans: dict[str, list[tuple[float, float]]] = {"parse": [], "raw": []}
    parse_batch = type(bench_graph.identity).parse_batch

    def timed_parse(self: Any, items: Any) -> Any:
        started = time.perf_counter()
        try:
            time.sleep(PARSE_SECONDS)  # longer than a write of 20 records: each parse outlasts the write beside it
            return parse_batch(self, items)
        finally:
            spans["parse"].append((started, time.perf_counter()))

    raw_records = RawSide.records

    async def timed_raw(self: RawSide, items: Any) -> None:
        started = time.perf_counter()
        await raw_records(self, items)
        spans["raw"].append((started, time.perf_counter()))

    monkeypatch.setattr(type(bench_graph.identity), "parse_batch", timed_parse)
    monkeypatch.setattr(RawSide, "records", timed_raw)
    raw = RawSide(bench_graph.store, second_bench_graph.store, load_settings())
    result = await ingest.graphcdp_ingest(bench_graph, data, 20, progress=False, raw=raw)

    records = result["records"]
    batches = -(-records.items // 20)
    assert len(spans["parse"]) == len(spans["raw"]) == len(records.batches) == batches > 2
    for parse_started, parse_ended in spans["parse"]:
        for raw_started, raw_ended in spans["raw"]:
            assert parse_ended <= raw_started or raw_ended <= parse_started
    assert records.seconds >= PARSE_SECONDS * batches  # what the writes did not cover counted on graphcdp's side
