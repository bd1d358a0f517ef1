"""Segments benchmark: what segments cost, beside the raw database doing the same work in the same run.

On a seeded graph of N generated people (graphcdp_bench.seed):

1. **Full evaluation.** 20 segments of mixed kinds (traits, identifiers, metrics, touchpoints with windows,
   counts and sums, consent, nesting, `not`, segments of segments) are saved with `SegmentService.save`, which
   stores the segment and evaluates it over every person. Beside each, the same condition written by hand as
   one Cypher statement (graphcdp_bench/cypher/bench/raw_segment_*.cypher) writes the same membership edges to
   a segment of its own, graphcdp first for every other segment and the raw statement first for the others.
   Ratio = graphcdp time / raw time, per segment and over all 20.
2. **Keeping them current.** Single-record upserts in-process (half new people, half carrying an identifier
   of the graph, as in the scaling benchmark, alternating on both sides): p50 with no segment saved, then with
   the 20; and, with the 20 stored, pairs of upserts alternating between segment maintenance on and detached
   (the same moments of a shared machine on both sides).
3. **`segments` in `context`.** The chatbot's context query in-process (ASGI, no network), with and without
   the `segments` field, alternating per identifier.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr

from graphcdp.api.app import create_app
from graphcdp.clock import now_ms
from graphcdp.model.identity import RecordInput
from graphcdp.segments.maintenance import SegmentMaintenance
from graphcdp.settings import Settings
from graphcdp.store.embedded import EmbeddedFalkorDB
from graphcdp.wiring import Services
from graphcdp_bench.cypher import bench_statement
from graphcdp_bench.graphs import bench_services
from graphcdp_bench.http_load import SampledIdentifier, sample_identifiers
from graphcdp_bench.latency import latency_summary
from graphcdp_bench.lookup import CONTEXT
from graphcdp_bench.scaling import dataset, probe_records
from graphcdp_bench.seed import seed_graph

RAW_START = bench_statement("bench/raw_segment_start")
RAW_TRAIT = bench_statement("bench/raw_segment_trait_facet")
RAW_IDENTIFIER = bench_statement("bench/raw_segment_identifier")
RAW_TOUCHPOINTS = bench_statement("bench/raw_segment_touchpoints")
RAW_CONSENT = bench_statement("bench/raw_segment_consent")
RAW_COMBINED = bench_statement("bench/raw_segment_combined")
RAW_MEMBER_OF = bench_statement("bench/raw_segment_member_of")

DAY = 86_400_000
BENCH_KEY = "gcdp_bench_segments"  # the benchmark's own API key (admin scope) for the in-process context
CONTEXT_WITH_SEGMENTS = CONTEXT.replace("personId traits summary", "personId traits summary segments")


@dataclass(frozen=True)
class BenchSegment:
    key: str
    definition: dict[str, Any]
    raw: Any  # the hand-written statement
    raw_params: Callable[[int], dict[str, Any]] = field(default=lambda now: {})  # given now (epoch ms)


def _since(days: int) -> Callable[[int], dict[str, Any]]:
    return lambda now: {"since": now - days * DAY}


def _touchpoints(
    type_: str, channel: str, days: int | None, count: int, total: float
) -> Callable[[int], dict[str, Any]]:
    return lambda now: {
        "type": type_,
        "channel": channel,
        "since": now - days * DAY if days else -(2**62),
        "count": count,
        "sum": total,
    }


# The generated data ends on 2024-12-31; windows reach back to it from today.
YEARS = 3 * 365
SEGMENTS: tuple[BenchSegment, ...] = (
    BenchSegment("us", {"trait": "address.country", "eq": "US"}, RAW_TRAIT,
                 lambda now: {"facet": "address.country=US", "prefix": ""}),
    BenchSegment("los-angeles", {"trait": "address.city", "eq": "Los Angeles"}, RAW_TRAIT,
                 lambda now: {"facet": "address.city=Los Angeles", "prefix": ""}),
    BenchSegment("has-birth-date", {"trait": "birthDate", "exists": True}, RAW_TRAIT,
                 lambda now: {"facet": "", "prefix": "birthDate="}),
    BenchSegment("zip-9", {"trait": "address.postalCode", "startsWith": "9"}, RAW_TRAIT,
                 lambda now: {"facet": "", "prefix": "address.postalCode=9"}),
    BenchSegment("female", {"trait": "gender", "eq": "female"}, RAW_TRAIT,
                 lambda now: {"facet": "gender=female", "prefix": ""}),
    BenchSegment("phone", {"identifier": "phone"}, RAW_IDENTIFIER, lambda now: {"type": "phone", "negate": False}),
    BenchSegment("no-email", {"not": {"identifier": "email"}}, RAW_IDENTIFIER,
                 lambda now: {"type": "email", "negate": True}),
    BenchSegment("loyal", {"identifier": "loyalty_id"}, RAW_IDENTIFIER,
                 lambda now: {"type": "loyalty_id", "negate": False}),
    BenchSegment("buyers", {"metric": "orders", "gte": 1}, RAW_TOUCHPOINTS, _touchpoints("order", "", None, 1, 0)),
    BenchSegment("repeat-buyers", {"metric": "orders", "gte": 2}, RAW_TOUCHPOINTS,
                 _touchpoints("order", "", None, 2, 0)),
    BenchSegment("spent-200", {"touchpoint": {"type": "order"}, "sum": {"gte": 200}}, RAW_TOUCHPOINTS,
                 _touchpoints("order", "", None, 1, 200)),
    BenchSegment("store-buyers", {"touchpoint": {"type": "order", "channel": "store"}}, RAW_TOUCHPOINTS,
                 _touchpoints("order", "store", None, 1, 0)),
    BenchSegment("web-visitors", {"touchpoint": {"type": "page_view", "channel": "web"}, "withinDays": YEARS,
                                  "count": {"gte": 3}}, RAW_TOUCHPOINTS, _touchpoints("page_view", "web", YEARS, 3, 0)),
    BenchSegment("email-openers", {"touchpoint": {"type": "email_open"}, "withinDays": YEARS}, RAW_TOUCHPOINTS,
                 _touchpoints("email_open", "", YEARS, 1, 0)),
    BenchSegment("app-users", {"touchpoint": {"channel": "app"}}, RAW_TOUCHPOINTS, _touchpoints("", "app", None, 1, 0)),
    BenchSegment("support-cases", {"touchpoint": {"type": "case"}, "count": {"gte": 1}}, RAW_TOUCHPOINTS,
                 _touchpoints("case", "", None, 1, 0)),
    BenchSegment("mail-ok", {"consent": {"purpose": "marketing", "channel": "email"}}, RAW_CONSENT,
                 lambda now: {"purpose": "marketing", "channel": "email"}),
    BenchSegment("us-phone-buyers", {"all": [{"trait": "address.country", "eq": "US"}, {"identifier": "phone"},
                                             {"metric": "orders", "gte": 1}]}, RAW_COMBINED,
                 lambda now: {"facet": "address.country=US", "type": "phone", "orders": 1}),
    BenchSegment("buyers-with-phone", {"all": [{"segment": "buyers"}, {"identifier": "phone"}]}, RAW_MEMBER_OF,
                 lambda now: {"base": "raw:buyers", "type": "phone"}),
    BenchSegment("repeat-loyal", {"all": [{"segment": "repeat-buyers"}, {"identifier": "loyalty_id"}]},
                 RAW_MEMBER_OF, lambda now: {"base": "raw:repeat-buyers", "type": "loyalty_id"}),
)  # fmt: skip


async def _evaluations(services: Services) -> list[dict[str, Any]]:
    """Each segment saved (full evaluation) beside its hand-written statement, which of the two goes first
    alternating from one segment to the next: the first large write after seeding pays a one-time cost (the
    database settles the matrices the bulk load left pending, docs/performance.md), and neither side should
    always pay it or always find it paid."""
    rows = []
    for n, segment in enumerate(SEGMENTS):

        async def ours_timed(segment: BenchSegment = segment) -> float:
            started = time.perf_counter()
            await services.segments.save(segment.key, segment.definition)
            return (time.perf_counter() - started) * 1000

        async def raw_timed(segment: BenchSegment = segment) -> tuple[float, int]:
            now = now_ms()
            raw_key = f"raw:{segment.key}"
            started = time.perf_counter()
            await services.store.run(RAW_START, {"key": raw_key, "now": now})
            result = await services.store.run(segment.raw, {"key": raw_key, "now": now, **segment.raw_params(now)})
            return (time.perf_counter() - started) * 1000, int(result[0]["members"]) if result else 0

        if n % 2 == 0:
            ours = await ours_timed()
            raw, raw_size = await raw_timed()
        else:
            raw, raw_size = await raw_timed()
            ours = await ours_timed()
        (size,) = await services.segments.sizes([segment.key])
        rows.append({
            "key": segment.key, "definition": segment.definition, "members": size, "rawMembers": raw_size,
            "graphcdpMs": round(ours, 1), "rawMs": round(raw, 1), "ratio": round(ours / max(raw, 0.001), 2),
            "first": "graphcdp" if n % 2 == 0 else "raw",
        })  # fmt: skip
    return rows


async def _upserts(services: Services, records: list[dict[str, Any]]) -> list[float]:
    costs = []
    for record in records:
        started = time.perf_counter()
        outcome = await services.identity.upsert_records([RecordInput.model_validate(record)])
        costs.append((time.perf_counter() - started) * 1000)
        if outcome.errors:
            raise RuntimeError(f"probe upsert failed: {outcome.errors[0]}")
    return costs


async def _upserts_interleaved(services: Services, records: list[dict[str, Any]]) -> dict[str, list[float]]:
    """Single upserts with the 20 segments stored, pairs (a new person, a known identifier) alternating between
    segment maintenance on and detached, so both sides share the same moments of a busy machine."""
    listeners = services.identity.listeners
    maintenance = [listener for listener in listeners.subscribed if isinstance(listener, SegmentMaintenance)]
    costs: dict[str, list[float]] = {"without": [], "with": []}
    for start in range(0, len(records) - 1, 2):
        side = "with" if start % 4 == 0 else "without"
        if side == "without":
            for listener in maintenance:
                listeners.unsubscribe(listener)
        try:
            costs[side] += await _upserts(services, records[start : start + 2])
        finally:
            if side == "without":
                for listener in maintenance:
                    listeners.subscribe(listener)
    return costs


async def _contexts(services: Services, identifiers: Sequence[SampledIdentifier], seed: int) -> dict[str, list[float]]:
    """The context query with and without `segments`, alternating which goes first, in-process."""
    app = create_app(services=services)
    transport = httpx.ASGITransport(app=app)
    costs: dict[str, list[float]] = {"without": [], "with": []}
    rng = random.Random(seed)
    headers = {"Authorization": f"Bearer {BENCH_KEY}"}
    async with httpx.AsyncClient(transport=transport, base_url="http://bench", headers=headers) as client:
        for n, identifier in enumerate(identifiers):
            variables = {"type": identifier.type, "value": identifier.value, "touchpoints": 10}
            order = [("without", CONTEXT), ("with", CONTEXT_WITH_SEGMENTS)]
            if rng.random() < 0.5:
                order.reverse()
            for name, document in order:
                started = time.perf_counter()
                response = await client.post("/graphql", json={"query": document, "variables": variables})
                elapsed = (time.perf_counter() - started) * 1000
                body = response.json()
                if response.status_code != 200 or body.get("errors"):
                    raise RuntimeError(f"context {n} failed: {body}")
                costs[name].append(elapsed)
    return costs


def _ratio(ours: float, raw: float) -> float:
    return round(ours / max(raw, 0.001), 2)


async def run_segments(
    settings: Settings,
    server: EmbeddedFalkorDB,
    work: Path,
    *,
    people: int,
    seed: int = 1,
    upserts: int = 200,
    lookups: int = 500,
    progress: bool = True,
    settle: bool = False,
) -> dict[str, Any]:
    """The three measures of the module docstring on a seeded graph of `people`; with `settle`, the graph is
    settled after seeding (GraphStore.settle), so the upserts do not pay for the bulk load's pending changes."""
    data = dataset(work, people, seed, progress=progress)
    manifest = json.loads((data / "manifest.json").read_text(encoding="utf-8"))
    graph = f"bench_segments_{people}"
    # Its own admin key, without a rate limit: the context loop is one client asking as fast as it can.
    bench_settings = settings.model_copy(update={"admin_key": SecretStr(BENCH_KEY), "rate_limit": 0})
    async with bench_services(server.url, graph, bench_settings, reset=True) as services:
        try:
            await seed_graph(services.store, services.identity.rules, data, progress=progress, settle=settle)
            existing = [(s.type, s.value) for s in await sample_identifiers(services.store, upserts)]
            records = probe_records(existing, 4 * upserts, seed)
            identifiers = await sample_identifiers(services.store, lookups)
            # The same mix on both sides (probe_records alternates new people and known identifiers): halves,
            # not every other record, which put every new person before and every link after the segments.
            without_segments = await _upserts(services, records[:upserts])
            evaluations = await _evaluations(services)
            with_segments = await _upserts(services, records[upserts : 2 * upserts])
            interleaved = await _upserts_interleaved(services, records[2 * upserts :])
            contexts = await _contexts(services, identifiers, seed)
        finally:
            await services.store.destroy()
    ours = sum(row["graphcdpMs"] for row in evaluations)
    raw = sum(row["rawMs"] for row in evaluations)
    upsert = {"without": latency_summary(without_segments), "with": latency_summary(with_segments)}
    context = {"without": latency_summary(contexts["without"]), "with": latency_summary(contexts["with"])}
    alternating = {side: latency_summary(costs) for side, costs in interleaved.items()}
    return {
        "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "people": manifest["people"],
        "settled": settle,
        "evaluations": evaluations,
        "evaluation": {
            "graphcdpMs": round(ours, 1),
            "rawMs": round(raw, 1),
            "ratio": _ratio(ours, raw),
            "slowestMs": max(row["graphcdpMs"] for row in evaluations),
        },
        "upsert": upsert | {"added": round(upsert["with"]["p50"] / upsert["without"]["p50"] - 1, 3)},
        "upsertInterleaved": alternating
        | {"added": round(alternating["with"]["p50"] / alternating["without"]["p50"] - 1, 3)},
        "context": context | {"addedMs": round(context["with"]["p50"] - context["without"]["p50"], 3)},
    }


