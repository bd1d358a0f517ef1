"""`graphcdp bench ingest`: run the ingest benchmark end to end on a fresh embedded FalkorDB, print a
table and write the results as JSON."""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from graphcdp.settings import Settings
from graphcdp.store.embedded import EmbeddedFalkorDB
from graphcdp_bench.cpu import database_pid
from graphcdp_bench.datagen import GeneratorConfig, write_dataset
from graphcdp_bench.graphs import bench_server, bench_services, falkordb
from graphcdp_bench.ingest import RawSide, graphcdp_ingest, quality, record_persons

INGEST_GRAPH = "bench_graphcdp"  # the graph graphcdp built; later benchmarks of the suite run on it
RAW_GRAPH = "bench_raw"


async def run_ingest(
    settings: Settings,
    *,
    people: int,
    seed: int,
    data: Path | None,
    batch_size: int,
    progress: bool = True,
    keep: Path | None = None,
) -> dict[str, Any]:
    """The ingest benchmark on its own fresh embedded FalkorDB: removed afterwards, or kept in `keep` (a
    directory emptied first) so `graphcdp bench upsert|lookup --database` can measure on the graph built."""
    work = Path(tempfile.mkdtemp(prefix="graphcdp-bench-"))
    if data is None:
        data = work / "data-set"
        write_dataset(data, GeneratorConfig(people=people, seed=seed), progress=progress)
    if keep is not None:
        shutil.rmtree(keep, ignore_errors=True)
    server = bench_server(keep or work / "falkordb", settings)
    await server.start()
    try:
        return await ingest_on(server, settings, data, batch_size=batch_size, progress=progress)
    finally:
        await server.stop()
        shutil.rmtree(work, ignore_errors=True)


async def ingest_on(
    server: EmbeddedFalkorDB, settings: Settings, data: Path, *, batch_size: int, progress: bool
) -> dict[str, Any]:
    """The ingest benchmark on a running server, into fresh graphs INGEST_GRAPH and RAW_GRAPH. The raw graph
    is dropped afterwards; graphcdp's graph stays for the benchmarks that follow."""
    manifest = json.loads((data / "manifest.json").read_text(encoding="utf-8"))
    # The benchmark's batches may exceed the API's default limit: raised to fit, as GRAPHCDP_MAX_BATCH_SIZE would be.
    settings = settings.model_copy(update={"max_batch_size": max(settings.max_batch_size, batch_size)})
    async with (
        bench_services(server.url, INGEST_GRAPH, settings, reset=True) as ours,
        bench_services(server.url, RAW_GRAPH, settings, reset=True) as raw,
    ):
        database = await database_pid(server.url)
        raw_side = RawSide(ours.store, raw.store, settings, database)  # each batch written raw right after graphcdp's
        measured = await graphcdp_ingest(ours, data, batch_size, progress=progress, raw=raw_side, database_pid=database)
        baseline = raw_side.throughput()
        persons = await record_persons(ours.store)
        memory = {"graphcdpMb": await falkordb(ours).memory_mb(), "rawMb": await falkordb(raw).memory_mb()}
        await raw.store.destroy()
    return {
        "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "people": manifest["people"],
        "seed": manifest["seed"],
        "batchSize": batch_size,
        "graphcdp": {kind: t.to_dict() for kind, t in measured.items()},
        "raw": {kind: t.to_dict() for kind, t in baseline.items()},
        "ratio": {
            kind: round(measured[kind].seconds / baseline[kind].seconds, 2) for kind in measured if kind in baseline
        },
        "quality": quality(data, persons),
        "memory": memory | {"bytesPerPerson": round(memory["graphcdpMb"] * 2**20 / max(manifest["people"], 1))},
    }


def ingest_table(result: dict[str, Any]) -> str:
    lines = [
        f"ingest, {result['people']:,} people (seed {result['seed']}, batches of {result['batchSize']})",
        f"{'':12} {'items':>10} {'graphcdp /s':>12} {'raw MERGE /s':>13} {'ratio':>7} {'of raw':>7} "
        f"{'last/first tenth':>17}",
    ]
    for kind, ours in result["graphcdp"].items():
        raw = result["raw"].get(kind, {})
        share = ours["perSecond"] / raw["perSecond"] if raw.get("perSecond") else 0.0
        lines.append(
            f"{kind:12} {ours['items']:>10,} {ours['perSecond']:>12,.0f} {raw.get('perSecond', 0):>13,.0f} "
            f"{result['ratio'].get(kind, 0):>6.1f}x {share:>7.0%} {ours.get('lastOverFirst') or 0:>17.2f}"
        )
        tenths = " ".join(f"{rate:,.0f}" for rate in ours.get("tenths", []))
        lines.append(f"{'':12} graphcdp per tenth of the batches /s: {tenths}")
        if (spent := ours.get("cpuMsPerItem")) and (raw_spent := raw.get("cpuMsPerItem")):
            lines.append(f"{'':12} CPU per item, ms: " + _cpu_beside(spent, raw_spent))
    q = result["quality"]
    lines.append(
        f"quality: precision {q['precision']:.4f}  recall {q['recall']:.4f}  F1 {q['f1']:.4f}  "
        f"persons {q['predictedPersons']:,} / true {q['truePeople']:,}  over-merged {q['overMergedPersons']:,}  "
        f"split {q['splitPeople']:,}"
    )
    m = result["memory"]
    lines.append(
        f"memory: graphcdp graph {m['graphcdpMb']:.0f} MB ({m['bytesPerPerson']:,} bytes/person), "
        f"raw {m['rawMb']:.0f} MB"
    )
    return "\n".join(lines)


def _cpu_beside(ours: dict[str, float], raw: dict[str, float]) -> str:
    """graphcdp's CPU per item beside the raw side's, each kind of process with its ratio."""
    parts = []
    for name, ms in ours.items():
        if (base := raw.get(name)) is not None:
            parts.append(f"{name} {ms:.3f} against {base:.3f} raw" + (f" ({ms / base:.1f}x)" if base else ""))
    return ", ".join(parts)
