"""`wrk` as the load generator of the HTTP benchmarks: a C program that keeps `clients` connections busy
for a fixed time, so that the generator's own CPU (httpx spent 1.5 to 2.2 ms per lookup, as much as the
service: bench/README.md) stays out of a two-core machine's figures.

Each connection sends the prepared GraphQL bodies in turn; every answer is checked (HTTP 200, no `errors`,
the `expect` text present) by the script, and a level with any failed answer raises instead of being
timed. `wrk` comes from the system (Debian's package `wrk`); without it the benchmark says so.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from graphcdp_bench.http_load import BENCH_KEY, BenchRequestError
from graphcdp_bench.latency import DISTRIBUTION_POINTS

WARMUP_SECONDS = 2

# Lua for wrk, one script per level. Each thread's connections walk the bodies from their
# own offset; `done` prints one JSON line the benchmark reads. Percentiles come from wrk's own histogram.
_SCRIPT = """
local bodies = {}
for line in io.lines(__BODIES__) do bodies[#bodies + 1] = line end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = __AUTHORIZATION__
local expect = __EXPECT__
local threads = {}
local started = 0

function setup(thread)
  thread:set("offset", started * 7919)
  started = started + 1
  table.insert(threads, thread)
end

function init(args)
  sent = offset
  failures = 0
  first_failure = ""
end

function request()
  sent = sent + 1
  return wrk.format(nil, "/graphql", nil, bodies[(sent % #bodies) + 1])
end

function response(status, headers, body)
  if status ~= 200 or body:find('"errors"', 1, true) or not body:find(expect, 1, true) then
    failures = failures + 1
    if first_failure == "" then first_failure = status .. " " .. body:sub(1, 500) end
  end
end

function done(summary, latency, requests)
  local failed, first = 0, ""
  for _, thread in ipairs(threads) do
    failed = failed + thread:get("failures")
    if first == "" then first = thread:get("first_failure") end
  end
  local quantiles = {}
  for k = 0, __POINTS__ - 2 do  -- wrk answers 0 for the 100th percentile: the last point is the maximum
    quantiles[#quantiles + 1] = string.format("%.3f", latency:percentile(100 * k / (__POINTS__ - 1)) / 1000)
  end
  quantiles[#quantiles + 1] = string.format("%.3f", latency.max / 1000)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "seconds": %.6f, "p50": %.3f, "p95": %.3f, "p99": %.3f, "mean": %.3f, "max": %.3f, ' ..
    '"failed": %d, "socketErrors": %d, "quantilesMs": [%s], "firstFailure": "%s"}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.mean / 1000, latency.max / 1000, failed,
    e.connect + e.read + e.write + e.timeout, table.concat(quantiles, ", "),
    (first:gsub('[^%w%p ]', ' '):gsub('["\\\\]', "'"))))
end
"""


def wrk_path() -> str:
    """The `wrk` program, or BenchRequestError saying how to get it."""
    found = shutil.which("wrk")
    if found is None:
        raise BenchRequestError("the wrk load generator is not installed (Debian: apt-get install wrk)")
    return found


def _lua_string(text: str) -> str:
    return json.dumps(text)  # a JSON string literal is a valid Lua string literal for this text


def run_wrk(base_url: str, bodies: Sequence[str], *, clients: int, seconds: float, expect: str) -> dict[str, Any]:
    """`clients` connections sending `bodies` in turn to `base_url`/graphql for `seconds`, after a warm-up
    of WARMUP_SECONDS; the level's summary in latency_summary's shape (p50/p95/p99/mean/max ms,
    requestsPerSecond, quantilesMs). Raises BenchRequestError if any answer failed its check."""
    program = wrk_path()
    with tempfile.TemporaryDirectory(prefix="graphcdp-wrk-") as folder:
        body_file = Path(folder) / "bodies.jsonl"
        body_file.write_text("".join(body + "\n" for body in bodies), encoding="utf-8")
        script = Path(folder) / "level.lua"
        text = _SCRIPT
        for placeholder, value in (
            ("__BODIES__", _lua_string(str(body_file))),
            ("__AUTHORIZATION__", _lua_string(f"Bearer {BENCH_KEY}")),
            ("__EXPECT__", _lua_string(expect)),
            ("__POINTS__", str(DISTRIBUTION_POINTS)),
        ):
            text = text.replace(placeholder, value)
        script.write_text(text, encoding="utf-8")
        # One wrk thread: it drives hundreds of connections on its own, and a second would take a core the
        # service and the database need.
        command = [program, "-t1", f"-c{clients}", "--timeout", "30s", "-s", str(script), base_url]
        _run([*command, f"-d{WARMUP_SECONDS}s"])
        level = _run([*command, f"-d{seconds:g}s"])
    if level["failed"] or level["socketErrors"]:
        raise BenchRequestError(
            f"wrk at {clients} clients: {level['failed']} answers failed their check and "
            f"{level['socketErrors']} had socket errors; first: {level['firstFailure']}"
        )
    return {
        "count": level["requests"],
        "p50": level["p50"],
        "p95": level["p95"],
        "p99": level["p99"],
        "mean": round(level["mean"], 3),
        "max": level["max"],
        "quantilesMs": level["quantilesMs"],
        "requestsPerSecond": round(level["requests"] / level["seconds"], 1),
        "generator": "wrk",
    }


def _run(command: list[str]) -> dict[str, Any]:
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=600)
    if done.returncode != 0:
        raise BenchRequestError(f"wrk exited with {done.returncode}: {done.stderr.strip()[:500]}")
    for line in reversed(done.stdout.splitlines()):
        if line.startswith("{"):
            result: dict[str, Any] = json.loads(line)
            return result
    raise BenchRequestError(f"wrk printed no summary: {done.stdout[-500:]}")
