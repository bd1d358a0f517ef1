"""Seeding a large graph for the scaling benchmark: the graph graphcdp would build from a data set, in a
fraction of the time an incremental import takes.

Clusters depend only on the evidence, never on arrival order (docs/identity-resolution.md), so the whole data set
can be planned in memory: records and touchpoint evidence records are grouped into components by their
linking identifiers, and each component goes through the resolver's own `plan`. The writes are graphcdp's
own statements (upsert_records, upsert_evidence, track_touchpoints, commit_resolution), so the result is
the graph an import would leave, person ids aside. The commit statement still checks every record and
identifier against what the plan assumed; a mismatch means the in-memory model is wrong, and stops the
seed rather than leaving a graph that differs from graphcdp's.

This is for an empty graph: it does not read what is already stored. It seeds deterministic linking only:
probabilistic matching (scoring candidates through blocks) is not planned here, so the graph equals an
import with GRAPHCDP_MATCHING=false.
"""

from __future__ import annotations

import json
import tempfile
import time
import uuid
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from tqdm import tqdm  # type: ignore[import-untyped]

from graphcdp.clock import now_ms
from graphcdp.errors import ErrorCode, GraphCDPError
from graphcdp.identity.clustering import UnionFind
from graphcdp.identity.commit import COMMIT, commit_params
from graphcdp.identity.component import Component, IdentifierState, RecordState
from graphcdp.identity.evidence import UPSERT_EVIDENCE, Observation, evidence_rows
from graphcdp.identity.input import parse_record_item
from graphcdp.identity.planner import plan
from graphcdp.identity.rules import ResolutionRules
from graphcdp.identity.service import UPSERT_RECORDS, record_param
from graphcdp.model.identity import ItemError
from graphcdp.model.node_ref import identifier_ref, record_ref
from graphcdp.profiles.touchpoint_input import parse_touchpoint_item
from graphcdp.profiles.touchpoints import EVIDENCE_KIND, TRACK_TOUCHPOINTS
from graphcdp.store import GraphStore

WRITE_BATCH = 2000
PARTITION_RECORDS = 50_000  # records per spooled partition: what the resolution step holds at once
COMMIT_BATCH_RECORDS = 2000  # components are committed together until their records reach this many


class SeedMismatchError(GraphCDPError):
    code = ErrorCode.SEED_MISMATCH


@dataclass
class SeedReport:
    records: int = 0
    evidence_records: int = 0
    touchpoints: int = 0
    rejected: int = 0
    components: int = 0
    persons: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "evidenceRecords": self.evidence_records,
            "touchpoints": self.touchpoints,
            "rejected": self.rejected,
            "components": self.components,
            "persons": self.persons,
            "seconds": {k: round(v, 2) for k, v in self.seconds.items()},
        }


def _lines(path: Path) -> Iterator[tuple[int, Any]]:
    if not path.exists():  # a data set without touchpoints
        return
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if line.strip():
                yield number, json.loads(line)


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


async def seed_graph(
    store: GraphStore,
    rules: ResolutionRules,
    data: Path,
    *,
    progress: bool = False,
    work: Path | None = None,
    settle: bool = True,
) -> SeedReport:
    """Write `records.jsonl` and `touchpoints.jsonl` of `data` into an empty graph, resolved. Spool files go
    to `work` (a temporary directory by default): about 600 bytes per record. With `settle` (the default),
    the graph is settled at the end (GraphStore.settle), as a local `graphcdp import` ends: the benchmarks
    then measure the graph an import leaves, not FalkorDB's pending changes of the seed (at 100,000 people
    a single upsert's p50 is 163 ms before the settle and 15 ms after it, bench/README.md)."""
    with tempfile.TemporaryDirectory(prefix="graphcdp-seed-", dir=work) as spool:
        report = await _seed(store, rules, data, Path(spool), progress=progress)
    if settle:
        await store.settle()
    return report


