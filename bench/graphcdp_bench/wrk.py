"""`wrk` as the load generator of the HTTP benchmarks: a C program that keeps `clients` connections busy
for a fixed time, so that the generator's own CPU (httpx spent 1.5 to 2.2 ms per lookup, as much as the
service: bench/README.md) stays out of a two-core machine's figures.

Either every connection sends the next of one list of prepared GraphQL bodies (lookups: `run_wrk`), or each
connection sends a sequence of its own in order (upserts, where a record may name what the connection's previous
one created: `run_wrk_sequences`). Every answer is checked by the script (HTTP 200, the `expect` text present,
the `refuse` text absent), and a level with any failed answer raises instead of being timed. `wrk` comes from the
system (Debian's package `wrk`); without it the benchmark says so.
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

# Lua for wrk, one script per level; `done` prints one JSON line the benchmark reads. Percentiles come from wrk's
# own histogram.
_SCRIPT = """
-- Shared: every connection takes the next of one list of bodies. Per connection: one wrk thread per connection,
-- thread k sends the bodies of file k in order, each after the answer to the one before.
local per_connection = __PER_CONNECTION__
local folder = __FOLDER__
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = __AUTHORIZATION__
local expect = __EXPECT__
local refuse = __REFUSE__
local threads = {}
local started = 0

local function load(name)
  local list = {}
  for line in io.lines(folder .. "/" .. name) do list[#list + 1] = line end
  return list
end

function setup(thread)
  thread:set("number", started)
  started = started + 1
  table.insert(threads, thread)
end

function init(args)
  if per_connection then
    bodies = load("bodies-" .. number .. ".jsonl")
    -- wrk asks thread 0's script for one request to check it, after init and before sending anything: that
    -- one is not sent, so thread 0 starts a step earlier.
    sent = number == 0 and -1 or 0
  else
    bodies = load("bodies.jsonl")
    sent = number * 7919
  end
  failures = 0
  exhausted = 0
  first_failure = ""
end

function request()
  sent = sent + 1
  if per_connection and sent > #bodies then exhausted = 1 end
  return wrk.format(nil, "/graphql", nil, bodies[((sent - 1) % #bodies) + 1])
end

function response(status, headers, body)
  if status ~= 200 or body:find(refuse, 1, true) or not body:find(expect, 1, true) then
    failures = failures + 1
    if first_failure == "" then first_failure = status .. " " .. body:sub(1, 500) end
  end
end

function done(summary, latency, requests)
  local failed, first, ran_out = 0, "", 0
  for _, thread in ipairs(threads) do
    failed = failed + thread:get("failures")
    ran_out = ran_out + thread:get("exhausted")
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
    '"failed": %d, "exhausted": %d, "socketErrors": %d, "quantilesMs": [%s], "firstFailure": "%s"}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.mean / 1000, latency.max / 1000, failed, ran_out,
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


def run_wrk(
    base_url: str,
    bodies: Sequence[str],
    *,
    clients: int,
    seconds: float,
    expect: str,
    refuse: str = '"errors"',
) -> dict[str, Any]:
    """`clients` connections sending `bodies` in turn to `base_url`/graphql for `seconds`, after a warm-up
    of WARMUP_SECONDS; the level's summary in latency_summary's shape (p50/p95/p99/mean/max ms,
    requestsPerSecond, quantilesMs). An answer passes its check with HTTP 200, `expect` in it and `refuse`
    not; BenchRequestError if any failed."""
    with tempfile.TemporaryDirectory(prefix="graphcdp-wrk-") as folder:
        (Path(folder) / "bodies.jsonl").write_text("".join(body + "\n" for body in bodies), encoding="utf-8")
        # One wrk thread: it drives hundreds of connections on its own, and a second would take a core the
        # service and the database need.
        options = ["-t1", f"-c{clients}"]
        script = _script(folder, expect, refuse, per_connection=False)
        _run([*options, "-s", script, base_url, f"-d{WARMUP_SECONDS}s"])
        level = _run([*options, "-s", script, base_url, f"-d{seconds:g}s"])
    return _checked(level, clients)


def run_wrk_sequences(
    base_url: str,
    warmup: Sequence[Sequence[str]],
    timed: Sequence[Sequence[str]],
    *,
    seconds: float,
    expect: str,
    refuse: str,
) -> dict[str, Any]:
    """One connection per sequence, each sending its bodies in order, the next once the answer to the one
    before has come (what a connector writing one record at a time does): `warmup` for WARMUP_SECONDS, then
    `timed` for `seconds`, each body at most once; BenchRequestError if a connection ran out of bodies or an
    answer failed its check (as in run_wrk)."""
    if len(warmup) != len(timed):
        raise ValueError("as many warm-up sequences as timed ones: one per connection")
    clients = len(timed)
    level: dict[str, Any] = {}
    for sequences, duration in ((warmup, WARMUP_SECONDS), (timed, seconds)):
        with tempfile.TemporaryDirectory(prefix="graphcdp-wrk-") as folder:
            for number, sequence in enumerate(sequences):
                (Path(folder) / f"bodies-{number}.jsonl").write_text(
                    "".join(body + "\n" for body in sequence), encoding="utf-8"
                )
            script = _script(folder, expect, refuse, per_connection=True)
            level = _run([f"-t{clients}", f"-c{clients}", "-s", script, base_url, f"-d{duration:g}s"])
        if level["exhausted"]:
            raise BenchRequestError(f"wrk: {level['exhausted']} of {clients} connections sent every body they had")
    return _checked(level, clients)


def _script(folder: str, expect: str, refuse: str, *, per_connection: bool) -> str:
    text = _SCRIPT
    for placeholder, value in (
        ("__PER_CONNECTION__", "true" if per_connection else "false"),
        ("__FOLDER__", _lua_string(folder)),
        ("__AUTHORIZATION__", _lua_string(f"Bearer {BENCH_KEY}")),
        ("__EXPECT__", _lua_string(expect)),
        ("__REFUSE__", _lua_string(refuse)),
        ("__POINTS__", str(DISTRIBUTION_POINTS)),
    ):
        text = text.replace(placeholder, value)
    script = Path(folder) / "level.lua"
    script.write_text(text, encoding="utf-8")
    return str(script)


def _checked(level: dict[str, Any], clients: int) -> dict[str, Any]:
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


def _run(arguments: list[str]) -> dict[str, Any]:
    command = [wrk_path(), "--timeout", "30s", *arguments]
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=600)
    if done.returncode != 0:
        raise BenchRequestError(f"wrk exited with {done.returncode}: {done.stderr.strip()[:500]}")
    for line in reversed(done.stdout.splitlines()):
        if line.startswith("{"):
            result: dict[str, Any] = json.loads(line)
            return result
    raise BenchRequestError(f"wrk printed no summary: {done.stdout[-500:]}")
