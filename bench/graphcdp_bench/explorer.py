"""The explorer (/explorer) in headless Chromium: first paint of a person's page, and her identity graph of
about 200 nodes drawn, against `graphcdp serve` on a fresh embedded FalkorDB.

One person of `records` records, each with a session id of its own (a type declared for the run, with room
for them all in one person), all sharing one customer id: identityGraph from the customer id at depth 2
(what the page draws first) holds it, the records and the person (hop 1) and every session id (hop 2),
2 * records + 2 nodes. Each page load is a new tab on the person's page with the
key in sessionStorage, timed by the page itself (Paint Timing's first-contentful-paint, and the
`graph-drawn` mark the explorer sets once Cytoscape.js has laid the graph out), since navigation start.
Beside them, in the same run: identityGraph alone over HTTP, and the raw database reading the same
neighbourhood in one statement (cypher/bench/raw_neighbourhood.cypher), so the drawing's own share shows.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import time
from pathlib import Path
from typing import Any

from graphcdp.errors import StartupError
from graphcdp.model.identity import RecordInput
from graphcdp.settings import IdentifierTypeSetting, Settings
from graphcdp_bench.cypher import bench_statement
from graphcdp_bench.graphs import bench_server, bench_services
from graphcdp_bench.http_load import BENCH_KEY, BenchServer, graphql, http_client
from graphcdp_bench.latency import latency_summary

GRAPH = "bench_explorer"
RAW_NEIGHBOURHOOD = bench_statement("bench/raw_neighbourhood")
SHARED = "customer_id:bench-explorer"
SESSION_TYPE = "session_id"
SESSION_TYPE_SETTING = {SESSION_TYPE: {"kind": "id", "priority": 80, "limit": 10_000}}
KEY_ITEM = "graphcdp.explorer.apiKey"  # where the page keeps the key (static/explorer/js/api.js)
GRAPH_QUERY = """query($identifier: IdentifierInput!) {
  identityGraph(identifier: $identifier, depth: 2) { nodes { id } edges { source } }
}"""
# Read by the page once the graph is drawn: milliseconds since navigation start.
TIMINGS = """() => {
  const paint = performance.getEntriesByName('first-contentful-paint')[0];
  const drawn = performance.getEntriesByName('graph-drawn')[0];
  const graph = performance.getEntriesByName('graph', 'measure')[0];
  const draw = performance.getEntriesByName('graph-draw', 'measure')[0];
  return {firstPaint: paint ? paint.startTime : null, graphDrawn: drawn.startTime, graphRequestToDrawn: graph.duration,
          graphDraw: draw.duration, nodes: window.graphcdpExplorer.graph.cy.nodes().length};
}"""


# The same graph drawn again on the loaded page (what **Draw** does): the request, the drawing and its paint,
# without the page's own start.
REDRAW = """async (key) => {
  const started = performance.now();
  await window.graphcdpExplorer.graph.load(key, 2);
  return performance.now() - started;
}"""


def cluster(records: int) -> list[RecordInput]:
    shared = {"type": "customer_id", "value": SHARED.split(":", 1)[1]}
    return [
        RecordInput.model_validate(
            {
                "source": "web",
                "sourceId": str(n),
                "observedAt": 1_700_000_000_000 + n,
                "identifiers": [shared, {"type": SESSION_TYPE, "value": f"session-{n}"}],
                "traits": {"firstName": "Bench", "lastName": "Explorer"} if n == 0 else None,
            }
        )
        for n in range(records)
    ]


def _session_type() -> dict[str, IdentifierTypeSetting]:
    return {name: IdentifierTypeSetting.model_validate(value) for name, value in SESSION_TYPE_SETTING.items()}


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        raise StartupError("the explorer benchmark needs Chromium (`apt-get install chromium`)")
    return found


async def run_explorer(settings: Settings, work: Path, *, records: int = 99, loads: int = 7) -> dict[str, Any]:
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        raise StartupError("the explorer benchmark needs playwright (`pip install playwright`)") from None
    chromium = _chromium()
    database = work / "explorer-falkordb"
    shutil.rmtree(database, ignore_errors=True)
    server = bench_server(database, settings)
    await server.start()
    try:
        typed = settings.model_copy(update={"identifier_types": _session_type()})
        async with bench_services(server.url, GRAPH, typed, reset=True) as services:
            outcome = await services.identity.upsert_records(cluster(records))
            person_id = outcome.results[0].person_id
            raw_ms = []
            for _ in range(loads * 3):
                started = time.perf_counter()
                await services.store.run(RAW_NEIGHBOURHOOD, {"key": SHARED})
                raw_ms.append((time.perf_counter() - started) * 1000)
        settings_env = {
            "GRAPHCDP_GRAPH_NODE_LIMIT": str(max(500, 2 * records + 2)),
            "GRAPHCDP_IDENTIFIER_TYPES": json.dumps(SESSION_TYPE_SETTING),
        }
        async with BenchServer(server.url, GRAPH, settings=settings_env) as serve, http_client(serve.base_url) as http:
            api_ms = []
            variables = {"identifier": {"type": "customer_id", "value": SHARED.split(":", 1)[1]}}
            for _ in range(loads * 3):
                started = time.perf_counter()
                answer = await graphql(http, GRAPH_QUERY, variables)
                api_ms.append((time.perf_counter() - started) * 1000)
            nodes = len(answer["identityGraph"]["nodes"])
            pages = await _page_loads(async_playwright, chromium, serve.base_url, person_id, loads)
    finally:
        await server.stop()
        shutil.rmtree(database, ignore_errors=True)
    return {
        "loadAverage": round(os.getloadavg()[0], 1),  # other work on the machine stretches every figure
        "cores": os.cpu_count(),
        "records": records,
        "nodes": nodes,
        "edges": len(answer["identityGraph"]["edges"]),
        "loads": loads,
        "firstPaintMs": latency_summary([p["firstPaint"] for p in pages]),
        "graphDrawnMs": latency_summary([p["graphDrawn"] for p in pages]),
        "graphRequestToDrawnMs": latency_summary([p["graphRequestToDrawn"] for p in pages]),
        "graphDrawMs": latency_summary([p["graphDraw"] for p in pages]),
        "graphRedrawnMs": latency_summary([p["redrawn"] for p in pages]),
        "identityGraphHttpMs": latency_summary(api_ms),
        "rawCypherMs": latency_summary(raw_ms),
        "drawnNodes": statistics.median(p["nodes"] for p in pages),
    }


async def _page_loads(playwright_factory: Any, chromium: str, base_url: str, person_id: str, loads: int) -> list[Any]:
    """`loads` fresh tabs on the person's page (one warm-up first: the browser's own start is not the page's)."""
    async with playwright_factory() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            context = await browser.new_context(viewport={"width": 1400, "height": 1000})
            await context.add_init_script(f"sessionStorage.setItem({KEY_ITEM!r}, {BENCH_KEY!r})")
            timings = []
            for load in range(loads + 1):
                page = await context.new_page()
                await page.goto(f"{base_url}/explorer/#/person/{person_id}")
                await page.wait_for_function("() => performance.getEntriesByName('graph-drawn').length > 0")
                if load > 0:
                    timings.append(await page.evaluate(TIMINGS))
                    timings[-1]["redrawn"] = await page.evaluate(REDRAW, SHARED)
                await page.close()
            return timings
        finally:
            await browser.close()


