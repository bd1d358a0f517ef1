"""`graphcdp bench explorer` at a tiny size, so it cannot rot: the page draws the whole cluster it seeds, and
every figure is read from the page. Nothing here looks at a time."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from graphcdp.settings import load_settings
from graphcdp_bench.explorer import explorer_table, run_explorer

if shutil.which("chromium") is None and shutil.which("chromium-browser") is None:
    if os.environ.get("CI"):  # .ci/run installs it
        pytest.fail("no Chromium on CI: .ci/run should have installed it", pytrace=False)
    pytest.skip("no Chromium installed (`apt-get install chromium`)", allow_module_level=True)
pytest.importorskip("playwright.async_api", reason="playwright is not installed")


async def test_the_explorer_benchmark_draws_the_cluster_it_seeds(tmp_path: Path) -> None:
    result = await run_explorer(load_settings(), tmp_path, records=5, loads=1)
    assert result["nodes"] == 12 and result["drawnNodes"] == 12  # a customer id, 5 records, her person, 5 sessions
    assert result["edges"] == 5 * 2 + 5 + 6  # HAS twice per record, OF from each record and identifier
    for figure in ("firstPaintMs", "graphDrawnMs", "graphDrawMs", "identityGraphHttpMs", "rawCypherMs"):
        assert result[figure]["count"] >= 1, figure
    assert "identity graph of 12 nodes" in explorer_table(result)
