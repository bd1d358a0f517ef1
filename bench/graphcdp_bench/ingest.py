"""Ingest benchmark: bulk upsert of records and touchpoints through graphcdp, beside the raw database
writing the same nodes and edges with plain `UNWIND … MERGE` in the same run, on the same server.

graphcdp's side is `graphcdp import` (parse, normalize, resolve, commit). The raw side parses the same
lines with the same parser, then MERGEs records, identifiers, HAS edges and, with the persons graphcdp
found, Person nodes and OF edges: what the database costs without identity resolution. The ratio is
graphcdp time / raw time (1.0 would mean resolution is free). Both sides keep two batches in flight.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import deque
from collections.abc import Awaitable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphcdp.identity.input import parse_record_item
from graphcdp.identity.normalize import IdentifierPolicy
from graphcdp.ingest.bulk import import_file
from graphcdp.model.identity import ItemError
from graphcdp.profiles.touchpoint_input import parse_touchpoint_item
from graphcdp.settings import Settings
from graphcdp.store import GraphStore
from graphcdp.wiring import Services
from graphcdp_bench.cypher import bench_statement
from graphcdp_bench.datagen.quality import evaluate, read_truth

RAW_RECORDS = bench_statement("bench/raw_records")
RAW_TOUCHPOINTS = bench_statement("bench/raw_touchpoints")
RECORD_PERSONS = bench_statement("bench/record_persons")


TENTHS = 10


@dataclass(frozen=True)
class Throughput:
    items: int
    seconds: float
    batches: tuple[tuple[int, float], ...] = ()  # (items, seconds) of each batch, in order

    @property
    def per_second(self) -> float:
        return self.items / self.seconds if self.seconds > 0 else 0.0

    @property
    def tenths(self) -> list[float]:
        """Items per second over each tenth of the batches, in order (fewer parts when there are fewer
        batches): a rate that falls as the graph grows shows here."""
        parts = min(TENTHS, len(self.batches))
        rates = []
        for part in range(parts):
            chunk = self.batches[part * len(self.batches) // parts : (part + 1) * len(self.batches) // parts]
            seconds = sum(s for _, s in chunk)
            rates.append(sum(n for n, _ in chunk) / seconds if seconds > 0 else 0.0)
        return rates

    def to_dict(self) -> dict[str, Any]:
        tenths = self.tenths
        return {
            "items": self.items,
            "seconds": round(self.seconds, 3),
            "perSecond": round(self.per_second, 1),
            "tenths": [round(rate, 1) for rate in tenths],
            "lastOverFirst": round(tenths[-1] / tenths[0], 3) if tenths and tenths[0] else None,
        }


class _TimedSink:
    """The importer's sink, timing each batch from the end of the one before (reading the file included)."""

    def __init__(self, sink: Any) -> None:
        self.sink = sink
        self.batches: list[tuple[int, float]] = []
        self.last = time.perf_counter()

    def decode_item(self, index: int, raw: Any) -> Any:
        return self.sink.decode_item(index, raw)

    async def upsert_records(self, items: Any, dry_run: bool = False) -> Any:
        outcome = await self.sink.upsert_records(items, dry_run=dry_run)
        now = time.perf_counter()
        self.batches.append((len(items), now - self.last))
        self.last = now
        return outcome


def _batches(path: Path, size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                batch.append(json.loads(line))
                if len(batch) == size:
                    yield batch
                    batch = []
    if batch:
        yield batch


# Batches in flight at once on both sides, as `graphcdp import --concurrency` (default 1: at 100k people two
# in flight were slower for graphcdp, as neighbouring batches share persons and conflict at commit).
CONCURRENCY = 1


class _InFlight:
    """At most `size` writes running at once; each is awaited, in order, before the oldest is replaced."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.running: deque[asyncio.Future[Any]] = deque()

    async def add(self, write: Awaitable[Any]) -> None:
        self.running.append(asyncio.ensure_future(write))
        if len(self.running) >= self.size:
            await self.running.popleft()

    async def drain(self) -> None:
        while self.running:
            await self.running.popleft()


async def graphcdp_ingest(services: Services, data: Path, batch_size: int, *, progress: bool) -> dict[str, Throughput]:
    """`graphcdp import` of the records, then of the touchpoints, timed (batches above the services'
    GRAPHCDP_MAX_BATCH_SIZE are refused: raise it in their settings)."""
    timed = _TimedSink(services.identity)
    records = await import_file(
        timed,
        data / "records.jsonl",
        batch_size=batch_size,
        resume=False,
        progress=progress,
        concurrency=CONCURRENCY,
    )
    result = {"records": Throughput(records.lines_read, records.seconds, tuple(timed.batches))}
    touchpoint_file = data / "touchpoints.jsonl"
    if touchpoint_file.stat().st_size:
        timed = _TimedSink(services.touchpoint_sink)
        events = await import_file(
            timed,
            touchpoint_file,
            batch_size=batch_size,
            resume=False,
            progress=progress,
            concurrency=CONCURRENCY,
        )
        result["touchpoints"] = Throughput(events.lines_read, events.seconds, tuple(timed.batches))
    return result


async def raw_ingest(
    store: GraphStore, settings: Settings, data: Path, batch_size: int, persons: dict[str, str]
) -> dict[str, Throughput]:
    policy = IdentifierPolicy.from_settings(settings)
    result: dict[str, Throughput] = {}
    writes = _InFlight(CONCURRENCY)
    started, count, batches = time.perf_counter(), 0, []
    for batch in _batches(data / "records.jsonl", batch_size):
        before = time.perf_counter()
        rows = []
        for index, item in enumerate(batch):
            record = parse_record_item(index, item, policy)
            if isinstance(record, ItemError) or record.key not in persons:
                continue
            rows.append({
                "key": record.key, "source": record.source, "sourceId": record.source_id,
                "observedAt": record.observed_at, "traits": json.dumps(record.traits, sort_keys=True, default=str),
                "person": persons[record.key],
                "identifiers": [{"key": i.key, "type": i.type, "value": i.value, "blocked": i.blocked}
                                for i in record.identifiers],
            })  # fmt: skip
        await writes.add(store.run(RAW_RECORDS, {"records": rows}))
        count += len(batch)
        batches.append((len(batch), time.perf_counter() - before))
    await writes.drain()
    result["records"] = Throughput(count, time.perf_counter() - started, tuple(batches))
    touchpoint_file = data / "touchpoints.jsonl"
    if touchpoint_file.stat().st_size:
        started, count, batches = time.perf_counter(), 0, []
        for batch in _batches(touchpoint_file, batch_size):
            before = time.perf_counter()
            parsed = [parse_touchpoint_item(index, item, policy) for index, item in enumerate(batch)]
            await writes.add(
                store.run(RAW_TOUCHPOINTS, {"touchpoints": [t.param() for t in parsed if not isinstance(t, ItemError)]})
            )
            count += len(batch)
            batches.append((len(batch), time.perf_counter() - before))
        await writes.drain()
        result["touchpoints"] = Throughput(count, time.perf_counter() - started, tuple(batches))
    return result


async def record_persons(store: GraphStore) -> dict[str, str]:
    return {row["record"]: row["person"] for row in await store.run(RECORD_PERSONS, {})}


def quality(data: Path, persons: dict[str, str]) -> dict[str, Any]:
    """Resolution quality of the records against the generator's ground truth."""
    truth = read_truth(data / "truth.jsonl", touchpoints=False)
    return evaluate(persons, truth.records, truth.shared).to_dict()
