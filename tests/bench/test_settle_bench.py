"""`graphcdp bench settle` at a tiny size: it runs end to end through every phase, and the service's own batch
with the settle on does settle (its log line). Nothing here looks at a time."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from graphcdp.settings import load_settings
from graphcdp.store.embedded import EmbeddedFalkorDB
from graphcdp_bench.settle import run_settle, settle_table


async def test_settle_bench_runs_every_phase(
    embedded_falkordb: EmbeddedFalkorDB, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="graphcdp.store.falkordb")
    result = await run_settle(
        load_settings(), embedded_falkordb, tmp_path, people=200, seed=3, probes=3, batch=10, batches=2, progress=False
    )
    assert [row["phase"] for row in result["phases"]] == [
        "after seeding, not settled",
        "after seeding, settled",
        "after the batches, not settled",
        "after the batches, settled",
        "after as many, settled by the service",
    ]
    for row in result["phases"]:
        assert row["upsert"]["count"] == row["raw"]["count"] == 3
    assert result["compaction"]["compacted"] is True
    # By the benchmark itself after seeding and after the first batches, then by the service after each of its own.
    assert sum("settled the graph" in r.getMessage() for r in caplog.records) == 4
    assert "after as many, settled by the service" in settle_table(result)
