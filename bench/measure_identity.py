"""Identity-resolution measurements (not a test): bulk import throughput and single-record upsert latency.

    python bench/measure_identity.py [--records 100000] [--upserts 1000] [--skip-import] [--skip-http]

a) generates ~N records (graphcdp.datagen, as `graphcdp generate --no-touchpoints` does: messy data with
   ground truth), runs `graphcdp import records.jsonl` in a fresh temporary working directory (its own
   embedded database under ./data), wall-clocks it, parses the summary line, samples the import
   checkpoint for records/s per 10,000-record chunk, then reads the record → person partition back and
   evaluates it against the generator's truth (graphcdp.datagen.quality.evaluate);
b) starts `graphcdp serve` in another fresh directory and sends sequential single-record `upsertRecords`
   mutations with httpx, timing each one.

Prints a table and writes bench/results/identity.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from graphcdp.datagen import GeneratorConfig, evaluate, read_truth, write_dataset

ROOT = Path(__file__).resolve().parent.parent
GRAPHCDP = Path(sys.executable).with_name("graphcdp")
RESULTS = ROOT / "bench" / "results" / "identity.json"
RECORDS_PER_PERSON = 2.47  # the generator's mean (2,469,594 records for 1,000,000 people, seed 1)
CHUNK = 10_000
SUMMARY = re.compile(
    r"imported (?P<read>[\d,]+) records, (?P<stored>[\d,]+) stored, (?P<unchanged>[\d,]+) unchanged, "
    r"(?P<rejected>[\d,]+) rejected.*?; (?P<seconds>[\d.]+) s, (?P<rate>[\d,]+) records/s"
)
MUTATION = (
    "mutation($r: [RecordInput!]!) { upsertRecords(records: $r) "
    "{ results { index personId action } errors { index code message } personsMerged } }"
)


def _clean_env(**extra: str) -> dict[str, str]:
    """The environment without any GRAPHCDP_ setting of the caller's, plus `extra`."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("GRAPHCDP_")}
    env.update(extra)
    return env


def _int(text: str) -> int:
    return int(text.replace(",", ""))


# --- a) bulk import -------------------------------------------------------------------------------------


def _chunk_rates(samples: list[tuple[float, int]], total: int) -> list[dict[str, float]]:
    """Records/s per CHUNK records, from (seconds since start, records done) samples of the checkpoint."""
    rates: list[dict[str, float]] = []
    previous_t, previous_n = 0.0, 0
    for boundary in [*range(CHUNK, total, CHUNK), total]:
        reached = next(((t, n) for t, n in samples if n >= boundary), None)
        if reached is None:
            break
        t, n = reached
        if n > previous_n and t > previous_t:
            rates.append(
                {
                    "upTo": n,
                    "seconds": round(t - previous_t, 2),
                    "recordsPerSecond": (n - previous_n) / (t - previous_t),
                }
            )
            previous_t, previous_n = t, n
    return rates


async def _partition(data_dir: Path) -> dict[str, str]:
    """record key → person id, read from the embedded database the import left in `data_dir`."""
    from graphcdp.settings import load_settings
    from graphcdp.store import open_store

    settings = load_settings(data_dir=data_dir, embedded_start_timeout=120)
    store = await open_store(settings, ensure_schema=False)
    try:
        graph = store._graph  # type: ignore[attr-defined]  # no statement lists every record; a bench may peek
        result = await graph.ro_query("MATCH (r:Record)-[:OF]->(p:Person) RETURN r.key, p.id")
        return {str(key): str(person) for key, person in result.result_set}
    finally:
        await store.close()


