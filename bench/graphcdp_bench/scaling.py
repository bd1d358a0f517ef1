"""Scaling benchmark: does the cost of one operation stay flat as the graph grows?

For each size it generates N true people, seeds a fresh graph with what graphcdp would build from them
(graphcdp_bench.seed: the resolver's own plan, written with graphcdp's own statements, so a million people
take minutes rather than hours), and then measures, beside the raw database doing the same work:

- the context lookup over HTTP (graphcdp_bench.lookup, one client);
- single-record upserts in-process (no HTTP, so only graphcdp and the database are timed): half of them new
  people, half new records carrying an identifier a person of the graph already has, so resolution reads
  and merges real components; the raw side MERGEs the same record's nodes and edges with a known person;
- database memory per person (`GRAPH.MEMORY USAGE`).

Each size gets its own graph, dropped after it is measured.
"""

from __future__ import annotations

import json
import random
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from graphcdp.identity.input import parse_record_item
from graphcdp.identity.service import IdentityService, record_param
from graphcdp.model.identity import ItemError, RecordInput
from graphcdp.settings import Settings
from graphcdp.store.embedded import EmbeddedFalkorDB
from graphcdp_bench.datagen import GeneratorConfig, write_dataset
from graphcdp_bench.graphs import bench_services, falkordb
from graphcdp_bench.http_load import sample_identifiers
from graphcdp_bench.ingest import RAW_RECORDS
from graphcdp_bench.latency import latency_summary
from graphcdp_bench.lookup import run_lookup
from graphcdp_bench.seed import seed_graph

PROBE_SOURCE = "bench_probe"


def dataset(work: Path, people: int, seed: int, *, progress: bool) -> Path:
    """The generated data set of this size and seed, generated once and reused by later runs."""
    data = work / f"data-{people}-{seed}"
    if not (data / "manifest.json").exists():
        write_dataset(data, GeneratorConfig(people=people, seed=seed), progress=progress)
    return data


def probe_records(existing: Sequence[tuple[str, str]], count: int, seed: int) -> list[dict[str, Any]]:
    """Records to upsert one at a time: even ones are new people, odd ones carry an existing identifier."""
    rng = random.Random(seed)
    records = []
    for n in range(count):
        identifiers = [{"type": "cookie_id", "value": f"probe-{seed}-{n}"}]
        if n % 2 and existing:
            type_, value = rng.choice(existing)
            identifiers.append({"type": type_, "value": value})
        else:
            identifiers.append({"type": "email", "value": f"probe.{seed}.{n}@scaling.example"})
        records.append({
            "source": PROBE_SOURCE, "sourceId": f"{seed}-{n}", "observedAt": 1_750_000_000_000 + n,
            "identifiers": identifiers, "traits": {"firstName": f"Probe{n}", "lastName": "Scaling"},
        })  # fmt: skip
    return records


async def _upsert_costs(identity: IdentityService, records: list[dict[str, Any]]) -> tuple[list[float], list[float]]:
    """Milliseconds per single-record upsert through graphcdp, then for the raw MERGE of the same record."""
    store = identity.store
    ours: list[float] = []
    for record in records:
        started = time.perf_counter()
        outcome = await identity.upsert_records([RecordInput.model_validate(record)])
        ours.append((time.perf_counter() - started) * 1000)
        if outcome.errors:
            raise RuntimeError(f"probe upsert failed: {outcome.errors[0]}")
    raw: list[float] = []
    for index, record in enumerate(records):
        parsed = parse_record_item(index, record | {"source": f"{PROBE_SOURCE}_raw"}, identity.rules.policy)
        if isinstance(parsed, ItemError):
            raise RuntimeError(f"probe record {index}: {parsed.message}")
        row = record_param(parsed) | {"person": str(uuid.uuid4())}
        started = time.perf_counter()
        await store.run(RAW_RECORDS, {"records": [row]})
        raw.append((time.perf_counter() - started) * 1000)
    return ours, raw


