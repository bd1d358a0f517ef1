"""Chatbot context latency over HTTP (not a test): `context(identifier)` against `graphcdp serve` on the
embedded database, asked by a client in this process (the server is its own process).

    python bench/measure_context.py [--persons 2000] [--queries 2000] [--concurrency 1,8]

Seeds N persons through the API (a CRM record with email, phone and loyalty id; a login touchpoint that
links a cookie; ~20 page views, orders and returns; consent), then asks `context` by a random one of
their identifiers and reports p50/p95/p99 in ms. The client sets TCP_NODELAY: without it the request
headers and body go out as two small segments and Nagle's algorithm meets the server's delayed ACK,
adding ~40 ms to every POST that has nothing to do with the service. Results: bench/results/context.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure_identity import GRAPHCDP, ROOT, _clean_env, _free_port, _latency_stats

RESULTS = ROOT / "bench" / "results" / "context.json"
T0 = 1_700_000_000_000
DAY = 86_400_000
NODELAY = [(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]
CONTEXT = """
query($type: String!, $value: String!) {
  context(identifier: {type: $type, value: $value}, touchpoints: 10) {
    personId traits summary identifiers { key }
    consents { purpose channel status }
    metrics { orders revenue netRevenue averageOrderValue lastSeenAt daysSinceLastActivity engagementScore
              engagementDeclining recencyScore frequencyScore monetaryScore }
    recentTouchpoints { id type channel occurredAt amount }
  }
}"""
UPSERT = "mutation($r: [RecordInput!]!) { upsertRecords(records: $r) { errors { index code message } } }"
TRACK = "mutation($t: [TouchpointInput!]!) { trackTouchpoints(touchpoints: $t) { errors { index code message } } }"
CONSENT = (
    'mutation($v: String!, $s: ConsentStatus!) { setConsent(identifier: {type: "email", value: $v}, '
    'purpose: "marketing", channel: "email", status: $s) { personId } }'
)


def _identifiers(n: int) -> dict[str, str]:
    return {
        "email": f"p{n}@bench.example",
        "phone": f"+1617{200 + n // 10_000:03d}{n % 10_000:04d}",
        "loyalty_id": f"L{n:07d}",
        "cookie_id": f"ck-{n}",
    }


def _gql(client: httpx.Client, query: str, **variables: Any) -> dict[str, Any]:
    response = client.post("/graphql", json={"query": query, "variables": variables})
    body: dict[str, Any] = response.json()
    if response.status_code != 200 or body.get("errors"):
        raise RuntimeError(json.dumps(body)[:500])
    return body


def seed(client: httpx.Client, persons: int, rng: random.Random) -> int:
    records, touchpoints, total = [], [], 0
    for n in range(persons):
        ids = _identifiers(n)
        records.append({
            "source": "crm", "sourceId": str(n), "observedAt": T0,
            "identifiers": [{"type": t, "value": ids[t]} for t in ("email", "phone", "loyalty_id")],
            "traits": {"firstName": f"First{n}", "lastName": f"Last{n}"},
        })  # fmt: skip
        start = T0 + rng.randrange(300) * DAY
        touchpoints.append({"id": f"login-{n}", "type": "login", "channel": "web", "occurredAt": start,
                            "identifiers": [{"type": "cookie_id", "value": ids["cookie_id"]},
                                            {"type": "email", "value": ids["email"]}]})  # fmt: skip
        for k in range(rng.randrange(10, 30)):
            kind = rng.choices(["page_view", "order", "return", "email_open"], [70, 15, 3, 12])[0]
            via = {"page_view": "cookie_id", "order": "loyalty_id", "return": "loyalty_id", "email_open": "email"}[kind]
            touchpoints.append({
                "id": f"t-{n}-{k}", "type": kind, "occurredAt": start + k * 3_600_000 * rng.randrange(1, 72),
                "channel": {"cookie_id": "web", "loyalty_id": "store", "email": "email"}[via],
                "identifiers": [{"type": via, "value": ids[via]}],
                "amount": round(rng.uniform(5, 300), 2) if kind in ("order", "return") else None,
            })  # fmt: skip
        if len(records) >= 500:
            _gql(client, UPSERT, r=records)
            records = []
        while len(touchpoints) >= 1000:
            _gql(client, TRACK, t=touchpoints[:1000])
            total += 1000
            touchpoints = touchpoints[1000:]
    if records:
        _gql(client, UPSERT, r=records)
    if touchpoints:
        _gql(client, TRACK, t=touchpoints)
        total += len(touchpoints)
    for n in range(0, persons, 2):
        _gql(client, CONSENT, v=_identifiers(n)["email"], s="GRANTED" if n % 4 else "DENIED")
    return total


async def _ask(base: str, persons: int, queries: int, concurrency: int, seed_: int) -> list[float]:
    rng = random.Random(seed_)
    asks = [(t, _identifiers(rng.randrange(persons))[t]) for t in rng.choices(list(_identifiers(0)), k=queries)]
    latencies: list[float] = []
    transport = httpx.AsyncHTTPTransport(socket_options=NODELAY, limits=httpx.Limits(max_connections=concurrency))
    async with httpx.AsyncClient(base_url=base, transport=transport, timeout=60) as client:

        async def worker(mine: list[tuple[str, str]]) -> None:
            for type_, value in mine:
                t0 = time.perf_counter()
                response = await client.post(
                    "/graphql", json={"query": CONTEXT, "variables": {"type": type_, "value": value}}
                )
                latencies.append((time.perf_counter() - t0) * 1000)
                body = response.json()
                if body.get("errors") or not body["data"]["context"]:
                    raise RuntimeError(f"{type_} {value}: {json.dumps(body)[:300]}")

        started = time.perf_counter()
        await asyncio.gather(*(worker(asks[w::concurrency]) for w in range(concurrency)))
        elapsed = time.perf_counter() - started
    latencies.append(-elapsed)  # carried out to the caller as the last value
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--persons", type=int, default=2000)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--concurrency", default="1,8", help="comma-separated client counts")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="graphcdp-bench-context-"))
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = work / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen([str(GRAPHCDP), "serve"], cwd=work, stdout=out, stderr=subprocess.STDOUT,
                                env=_clean_env(GRAPHCDP_PORT=str(port), GRAPHCDP_LOG_LEVEL="warning"))  # fmt: skip
        try:
            transport = httpx.HTTPTransport(socket_options=NODELAY)
            with httpx.Client(base_url=base, transport=transport, timeout=120) as client:
                for _ in range(600):
                    try:
                        if client.get("/readyz").status_code == 200:
                            break
                    except httpx.TransportError:
                        time.sleep(0.1)
                t0 = time.perf_counter()
                touchpoints = seed(client, args.persons, random.Random(args.seed))
                seeded = time.perf_counter() - t0
                print(f"seeded {args.persons} persons, {touchpoints} touchpoints in {seeded:.1f} s")
                version = []
                for _ in range(200):
                    t1 = time.perf_counter()
                    client.post("/graphql", json={"query": "{ version }"})
                    version.append((time.perf_counter() - t1) * 1000)
            runs = {}
            for concurrency in (int(c) for c in args.concurrency.split(",")):
                latencies = asyncio.run(_ask(base, args.persons, args.queries, concurrency, args.seed))
                elapsed = -latencies.pop()
                runs[str(concurrency)] = _latency_stats(latencies) | {"requestsPerSecond": len(latencies) / elapsed}
                s = runs[str(concurrency)]
                print(f"context, {concurrency:>3} clients: p50 {s['p50']:.2f} ms  p95 {s['p95']:.2f} ms  "
                      f"p99 {s['p99']:.2f} ms  {s['requestsPerSecond']:.0f} req/s")  # fmt: skip
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(30)
    results = {
        "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "persons": args.persons,
        "touchpoints": touchpoints,
        "seedSeconds": seeded,
        "versionQueryMs": _latency_stats(version),
        "context": runs,
    }
    print(f"{{ version }} baseline: p50 {results['versionQueryMs']['p50']:.2f} ms")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"results in {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
