"""`graphcdp bench segments` at a tiny size: it runs end to end, and every compiled segment holds exactly the
persons its hand-written Cypher holds (so the ratios compare the same work). Nothing here looks at a time."""

from __future__ import annotations

from pathlib import Path

from graphcdp.settings import load_settings
from graphcdp.store.embedded import EmbeddedFalkorDB
from graphcdp_bench.segments import SEGMENTS, run_segments, segments_table


async def test_segments_bench_agrees_with_raw_cypher(embedded_falkordb: EmbeddedFalkorDB, tmp_path: Path) -> None:
    result = await run_segments(
        load_settings(), embedded_falkordb, tmp_path, people=300, seed=3, upserts=4, lookups=4, progress=False
    )
    rows = result["evaluations"]
    assert [row["key"] for row in rows] == [segment.key for segment in SEGMENTS] and len(rows) == 20
    for row in rows:
        assert row["members"] == row["rawMembers"], row
    assert sum(1 for row in rows if row["members"]) >= 15  # the data set fills most of them
    assert result["upsert"]["with"]["count"] == result["upsert"]["without"]["count"] == 4
    assert result["context"]["with"]["count"] == 4
    assert "all 20" in segments_table(result)