async def _seed(store: GraphStore, rules: ResolutionRules, data: Path, spool: Path, *, progress: bool) -> SeedReport:
    # A million people are several million records, beside the database on the same machine: Python holds
    # the identifiers' union-find and the touchpoint evidence being folded, never the records. The records'
    # states are spooled to disk, then split into partitions by component, and one partition at a time is
    # planned and committed.
    report, now = SeedReport(), now_ms()
    components = UnionFind()
    states = spool / "states.jsonl"
    started = time.perf_counter()
    with states.open("w", encoding="utf-8") as out:
        await _seed_records(
            store,
            rules,
            data / "records.jsonl",
            spool=spool,
            states=out,
            components=components,
            now=now,
            report=report,
            progress=progress,
        )
        report.seconds["records"] = time.perf_counter() - started
        started = time.perf_counter()
        evidence = await _seed_touchpoints(
            store, rules, data / "touchpoints.jsonl", now=now, report=report, progress=progress
        )
        for row in evidence:
            identifiers = [(i["key"], i["type"], bool(i["blocked"])) for i in row["identifiers"]]
            state = _state(
                row["key"],
                source=row["source"],
                observed_at=row["observedAt"],
                traits={},
                version=0,
                content_hash=row["contentHash"],
                identifiers=identifiers,
            )
            _spool_state(out, components, state)
        del evidence
        report.seconds["touchpoints"] = time.perf_counter() - started
    started = time.perf_counter()
    partitions = _partition(states, spool, components, report.records + report.evidence_records, progress=progress)
    del components
    await _seed_resolution(store, rules, partitions, now=now, report=report, progress=progress)
    report.seconds["resolution"] = time.perf_counter() - started
    return report


async def _seed_records(
    store: GraphStore,
    rules: ResolutionRules,
    path: Path,
    *,
    spool: Path,
    states: TextIO,
    components: UnionFind,
    now: int,
    report: SeedReport,
    progress: bool,
) -> None:
    """Parse every record once into a spool; a key sent twice: the last one is what an import keeps."""
    parsed_path, last = spool / "records.jsonl", dict[str, int]()
    with (
        parsed_path.open("w", encoding="utf-8") as parsed_out,
        tqdm(desc="seed parse", unit="rec", disable=not progress) as bar,
    ):
        for number, item in _lines(path):
            bar.update()
            parsed = parse_record_item(number, item, rules.policy)
            if isinstance(parsed, ItemError):
                report.rejected += 1
                continue
            last[parsed.key] = number
            identifiers = [(i.key, i.type, i.blocked) for i in parsed.identifiers]
            state = _state(
                parsed.key,
                source=parsed.source,
                observed_at=parsed.observed_at,
                traits=parsed.traits,
                version=1,
                content_hash=parsed.content_hash,
                identifiers=identifiers,
            )
            parsed_out.write(json.dumps([number, record_param(parsed), state]) + "\n")
    report.records = len(last)
    with tqdm(total=report.records, desc="seed records", unit="rec", disable=not progress) as bar:
        chunk: list[dict[str, Any]] = []
        for _, (number, param, state) in _lines(parsed_path):
            if last[state[0]] != number:
                continue
            _spool_state(states, components, state)
            chunk.append(param)
            if len(chunk) == WRITE_BATCH:
                await store.run(UPSERT_RECORDS, {"now": now, "records": chunk, "firstHop": False})
                bar.update(len(chunk))
                chunk = []
        if chunk:
            await store.run(UPSERT_RECORDS, {"now": now, "records": chunk, "firstHop": False})
            bar.update(len(chunk))
    parsed_path.unlink()


async def _seed_touchpoints(
    store: GraphStore, rules: ResolutionRules, path: Path, *, now: int, report: SeedReport, progress: bool
) -> list[dict[str, Any]]:
    """Touchpoints as track_touchpoints stores them, and their evidence records (returned)."""
    # Evidence is folded per batch rather than kept per touchpoint: millions of observations do not fit.
    evidence: dict[str, dict[str, Any]] = {}
    observations: list[Observation] = []
    batch: list[dict[str, Any]] = []
    seen: set[str] = set()
    with tqdm(desc="seed touchpoints", unit="tp", disable=not progress) as bar:
        for number, item in _lines(path):
            touchpoint = parse_touchpoint_item(number, item, rules.policy)
            if isinstance(touchpoint, ItemError):
                report.rejected += 1
                continue
            observations.append(Observation(touchpoint.identifiers, touchpoint.occurred_at))
            if touchpoint.id not in seen:
                seen.add(touchpoint.id)
                batch.append(touchpoint.param())
            if len(batch) == WRITE_BATCH:
                _fold_evidence(evidence, observations)
                observations = []
                await _write_touchpoints(store, now, batch)
                bar.update(len(batch))
                report.touchpoints += len(batch)
                batch = []
        if batch:
            await _write_touchpoints(store, now, batch)
            bar.update(len(batch))
            report.touchpoints += len(batch)
    _fold_evidence(evidence, observations)
    rows = list(evidence.values())
    report.evidence_records = len(rows)
    for chunk in tqdm(list(_chunks(rows, WRITE_BATCH)), desc="seed evidence", unit="batch", disable=not progress):
        await store.run(UPSERT_EVIDENCE, {"now": now, "evidence": list(chunk)})
    return rows


