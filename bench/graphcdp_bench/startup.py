"""How long graphcdp's start takes on a kept graph, beside the database's own load of it.

On a copy of the graph `graphcdp bench ingest --keep` left: the embedded database's start, loading its files (the
raw side: no start of graphcdp can be quicker), then graphcdp's services opened on it three times:
- `repair`: every start-up migration and crash repair made (`graphcdp repair`), which is what every start cost
  before the runs of graphcdp were recorded on the graph (graphcdp/identity/startup.py);
- `clean`: after a clean stop, what a start costs now;
- `killed`: after a run whose process was killed (a real process, killed, its run recorded as its start would
  have), when the crash repairs are needed.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from graphcdp.lifecycle.runs import ProcessIdentity, ServiceRun
from graphcdp.settings import Settings
from graphcdp_bench.graphs import bench_services
from graphcdp_bench.run import INGEST_GRAPH
from graphcdp_bench.suite import kept_graph_copy


def _killed_process() -> ProcessIdentity:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    identity = ProcessIdentity.of(child.pid)
    child.kill()
    child.wait()
    if identity is None:
        raise RuntimeError("the process to kill ended before it could be seen")
    return identity


async def _start(settings: Settings, url: str, *, repair: bool = False) -> dict[str, Any]:
    started = time.perf_counter()
    async with bench_services(url, INGEST_GRAPH, settings, repair=repair) as services:
        took = time.perf_counter() - started
        report = services.identity.startup.report
    return {"seconds": round(took, 3), "repaired": report.repaired, "resolved": report.resolved}


async def run_startup(settings: Settings, database: Path) -> dict[str, Any]:
    async with kept_graph_copy(settings, database) as kept:
        url = kept.server.url
        starts = {"repair": await _start(settings, url, repair=True)}
        starts["clean"] = await _start(settings, url)
        async with bench_services(url, INGEST_GRAPH, settings) as services:
            await ServiceRun(services.store, process=_killed_process()).record()
        starts["killed"] = await _start(settings, url)
    return {"databaseLoadSeconds": round(kept.load_seconds, 3), "starts": starts}


def startup_table(result: dict[str, Any]) -> str:
    load = result["databaseLoadSeconds"]
    lines = [f"the database loading the graph (raw): {load:.2f} s", "start of graphcdp's services on it:"]
    what = {
        "repair": "every migration and crash repair (each start before runs were recorded)",
        "clean": "after a clean stop",
        "killed": "after a killed run (the crash repairs)",
    }
    for name, start in result["starts"].items():
        share = f", {start['seconds'] / load:.3f}x the load" if load else ""
        lines.append(f"  {what[name]}: {start['seconds']:.2f} s{share}")
    return "\n".join(lines)