def explorer_table(result: dict[str, Any]) -> str:
    p50 = {name: result[name]["p50"] for name in result if name.endswith("Ms")}
    rows = [
        f"explorer, a person's page with her identity graph of {result['nodes']} nodes and {result['edges']} edges "
        f"({result['records']} records), {result['loads']} page loads in headless Chromium, p50 (max); "
        f"load average {result['loadAverage']} on {result['cores']} cores:",
        f"  first paint (navigation) {p50['firstPaintMs']:8.1f} ms ({result['firstPaintMs']['max']:.1f})",
        f"  graph drawn (navigation) {p50['graphDrawnMs']:8.1f} ms ({result['graphDrawnMs']['max']:.1f})",
        f"    request → drawn        {p50['graphRequestToDrawnMs']:8.1f} ms",
        f"    answer → drawn         {p50['graphDrawMs']:8.1f} ms (layout and paint in the page)",
        f"  drawn again on the page  {p50['graphRedrawnMs']:8.1f} ms ({result['graphRedrawnMs']['max']:.1f})",
        f"  identityGraph over HTTP  {p50['identityGraphHttpMs']:8.1f} ms",
        f"  raw Cypher neighbourhood {p50['rawCypherMs']:8.1f} ms",
        f"  identityGraph / raw      {p50['identityGraphHttpMs'] / max(p50['rawCypherMs'], 1e-6):8.1f} x",
    ]
    return "\n".join(rows)
