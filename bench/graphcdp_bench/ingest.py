"""Ingest benchmark: bulk upsert of records and touchpoints through graphcdp, beside the raw database
writing the same nodes and edges with plain `UNWIND … MERGE` in the same run, on the same server.

graphcdp's side is `graphcdp import` (parse, normalize, resolve, commit). The raw side parses the same
items with the same parser, then MERGEs records, identifiers, HAS edges and, with the persons graphcdp
found, Person nodes and OF edges: what the database costs without identity resolution. Each batch is
written raw right after graphcdp wrote it (RawSide), so both sides meet the same load on a shared
machine and the graph grows alike under both. The ratio is graphcdp time / raw time (1.0 would mean
resolution is free); rates are also given per tenth of the batches, to show any fall-off as the graph grows.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphcdp.identity.input import ParsedRecord, parse_record
from graphcdp.identity.normalize import IdentifierPolicy
from graphcdp.ingest.bulk import import_file
from graphcdp.ingest.readers import count_lines
from graphcdp.model.identity import ItemError
from graphcdp.profiles.touchpoint_input import parse_touchpoint
from graphcdp.settings import Settings
from graphcdp.store import GraphStore
from graphcdp.wiring import Services
from graphcdp_bench.cpu import cpu_seconds
from graphcdp_bench.cypher import bench_statement
from graphcdp_bench.datagen.quality import evaluate, read_truth

RAW_RECORDS = bench_statement("bench/raw_records")
RAW_TOUCHPOINTS = bench_statement("bench/raw_touchpoints")
RECORD_PERSONS = bench_statement("bench/record_persons")
PERSONS_OF_RECORDS = bench_statement("bench/persons_of_records")


TENTHS = 10


@dataclass(frozen=True)
class Throughput:
    items: int
    seconds: float
    batches: tuple[tuple[int, float], ...] = ()  # (items, seconds) of each batch, in order
    cpu: Cpu | None = None  # what the timed calls cost in CPU, where measured

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
        } | ({"cpuMsPerItem": self.cpu.per_item(self.items)} if self.cpu else {})


@dataclass
class Cpu:
    """CPU seconds spent in timed calls: this process's (graphcdp's Python, or the raw side's parsing and client) and
    the database's (all its threads; not its short-lived forked index collector), from /proc
    (graphcdp_bench/cpu.py)."""

    database_pid: int | None
    python: float = 0.0
    database: float = 0.0

    @contextmanager
    def counting(self, *, database: bool = True) -> Iterator[None]:
        python, server = time.process_time(), self._database() if database else None
        try:
            yield
        finally:
            self.python += time.process_time() - python
            if server is not None and (after := self._database()) is not None:
                self.database += after - server

    def per_item(self, items: int) -> dict[str, float]:
        spent = {"python": self.python} | ({"database": self.database} if self.database_pid else {})
        return {name: round(seconds * 1000 / max(items, 1), 3) for name, seconds in spent.items()}

    def _database(self) -> float | None:
        return cpu_seconds(self.database_pid, descendants=False) if self.database_pid else None


class RawSide:
    """The raw database writing each batch right after graphcdp did, timed apart: both sides meet the same
    load on a shared machine, so their ratio holds batch by batch. Records get the persons graphcdp gave
    them (read untimed); parsing is timed on both sides."""

    def __init__(self, ours: GraphStore, raw: GraphStore, settings: Settings, database_pid: int | None = None) -> None:
        self.ours, self.raw = ours, raw
        self.policy = IdentifierPolicy.from_settings(settings)
        self.batches: dict[str, list[tuple[int, float]]] = {"records": [], "touchpoints": []}
        self.cpu = {"records": Cpu(database_pid), "touchpoints": Cpu(database_pid)}

    async def records(self, items: Sequence[Any]) -> None:
        # Parsed once, timed: parsed twice, the second parse met the identifiers the first had normalized (the
        # parser keeps each value it validated), and the raw side's records were timed without their parsing.
        started = time.perf_counter()
        with self.cpu["records"].counting(database=False):
            parsed = self._records(items)
        parsing = time.perf_counter() - started
        keys = [r.key for r in parsed]
        persons = {row["record"]: row["person"] for row in await self.ours.run(PERSONS_OF_RECORDS, {"keys": keys})}
        started = time.perf_counter()
        with self.cpu["records"].counting():
            rows = [_raw_record(r, persons[r.key]) for r in parsed if r.key in persons]
            await self.raw.run(RAW_RECORDS, {"records": rows})
        self.batches["records"].append((len(items), parsing + time.perf_counter() - started))

    async def touchpoints(self, items: Sequence[Any]) -> None:
        started = time.perf_counter()
        with self.cpu["touchpoints"].counting():
            parsed = [parse_touchpoint(i, item, self.policy) for i, item in enumerate(items)]
            rows = [t.param() for t in parsed if not isinstance(t, ItemError)]
            await self.raw.run(RAW_TOUCHPOINTS, {"touchpoints": rows})
        self.batches["touchpoints"].append((len(items), time.perf_counter() - started))

    def _records(self, items: Sequence[Any]) -> list[ParsedRecord]:
        parsed = (parse_record(i, item, self.policy) for i, item in enumerate(items))
        return [r for r in parsed if isinstance(r, ParsedRecord)]

    def throughput(self) -> dict[str, Throughput]:
        return {
            kind: Throughput(sum(n for n, _ in batches), sum(s for _, s in batches), tuple(batches), self.cpu[kind])
            for kind, batches in self.batches.items()
            if batches
        }


def _raw_record(record: ParsedRecord, person: str) -> dict[str, Any]:
    return {
        "key": record.key, "source": record.source, "sourceId": record.source_id,
        "observedAt": record.observed_at, "traits": json.dumps(record.traits, sort_keys=True, default=str),
        "person": person,
        "identifiers": [{"key": i.key, "type": i.type, "value": i.value, "blocked": i.blocked}
                        for i in record.identifiers],
    }  # fmt: skip


@dataclass(frozen=True)
class _TimedParse:
    """A batch graphcdp parsed ahead (`parse_batch`, in the importer's worker thread), with when."""

    items: Sequence[Any]
    parsed: Any
    started: float
    ended: float


class _TimedSink:
    """The importer's sink, timing each batch's call; then the raw side writes the same batch, if any.

    The importer parses the next batch in a worker thread while graphcdp writes the last one (ParsingSink). What
    overlaps graphcdp's own write is free, as in the product; the rest of a parse counts in its batch's time. The
    raw side waits for that parse to end, so its timed writes never share the machine with graphcdp's work."""

    def __init__(
        self,
        sink: Any,
        then: Callable[[Sequence[Any]], Awaitable[None]] | None = None,
        database_pid: int | None = None,
        *,
        items: int = 0,
    ) -> None:
        self.sink = sink
        self.then = then
        self.batches: list[tuple[int, float]] = []
        self.cpu = Cpu(database_pid)
        self.items = items  # how many the import sends in all: past them, no batch is parsed ahead
        self._parsed = threading.Condition()
        self._parses = 0
        self._written = 0
        self._sent = 0
        self._last_write = (0.0, 0.0)

    def decode_item(self, index: int, raw: Any) -> Any:
        return self.sink.decode_item(index, raw)

    def parse_batch(self, items: Sequence[Any]) -> _TimedParse:
        started = time.perf_counter()
        parsed = self.sink.parse_batch(items)
        timed = _TimedParse(items, parsed, started, time.perf_counter())
        with self._parsed:
            self._parses += 1
            self._parsed.notify_all()
        return timed

    async def upsert_parsed(self, batch: _TimedParse, dry_run: bool = False) -> Any:
        started = time.perf_counter()
        with self.cpu.counting():
            outcome = await self.sink.upsert_parsed(batch.parsed, dry_run=dry_run)
        ended = time.perf_counter()
        hidden = max(0.0, min(batch.ended, self._last_write[1]) - max(batch.started, self._last_write[0]))
        parsing = batch.ended - batch.started - hidden  # what the last write did not cover
        self._sent += len(batch.items)
        self._written += 1
        with self.cpu.counting():  # the next batch's parse, where it outlasts this write
            waited = await asyncio.to_thread(self._next_parsed)
        self._last_write = (started, ended + waited)
        self.batches.append((len(batch.items), ended - started + parsing + waited))
        if self.then is not None:
            await self.then(batch.items)
        return outcome

    def _next_parsed(self) -> float:
        """Wait until the batch after the last one written is parsed (none comes after the last): seconds waited."""
        started = time.perf_counter()
        with self._parsed:
            if not self._parsed.wait_for(lambda: self._sent >= self.items or self._parses > self._written, 600):
                raise RuntimeError(f"no batch after item {self._sent} of {self.items}: was a line rejected?")
        return time.perf_counter() - started

    async def upsert_records(self, items: Any, dry_run: bool = False) -> Any:
        started = time.perf_counter()
        with self.cpu.counting():
            outcome = await self.sink.upsert_records(items, dry_run=dry_run)
        self.batches.append((len(items), time.perf_counter() - started))
        if self.then is not None:
            await self.then(items)
        return outcome

    def throughput(self) -> Throughput:
        return Throughput(
            sum(n for n, _ in self.batches), sum(s for _, s in self.batches), tuple(self.batches), self.cpu
        )


# Batches in flight at once, as `graphcdp import --concurrency` (default 1: at 100k people two
# in flight were slower for graphcdp, as neighbouring batches share persons and conflict at commit).
CONCURRENCY = 1


async def graphcdp_ingest(
    services: Services,
    data: Path,
    batch_size: int,
    *,
    progress: bool,
    raw: RawSide | None = None,
    database_pid: int | None = None,
) -> dict[str, Throughput]:
    """`graphcdp import` of the records, then of the touchpoints, each batch's call timed (batches above the
    services' GRAPHCDP_MAX_BATCH_SIZE are refused: raise it in their settings). With `raw`, the raw side
    writes each batch right after graphcdp (see RawSide). With `database_pid`, the database's CPU is counted too."""
    timed = _TimedSink(
        services.identity, raw.records if raw else None, database_pid, items=count_lines(data / "records.jsonl")
    )
    await import_file(
        timed,
        data / "records.jsonl",
        batch_size=batch_size,
        resume=False,
        progress=progress,
        concurrency=CONCURRENCY,
    )
    result = {"records": timed.throughput()}
    touchpoint_file = data / "touchpoints.jsonl"
    if touchpoint_file.stat().st_size:
        timed = _TimedSink(
            services.touchpoint_sink, raw.touchpoints if raw else None, database_pid, items=count_lines(touchpoint_file)
        )
        await import_file(
            timed,
            touchpoint_file,
            batch_size=batch_size,
            resume=False,
            progress=progress,
            concurrency=CONCURRENCY,
        )
        result["touchpoints"] = timed.throughput()
    return result


async def record_persons(store: GraphStore) -> dict[str, str]:
    return {row["record"]: row["person"] for row in await store.run(RECORD_PERSONS, {})}


def quality(data: Path, persons: dict[str, str]) -> dict[str, Any]:
    """Resolution quality of the records against the generator's ground truth."""
    truth = read_truth(data / "truth.jsonl", touchpoints=False)
    return evaluate(persons, truth.records, truth.shared).to_dict()
