"""Single upserts right after a bulk load, with and without the store's settle (GraphStore.settle), beside the raw
write of the same record, on one graph in one run.

FalkorDB leaves the changes of bulk writes pending in its matrices, and every later write that creates an edge or
a labelled node then pays for all of them (docs/performance.md, "Writes after a bulk load"). The graph is seeded
by the benchmark seeder without its closing settle, then, in turn: single upserts (unsettled after seeding); the
settle, timed; single upserts (settled); `batches` batches of `batch` new people's records through the identity
service (what `upsertRecords` and `graphcdp import` run) with the settle off; single upserts (unsettled after
them); the settle, timed; single upserts (settled); as many batches with the settle on, as the service runs
(a settle after each); single upserts (settled by the service); and
last, for its cost beside the settle's, one more batch with the settle off and a compaction (BGREWRITEAOF) timed.
Each phase times its single upserts in process, then the raw MERGE (cypher/bench/raw_records.cypher, one record per
statement) of as many new people's records.
"""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from graphcdp.identity.input import parse_record_item
from graphcdp.identity.service import IdentityService, record_param
from graphcdp.model.identity import ItemError, RecordInput
from graphcdp.settings import Settings
from graphcdp.store.embedded import EmbeddedFalkorDB
from graphcdp_bench.graphs import bench_services
from graphcdp_bench.http_load import sample_identifiers
from graphcdp_bench.ingest import RAW_RECORDS
from graphcdp_bench.latency import latency_summary
from graphcdp_bench.scaling import dataset, probe_records
from graphcdp_bench.seed import seed_graph

BENCH_KEY = "settle-bench-admin-key-0123456789abcdef"


async def run_settle(
    settings: Settings,
    server: EmbeddedFalkorDB,
    work: Path,
    *,
    people: int,
    seed: int = 1,
    probes: int = 60,
    batch: int = 1000,
    batches: int = 5,
    progress: bool = True,
) -> dict[str, Any]:
    data = dataset(work, people, seed, progress=progress)
    manifest = json.loads((data / "manifest.json").read_text(encoding="utf-8"))
    bench_settings = settings.model_copy(
        update={"admin_key": SecretStr(BENCH_KEY), "rate_limit": 0, "max_batch_size": max(batch, 1)}
    )
    phases: list[dict[str, Any]] = []
    async with bench_services(server.url, f"bench_settle_{people}", bench_settings, reset=True) as services:
        identity, store = services.identity, services.store
        try:
            await seed_graph(store, identity.rules, data, progress=progress, settle=False)
            existing = [(s.type, s.value) for s in await sample_identifiers(store, probes)]
            seeds = iter(range(seed + 1000, seed + 2000))

            async def measure(phase: str, **extra: Any) -> None:
                ours = await _upsert_costs(identity, probe_records(existing, probes, next(seeds)))
                raw = await _raw_costs(identity, probe_records([], probes, next(seeds)))
                phases.append({"phase": phase, "upsert": latency_summary(ours), "raw": latency_summary(raw), **extra})
                if progress:
                    row = phases[-1]
                    print(f"{phase}: upsert p50 {row['upsert']['p50']} ms, raw p50 {row['raw']['p50']} ms", flush=True)

            async def bulk(settle_every: int, count: int) -> float:
                identity.settle.every = settle_every
                started = time.perf_counter()
                for _ in range(count):
                    await one_batch()
                identity.settle.every = 0
                return round((time.perf_counter() - started) * 1000, 1)

            async def one_batch() -> None:
                # New people only: records linking to the sampled identifiers would grow their components, and the
                # phases after would measure that instead of the database's state.
                records = [RecordInput.model_validate(r) for r in probe_records([], batch, next(seeds))]
                outcome = await identity.upsert_records(records)
                if outcome.errors:
                    raise RuntimeError(f"batch upsert failed: {outcome.errors[0]}")

            identity.settle.every = 0  # the single upserts of a phase leave its state as it is
            await measure("after seeding, not settled")
            started = time.perf_counter()
            await store.settle()
            await measure("after seeding, settled", settleMs=round((time.perf_counter() - started) * 1000, 1))
            await measure("after the batches, not settled", batchesMs=await bulk(0, batches))
            started = time.perf_counter()
            await store.settle()
            await measure("after the batches, settled", settleMs=round((time.perf_counter() - started) * 1000, 1))
            await measure("after as many, settled by the service", batchesMs=await bulk(batch, batches))
            batch_ms = await bulk(0, 1)
            started = time.perf_counter()
            compacted = await server.compact()
            compaction = {"batchMs": batch_ms, "compacted": compacted}
            compaction["compactionMs"] = round((time.perf_counter() - started) * 1000, 1)
        finally:
            await store.destroy()
    return {
        "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "people": manifest["people"],
        "probes": probes,
        "batch": batch,
        "batches": batches,
        "phases": phases,
        "compaction": compaction,
    }


async def _upsert_costs(identity: IdentityService, records: list[dict[str, Any]]) -> list[float]:
    costs: list[float] = []
    for record in records:
        started = time.perf_counter()
        outcome = await identity.upsert_records([RecordInput.model_validate(record)])
        costs.append((time.perf_counter() - started) * 1000)
        if outcome.errors:
            raise RuntimeError(f"probe upsert failed: {outcome.errors[0]}")
    return costs


async def _raw_costs(identity: IdentityService, records: list[dict[str, Any]]) -> list[float]:
    """The raw MERGE of new people's records (identifiers of their own: the raw records, which resolution never
    saw, stay out of graphcdp's components)."""
    costs: list[float] = []
    for index, record in enumerate(records):
        parsed = parse_record_item(index, record | {"source": "settle_raw"}, identity.rules.policy)
        if isinstance(parsed, ItemError):
            raise RuntimeError(f"raw record {index}: {parsed.message}")
        row = record_param(parsed) | {"person": str(uuid.uuid4())}
        started = time.perf_counter()
        await identity.store.run(RAW_RECORDS, {"records": [row]})
        costs.append((time.perf_counter() - started) * 1000)
    return costs


def settle_table(result: dict[str, Any]) -> str:
    lines = [
        f"single upserts after a bulk load, {result['people']:,} people, {result['probes']} per phase",
        "| phase | upsert p50 / p99 ms | raw write p50 / p99 ms | upsert / raw (p50) | note |",
        "| --- | --- | --- | --- | --- |",
    ]
    for row in result["phases"]:
        ours, raw = row["upsert"], row["raw"]
        note = ", ".join(f"{k} {v}" for k, v in row.items() if k.endswith("Ms"))
        ratio = ours["p50"] / raw["p50"] if raw["p50"] else 0.0
        lines.append(
            f"| {row['phase']} | {ours['p50']:.1f} / {ours['p99']:.1f} | {raw['p50']:.1f} / {raw['p99']:.1f} "
            f"| {ratio:.1f}x | {note} |"
        )
    compaction = result["compaction"]
    lines.append(
        f"compaction (BGREWRITEAOF) after a batch of {result['batch']} not settled: {compaction['compactionMs']} ms"
    )
    return "\n".join(lines)