def measure_import(records: int, seed: int, timeout: float, count_persons: bool) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="graphcdp-bench-import-"))
    data = work / "records.jsonl"
    people = max(1, round(records / RECORDS_PER_PERSON))
    started = time.perf_counter()
    manifest = write_dataset(work, GeneratorConfig(people, seed, touchpoints=False), progress=False)
    count = int(manifest["records"])
    print(f"generated {count:,} records for {people:,} people in {time.perf_counter() - started:.1f} s ({work})")

    checkpoint = data.with_name(f"{data.name}.import-state.json")
    log = work / "import.log"
    samples: list[tuple[float, int]] = []
    with log.open("w") as err:
        started = time.perf_counter()
        proc = subprocess.Popen([str(GRAPHCDP), "import", data.name], cwd=work, env=_clean_env(),
                                stdout=subprocess.PIPE, stderr=err, text=True)  # fmt: skip
        timed_out = False
        while proc.poll() is None:
            elapsed = time.perf_counter() - started
            if elapsed > timeout:
                timed_out = True
                proc.send_signal(signal.SIGINT)
                proc.wait(60)
                break
            try:
                done = int(json.loads(checkpoint.read_text())["lines_read"])
            except (OSError, ValueError, KeyError):
                pass
            else:
                if not samples or samples[-1][1] != done:
                    samples.append((elapsed, done))
            time.sleep(0.2)
        wall = time.perf_counter() - started
        if proc.returncode == 0 and (not samples or samples[-1][1] < count):
            samples.append((wall, count))  # the checkpoint is gone once done: the last chunk ends at exit
        stdout = proc.stdout.read() if proc.stdout else ""
    summary = SUMMARY.search(stdout)
    result: dict[str, Any] = {
        "workDir": str(work),
        "people": people,
        "records": count,
        "wallSeconds": wall,
        "exitCode": proc.returncode,
        "timedOut": timed_out,
        "summary": stdout.strip(),
        "chunks": _chunk_rates(samples, count),
    }
    if summary:
        result.update(
            linesRead=_int(summary["read"]),
            stored=_int(summary["stored"]),
            unchanged=_int(summary["unchanged"]),
            rejected=_int(summary["rejected"]),
            importSeconds=float(summary["seconds"]),
            recordsPerSecond=_int(summary["rate"]),
        )
    else:
        result["stderrTail"] = log.read_text(errors="replace")[-3000:]
    rejects = data.with_name(f"{data.name}.rejects.jsonl")
    if rejects.exists():
        codes = Counter(json.loads(line)["code"] for line in rejects.read_text().splitlines() if line.strip())
        result["rejectCodes"] = dict(codes)
        result["rejectSamples"] = rejects.read_text().splitlines()[:3]
    if count_persons and proc.returncode == 0:
        truth = read_truth(work / "truth.jsonl", touchpoints=False)
        os.chdir(work)  # no .env of the project's
        predicted = asyncio.run(_partition(work / "data"))
        result["partition"] = evaluate(predicted, truth.records, truth.shared).to_dict()
        result["mess"] = {kind: figures["injected"] for kind, figures in manifest["mess"].items()}
    return result


# --- b) single-record upsert latency ---------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))]


def _latency_stats(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    return {
        "count": len(values),
        "p50": _percentile(values, 50),
        "p95": _percentile(values, 95),
        "p99": _percentile(values, 99),
        "mean": statistics.fmean(values),
        "max": max(values),
    }


def _upsert_record(i: int, seed: int) -> tuple[dict[str, Any], str]:
    """The i-th record: new email and cookie; every 10th shares the email of one earlier record and the
    cookie of another (so two persons merge, unless they already are one)."""
    email, cookie, kind = f"lat{i}@bench.example", f"lat-ck-{i}", "new"
    if i % 10 == 9:
        j, k = random.Random(seed * 1_000_003 + i).sample(range(i), 2)
        email, cookie, kind = f"lat{j}@bench.example", f"lat-ck-{k}", "sharing"
    record = {
        "source": "web",
        "sourceId": f"lat-{i}",
        "observedAt": 1_700_000_000_000 + i * 1000,
        "identifiers": [{"type": "email", "value": email}, {"type": "cookie_id", "value": cookie}],
        "traits": {"firstName": f"F{i}", "address": {"city": "Boston"}},
    }
    return record, kind


def measure_http(upserts: int, seed: int) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="graphcdp-bench-http-"))
    port = _free_port()
    log = work / "serve.log"
    base = f"http://127.0.0.1:{port}"
    with log.open("w") as out:
        proc = subprocess.Popen([str(GRAPHCDP), "serve"], cwd=work, stdout=out, stderr=subprocess.STDOUT,
                                env=_clean_env(GRAPHCDP_PORT=str(port), GRAPHCDP_LOG_LEVEL="warning"))  # fmt: skip
        try:
            return _drive(base, proc, upserts, seed) | {"workDir": str(work)}
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                code = proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                code = proc.wait()
            print(f"server stopped with exit code {code} (log {log})")


