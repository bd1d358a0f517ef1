"""Each benchmark runs end to end at a tiny size, so it cannot rot. Nothing here looks at a time."""

from __future__ import annotations

from pathlib import Path

from graphcdp.settings import load_settings
from graphcdp_bench.datagen import GeneratorConfig, write_dataset
from graphcdp_bench.run import ingest_table, run_ingest


async def test_ingest_benchmark_runs_both_sides_and_scores_quality(tmp_path: Path) -> None:
    data = tmp_path / "set"
    manifest = write_dataset(data, GeneratorConfig(people=40, seed=3), progress=False)
    result = await run_ingest(load_settings(), people=40, seed=3, data=data, batch_size=50, progress=False)
    for side in ("graphcdp", "raw"):
        assert result[side]["records"]["items"] == manifest["records"]
        assert result[side]["touchpoints"]["items"] == manifest["touchpoints"]
    assert set(result["ratio"]) == {"records", "touchpoints"}
    assert result["quality"]["truePeople"] == 40 and result["quality"]["missing"] == 0
    table = ingest_table(result)
    assert "records" in table and "quality: precision" in table
