"""graphcdp's wheel ships the product only: the benchmarks and the data generator are graphcdp-bench."""

from __future__ import annotations

import zipfile
from pathlib import Path

from hatchling.builders.wheel import WheelBuilder

ROOT = Path(__file__).parents[2]


def test_the_wheel_holds_the_service_and_its_cypher_but_no_tooling(tmp_path: Path) -> None:
    wheel = next(WheelBuilder(str(ROOT)).build(directory=str(tmp_path), versions=["standard"]))
    names = zipfile.ZipFile(wheel).namelist()
    packages = {name.split("/")[1] for name in names if name.startswith("graphcdp/") and name.count("/") > 1}
    assert {"api", "cli", "identity", "store", "_cypher"} <= packages
    assert "graphcdp/wiring.py" in names and "graphcdp/_cypher/identity/commit_resolution.cypher" in names
    explorer = "graphcdp/api/static/explorer/"  # the page works offline: its assets and their licence ship
    assert {f"{explorer}index.html", f"{explorer}js/main.js", f"{explorer}vendor/cytoscape.esm.min.js"} <= set(names)
    assert f"{explorer}vendor/LICENSE.cytoscape" in names
    tooling = [name for name in names if "bench" in name or "datagen" in name]
    assert tooling == []