def segments_table(result: dict[str, Any]) -> str:
    lines = [
        f"segments on {result['people']:,} generated people: full evaluation (saveSegment) beside raw Cypher",
        f"{'segment':<20} {'members':>8} {'raw':>8} {'graphcdp ms':>12} {'raw ms':>8} {'ratio':>6}",
    ]
    for row in result["evaluations"]:
        lines.append(
            f"{row['key']:<20} {row['members']:>8,} {row['rawMembers']:>8,} {row['graphcdpMs']:>12.1f} "
            f"{row['rawMs']:>8.1f} {row['ratio']:>5.2f}x"
        )
    total = result["evaluation"]
    lines.append(
        f"{'all 20':<20} {'':>8} {'':>8} {total['graphcdpMs']:>12.1f} {total['rawMs']:>8.1f} {total['ratio']:>5.2f}x"
    )
    up, ctx = result["upsert"], result["context"]
    lines.append(
        f"single upsert p50: {up['without']['p50']:.2f} ms without segments, {up['with']['p50']:.2f} ms with 20 "
        f"(+{up['added'] * 100:.1f} %)"
    )
    mixed = result["upsertInterleaved"]
    lines.append(
        f"single upsert p50, interleaved with the 20 stored: {mixed['without']['p50']:.2f} ms with maintenance "
        f"detached, {mixed['with']['p50']:.2f} ms with it (+{mixed['added'] * 100:.1f} %)"
    )
    lines.append(
        f"context p50: {ctx['without']['p50']:.2f} ms without segments, {ctx['with']['p50']:.2f} ms with "
        f"(+{ctx['addedMs']:.2f} ms)"
    )
    return "\n".join(lines)
