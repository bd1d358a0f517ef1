"""Seeding a large graph for the scaling benchmark: the graph graphcdp would build from a data set, in a
fraction of the time an incremental import takes.

Clusters depend only on the evidence, never on arrival order (DESIGN section 4), so the whole data set
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
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm  # type: ignore[import-untyped]

from graphcdp.errors import GraphCDPError
from graphcdp.identity.clustering import UnionFind
from graphcdp.identity.component import Component, IdentifierState, RecordState
from graphcdp.identity.evidence import UPSERT_EVIDENCE, Observation, evidence_rows
from graphcdp.identity.input import ParsedRecord, parse_record
from graphcdp.identity.resolver import COMMIT, ResolutionRules, now_ms, plan
from graphcdp.identity.service import UPSERT_RECORDS, record_param
from graphcdp.model.identity import ItemError
from graphcdp.profiles.touchpoint_input import parse_touchpoint
from graphcdp.profiles.touchpoints import EVIDENCE_KIND, TRACK_TOUCHPOINTS
from graphcdp.store import GraphStore

WRITE_BATCH = 2000
COMMIT_BATCH_RECORDS = 2000  # components are committed together until their records reach this many


class SeedMismatchError(GraphCDPError):
    code = "SEED_MISMATCH"


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


async def seed_graph(store: GraphStore, rules: ResolutionRules, data: Path, *, progress: bool = False) -> SeedReport:
    """Write `records.jsonl` and `touchpoints.jsonl` of `data` into an empty graph, resolved."""
    report, now = SeedReport(), now_ms()
    # A million people are several million records in memory, beside the database on the same machine: each
    # input is folded into the one Component as soon as it is written, and dropped.
    everything = Component()
    started = time.perf_counter()
    records = await _seed_records(store, rules, data / "records.jsonl", now=now, report=report, progress=progress)
    _add_records(everything, records)
    del records
    report.seconds["records"] = time.perf_counter() - started
    started = time.perf_counter()
    touchpoints = data / "touchpoints.jsonl"
    evidence = await _seed_touchpoints(store, rules, touchpoints, now=now, report=report, progress=progress)
    _add_evidence(everything, evidence)
    del evidence
    report.seconds["touchpoints"] = time.perf_counter() - started
    started = time.perf_counter()
    await _seed_resolution(store, rules, everything, now=now, report=report, progress=progress)
    report.seconds["resolution"] = time.perf_counter() - started
    return report


async def _seed_records(
    store: GraphStore, rules: ResolutionRules, path: Path, *, now: int, report: SeedReport, progress: bool
) -> dict[str, ParsedRecord]:
    records: dict[str, ParsedRecord] = {}
    for number, item in _lines(path):
        parsed = parse_record(number, item, rules.policy)
        if isinstance(parsed, ItemError):
            report.rejected += 1
        else:
            records[parsed.key] = parsed  # a key sent twice: the last one is what an import keeps
    keys = list(records)
    report.records = len(keys)
    for chunk in tqdm(list(_chunks(keys, WRITE_BATCH)), desc="seed records", disable=not progress):
        await store.run(UPSERT_RECORDS, {"now": now, "records": [record_param(records[k]) for k in chunk]})
    return records


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
            touchpoint = parse_touchpoint(number, item, rules.policy)
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
    for chunk in _chunks(rows, WRITE_BATCH):
        await store.run(UPSERT_EVIDENCE, {"now": now, "evidence": list(chunk)})
    return rows


def _fold_evidence(evidence: dict[str, dict[str, Any]], observations: list[Observation]) -> None:
    """Add a batch's evidence rows to those so far: the earliest observedAt and latest lastSeenAt win."""
    for row in evidence_rows(EVIDENCE_KIND, observations):
        known = evidence.setdefault(row["key"], row)
        known["observedAt"] = min(known["observedAt"], row["observedAt"])
        known["lastSeenAt"] = max(known["lastSeenAt"], row["lastSeenAt"])