async def measure_size(
    server: EmbeddedFalkorDB,
    settings: Settings,
    data: Path,
    *,
    probes: int,
    lookups: int,
    seed: int,
    progress: bool,
) -> dict[str, Any]:
    manifest = json.loads((data / "manifest.json").read_text(encoding="utf-8"))
    graph = f"bench_scaling_{manifest['people']}"
    # reset: a graph left by an interrupted run
    async with bench_services(server.url, graph, settings, reset=True) as services:
        try:
            store = services.store
            report = await seed_graph(store, services.identity.rules, data, progress=progress)
            memory_mb = await falkordb(services).memory_mb()
            lookup = await run_lookup(server.url, graph, clients=(1,), queries=lookups, seed=seed)
            existing = [(s.type, s.value) for s in await sample_identifiers(store, probes)]
            ours, raw = await _upsert_costs(services.identity, probe_records(existing, probes, seed))
        finally:
            await services.store.destroy()
    upsert = {"graphcdp": latency_summary(ours), "raw": latency_summary(raw)}
    upsert["ratio"] = round(upsert["graphcdp"]["p50"] / upsert["raw"]["p50"], 2)
    return {
        "people": manifest["people"],
        "seed": report.to_dict(),
        "memory": {"mb": round(memory_mb, 1), "bytesPerPerson": round(memory_mb * 2**20 / manifest["people"])},
        "upsert": upsert,
        "lookup": {
            "graphcdp": lookup["graphcdp"]["1"],
            "raw": lookup["raw"]["1"],
            "ratio": lookup["ratio"]["1"]["p50"],
        },
    }


async def run_scaling(
    settings: Settings,
    server: EmbeddedFalkorDB,
    work: Path,
    *,
    sizes: Sequence[int],
    seed: int = 1,
    probes: int = 500,
    lookups: int = 500,
    progress: bool = True,
    on_size: Callable[[dict[str, Any]], object] | None = None,
) -> dict[str, Any]:
    """Every size in turn; `on_size` gets the result so far after each one, so a long run that is stopped
    (a million people take over an hour on 2 cores) keeps the sizes it finished."""
    measured: list[dict[str, Any]] = []
    for people in sizes:
        data = dataset(work, people, seed, progress=progress)
        measured.append(
            await measure_size(server, settings, data, probes=probes, lookups=lookups, seed=seed, progress=progress)
        )
        if on_size is not None:
            on_size(_scaling_result(measured))
    return _scaling_result(measured)


def _scaling_result(measured: list[dict[str, Any]]) -> dict[str, Any]:
    first, last = measured[0], measured[-1]
    return {
        "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "sizes": list(measured),
        # Growth of the p50 from the smallest to the largest graph: 1.0 is perfectly flat.
        "growth": {
            operation: round(last[operation]["graphcdp"]["p50"] / first[operation]["graphcdp"]["p50"], 2)
            for operation in ("upsert", "lookup")
        },
    }


def scaling_table(result: dict[str, Any]) -> str:
    lines = [
        "scaling: p50 per operation as the graph grows (graphcdp beside the raw database)",
        f"{'people':>10} {'records':>10} {'upsert ms':>10} {'raw':>7} {'ratio':>6} "
        f"{'lookup ms':>10} {'raw':>7} {'ratio':>6} {'kB/person':>10}",
    ]
    for size in result["sizes"]:
        up, look = size["upsert"], size["lookup"]
        lines.append(
            f"{size['people']:>10,} {size['seed']['records']:>10,} {up['graphcdp']['p50']:>10.2f} "
            f"{up['raw']['p50']:>7.2f} {up['ratio']:>5.1f}x {look['graphcdp']['p50']:>10.2f} "
            f"{look['raw']['p50']:>7.2f} {look['ratio']:>5.1f}x {size['memory']['bytesPerPerson'] / 1024:>10.1f}"
        )
    growth = result["growth"]
    lines.append(f"growth of p50 from smallest to largest: upsert {growth['upsert']}x, lookup {growth['lookup']}x")
    return "\n".join(lines)