def _fold_evidence(evidence: dict[str, dict[str, Any]], observations: list[Observation]) -> None:
    """Add a batch's evidence rows to those so far: the earliest observedAt and latest lastSeenAt win."""
    for row in evidence_rows(EVIDENCE_KIND, observations):
        known = evidence.setdefault(row["key"], row)
        known["observedAt"] = min(known["observedAt"], row["observedAt"])
        known["lastSeenAt"] = max(known["lastSeenAt"], row["lastSeenAt"])


async def _seed_resolution(
    store: GraphStore, rules: ResolutionRules, partitions: list[Path], *, now: int, report: SeedReport, progress: bool
) -> None:
    params, pending = _empty_commit(now), 0
    with tqdm(
        total=report.records + report.evidence_records, desc="seed resolution", unit="rec", disable=not progress
    ) as bar:
        for path in partitions:
            for component in _components(path):
                result = plan(component, rules, now)
                report.components += 1
                report.persons += len(result.persons)
                for name, value in commit_params(result).items():
                    if name != "now":
                        params[name].extend(value)
                pending += len(component.records)
                bar.update(len(component.records))
                if pending >= COMMIT_BATCH_RECORDS:
                    await _commit(store, params)
                    params, pending = _empty_commit(now), 0
            path.unlink()
    if pending:
        await _commit(store, params)


async def _write_touchpoints(store: GraphStore, now: int, batch: list[dict[str, Any]]) -> None:
    await store.run(TRACK_TOUCHPOINTS, {"now": now, "batch": uuid.uuid4().hex, "touchpoints": batch})


def _empty_commit(now: int) -> dict[str, Any]:
    names = ("checks", "persons", "retired", "recordMoves", "identifierMoves", "flags", "resolved", "changes")
    return {"now": now} | {name: [] for name in names}


async def _commit(store: GraphStore, params: dict[str, Any]) -> None:
    if not await store.run(COMMIT, params):
        raise SeedMismatchError(
            "the graph differs from the seed's plan (is the graph empty?); nothing of this batch was resolved"
        )


# A record's state as the stored graph has it before resolution (no person yet; versions and degrees as
# upsert_records and upsert_evidence leave them), spooled as one JSON list:
# [key, source, observedAt, traits, version, degree, contentHash, [[linking identifier key, type], ...]].
State = list[Any]


def _state(
    key: str,
    *,
    source: str,
    observed_at: int,
    traits: dict[str, Any],
    version: int,
    content_hash: str,
    identifiers: list[tuple[str, str, bool]],
) -> State:
    linking = sorted({(k, t) for k, t, blocked in identifiers if not blocked})
    degree = len({k for k, _, _ in identifiers})
    return [key, source, observed_at, traits, version, degree, content_hash, [list(i) for i in linking]]


def _spool_state(out: TextIO, components: UnionFind, state: State) -> None:
    """Write the state, and join its linking identifiers in the union-find (a record joins what it holds)."""
    out.write(json.dumps(state) + "\n")
    identifiers = state[7]
    for key, _ in identifiers:
        components.add(key)
    for key, _ in identifiers[1:]:
        components.union(identifiers[0][0], key)


def _component_id(components: UnionFind, state: State) -> str:
    return identifier_ref(components.find(state[7][0][0])) if state[7] else record_ref(state[0])


def _partition(states: Path, spool: Path, components: UnionFind, total: int, *, progress: bool) -> list[Path]:
    """Split the spooled states into files of whole components, about PARTITION_RECORDS records each."""
    count = max(1, total // PARTITION_RECORDS)
    paths = [spool / f"part-{n:04d}.jsonl" for n in range(count)]
    files = [path.open("w", encoding="utf-8") for path in paths]
    try:
        for _, state in tqdm(_lines(states), total=total, desc="seed partition", unit="rec", disable=not progress):
            component = _component_id(components, state)
            files[zlib.crc32(component.encode()) % count].write(json.dumps([component, state]) + "\n")
    finally:
        for file in files:
            file.close()
    states.unlink()
    return paths


def _components(path: Path) -> Iterator[Component]:
    """The components of one partition file, each as resolution reads it from the graph."""
    grouped: dict[str, Component] = {}
    for _, (component_id, state) in _lines(path):
        key, source, observed_at, traits, version, degree, content_hash, identifiers = state
        component = grouped.setdefault(component_id, Component())
        component.records[key] = RecordState(
            key=key,
            source=source,
            observed_at=observed_at,
            traits=traits,
            detached=False,
            version=version,
            degree=degree,
            identifiers=[k for k, _ in identifiers],
            content_hash=content_hash,
            person=None,
        )
        for identifier_key, type_ in identifiers:
            identifier = component.identifiers.get(identifier_key)
            if identifier is None:
                identifier = component.identifiers[identifier_key] = IdentifierState(
                    identifier_key, type_, False, False, [], None
                )
            identifier.records.append(key)
    yield from grouped.values()