async def _seed_resolution(
    store: GraphStore, rules: ResolutionRules, everything: Component, *, now: int, report: SeedReport, progress: bool
) -> None:
    groups = _components(everything)
    report.components = len(groups)
    params, pending = _empty_commit(now), 0
    for group in tqdm(groups, desc="seed resolution", disable=not progress):
        result = plan(_component_of(everything, group), rules, now)
        report.persons += len(result.persons)
        for name, value in result.params.items():
            if name != "now":
                params[name].extend(value)
        pending += len(group)
        if pending >= COMMIT_BATCH_RECORDS:
            await _commit(store, params)
            params, pending = _empty_commit(now), 0
    if pending:
        await _commit(store, params)


async def _write_touchpoints(store: GraphStore, now: int, batch: list[dict[str, Any]]) -> None:
    await store.run(TRACK_TOUCHPOINTS, {"now": now, "batch": uuid.uuid4().hex, "touchpoints": batch})


def _empty_commit(now: int) -> dict[str, Any]:
    names = ("checks", "persons", "retired", "recordMoves", "identifierMoves", "flags", "resolved")
    return {"now": now} | {name: [] for name in names}


async def _commit(store: GraphStore, params: dict[str, Any]) -> None:
    if not await store.run(COMMIT, params):
        raise SeedMismatchError(
            "the graph differs from the seed's plan (is the graph empty?); nothing of this batch was resolved"
        )


# The one Component holds every record and identifier as the stored graph has them, before resolution (no
# persons yet; versions and degrees as upsert_records and upsert_evidence leave them).


def _add_records(everything: Component, records: dict[str, ParsedRecord]) -> None:
    for record in records.values():
        _add_record(
            everything,
            RecordState(
                key=record.key,
                source=record.source,
                observed_at=record.observed_at,
                traits=record.traits,
                detached=False,
                version=1,
                degree=len({i.key for i in record.identifiers}),
                identifiers=sorted({i.key for i in record.identifiers if not i.blocked}),
                content_hash=record.content_hash,
                person=None,
            ),
            [(i.key, i.type, i.blocked) for i in record.identifiers],
        )


def _add_evidence(everything: Component, evidence: list[dict[str, Any]]) -> None:
    for row in evidence:
        identifiers = [(i["key"], i["type"], bool(i["blocked"])) for i in row["identifiers"]]
        _add_record(
            everything,
            RecordState(
                key=row["key"],
                source=row["source"],
                observed_at=row["observedAt"],
                traits={},
                detached=False,
                version=0,
                degree=len({k for k, _, _ in identifiers}),
                identifiers=sorted({k for k, _, blocked in identifiers if not blocked}),
                content_hash=row["contentHash"],
                person=None,
            ),
            identifiers,
        )


def _add_record(component: Component, state: RecordState, identifiers: list[tuple[str, str, bool]]) -> None:
    component.records[state.key] = state
    for key, type_, blocked in identifiers:
        identifier = component.identifiers.get(key)
        if identifier is None:
            identifier = component.identifiers[key] = IdentifierState(key, type_, blocked, False, [], None)
        if state.key not in identifier.records:
            identifier.records.append(state.key)


def _components(everything: Component) -> list[list[str]]:
    """Record keys grouped into components: records that share a linking identifier are one."""
    nodes = UnionFind()
    for key, state in everything.records.items():
        nodes.add(key)
        for identifier in state.identifiers:
            nodes.add(f"i:{identifier}")
            nodes.union(key, f"i:{identifier}")
    groups: dict[str, list[str]] = {}
    for key in everything.records:
        groups.setdefault(nodes.find(key), []).append(key)
    return list(groups.values())


def _component_of(everything: Component, record_keys: list[str]) -> Component:
    part = Component()
    for key in record_keys:
        state = everything.records[key]
        part.records[key] = state
        for identifier in state.identifiers:
            part.identifiers[identifier] = everything.identifiers[identifier]
    return part