def _drive(base: str, proc: subprocess.Popen[bytes], upserts: int, seed: int) -> dict[str, Any]:
    with httpx.Client(base_url=base, timeout=60) as client:
        started = time.perf_counter()
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"graphcdp serve exited with {proc.returncode} before it was ready")
            try:
                if client.get("/readyz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.perf_counter() - started > 120:
                raise RuntimeError("graphcdp serve not ready after 120 s")
            time.sleep(0.1)
        ready = time.perf_counter() - started
        latencies: dict[str, list[float]] = {"new": [], "sharing": []}
        actions: Counter[str] = Counter()
        errors: Counter[str] = Counter()
        error_samples: list[str] = []
        merged = 0
        for i in range(upserts):
            record, kind = _upsert_record(i, seed)
            t0 = time.perf_counter()
            response = client.post("/graphql", json={"query": MUTATION, "variables": {"r": [record]}})
            latencies[kind].append((time.perf_counter() - t0) * 1000)
            body = response.json()
            if response.status_code != 200 or body.get("errors"):
                errors[f"HTTP {response.status_code}"] += 1
                error_samples.append(json.dumps(body)[:300])
                continue
            outcome = body["data"]["upsertRecords"]
            actions.update(r["action"] for r in outcome["results"])
            merged += len(outcome["personsMerged"])
            for e in outcome["errors"]:
                errors[e["code"]] += 1
                error_samples.append(f"{i}: {e['code']}: {e['message']}")
    everything = latencies["new"] + latencies["sharing"]
    return {
        "readySeconds": ready,
        "upserts": upserts,
        "latencyMs": _latency_stats(everything),
        "latencyMsNew": _latency_stats(latencies["new"]),
        "latencyMsSharing": _latency_stats(latencies["sharing"]),
        "actions": dict(actions),
        "personsMerged": merged,
        "errors": dict(errors),
        "errorSamples": error_samples[:5],
    }


# --- report ----------------------------------------------------------------------------------------------


def _table(results: dict[str, Any]) -> str:
    rows: list[tuple[str, str]] = []
    imp = results.get("import")
    if imp:
        rows += [
            ("import: records", f"{imp['records']:,} ({imp['people']:,} people)"),
            ("import: wall clock", f"{imp['wallSeconds']:.1f} s (exit {imp['exitCode']})"),
        ]
        if "recordsPerSecond" in imp:
            rows += [
                ("import: summary", f"{imp['recordsPerSecond']:,} records/s over {imp['importSeconds']:.1f} s"),
                (
                    "import: stored/unchanged/rejected",
                    f"{imp['stored']:,} / {imp['unchanged']:,} / {imp['rejected']:,}",
                ),
            ]
        rows += [(f"import: chunk to {c['upTo']:,}", f"{c['recordsPerSecond']:,.0f} records/s") for c in imp["chunks"]]
        if "rejectCodes" in imp:
            rows.append(("import: reject codes", json.dumps(imp["rejectCodes"])))
        if "partition" in imp:
            p = imp["partition"]
            if "predictedPersons" in p:
                rows += [
                    ("persons found / true", f"{p['predictedPersons']:,} / {p['truePeople']:,}"),
                    ("pair precision / recall / F1", f"{p['precision']:.4f} / {p['recall']:.4f} / {p['f1']:.4f}"),
                    ("over-merged (via shared) / split",
                     f"{p['overMergedPersons']:,} ({p['overMergedViaShared']:,}) / {p['splitPeople']:,}"),
                ]  # fmt: skip
            else:  # figures of a run before the realistic generator
                rows += [
                    ("persons found / true", f"{p['personsFound']:,} / {p['truePersons']:,}"),
                    ("pair precision / recall", f"{p['pairPrecision']:.4f} / {p['pairRecall']:.4f}"),
                ]
    http = results.get("http")
    if http:
        for label, key in (("all", "latencyMs"), ("new", "latencyMsNew"), ("sharing", "latencyMsSharing")):
            s = http[key]
            if s:
                figures = f"p50 {s['p50']:.1f}  p95 {s['p95']:.1f}  p99 {s['p99']:.1f}  max {s['max']:.1f}"
                rows.append((f"upsert ms ({label}, n={s['count']})", figures))
        rows += [
            ("upsert actions", f"{json.dumps(http['actions'])}, {http['personsMerged']} persons merged"),
            ("upsert errors", json.dumps(http["errors"])),
        ]
    width = max(len(label) for label, _ in rows)
    return "\n".join(f"{label:<{width}}  {value}" for label, value in rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--records", type=int, default=100_000, help="about this many records to import")
    parser.add_argument("--upserts", type=int, default=1000, help="sequential single-record upserts over HTTP")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--import-timeout", type=float, default=900, help="seconds before the import is interrupted")
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--no-persons", action="store_true", help="do not count persons after the import")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    args.out = args.out.resolve()

    previous: dict[str, Any] = json.loads(args.out.read_text()) if args.out.exists() else {}
    results: dict[str, Any] = {
        "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "nproc": os.cpu_count(),
        "loadavgBefore": os.getloadavg(),
    }
    if not args.skip_http:
        results["http"] = measure_http(args.upserts, args.seed)
    elif "http" in previous:  # a skipped part keeps the figures of the run before, with its date
        results["http"] = previous["http"] | {"from": previous.get("at")}
    if not args.skip_import:
        results["import"] = measure_import(args.records, args.seed, args.import_timeout, not args.no_persons)
    elif "import" in previous:
        results["import"] = previous["import"] | {"from": previous.get("at")}
    results["loadavgAfter"] = os.getloadavg()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(_table(results))
    print(f"results in {args.out}")


if __name__ == "__main__":
    main()
