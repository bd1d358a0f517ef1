"""Single-record upsert latency over HTTP: one `upsertRecords` mutation per record, sent by 1, 8, 32 …
concurrent clients to a real `graphcdp serve` on an existing graph.

Half the records are brand-new people (an email, phone and cookie never seen). The other half are new
source records that link to a person of the graph: they carry one of her identifiers (drawn at random
from the graph) and the cookie of the new person the same worker created just before, so resolution
merges two persons against the existing graph, as a web login after an anonymous visit does. If the
graph has no person yet, every record is new.

Every record is unique to its run, level and request (the run carries a random token), so nothing is
UNCHANGED and the benchmark can run again on the same graph.

Beside graphcdp, at each level, the raw database writes the same records (under another source and with
identifier keys of their own, so they stay apart) with plain MERGE and a known person (bench/raw_records.cypher, as
the ingest benchmark's baseline): the nodes and edges an upsert ends with, without resolution. With
`workers` above 1 the same levels also go through `graphcdp serve --workers N`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from graphcdp.identity.input import parse_record_item
from graphcdp.identity.service import record_param
from graphcdp.model.identity import ItemError
from graphcdp_bench.anatomy import anatomy_rows, read_requests, summarize
from graphcdp_bench.cpu import CpuMeter, database_pid
from graphcdp_bench.graphs import bench_services
from graphcdp_bench.http_load import (
    BenchRequestError,
    BenchServer,
    HttpRequest,
    SampledIdentifier,
    default_warmup,
    graphql,
    run_clients,
    run_concurrent,
    sample_identifiers,
)
from graphcdp_bench.ingest import RAW_RECORDS
from graphcdp_bench.latency import latency_summary
from graphcdp_bench.levels import LEVELS_HEADER, level_rows, ratio_to_raw
from graphcdp_bench.wrk import WARMUP_SECONDS, run_wrk_sequences

UPSERT = (
    "mutation($r: [RecordInput!]!) { upsertRecords(records: $r) "
    "{ results { index personId action } errors { index code message } matching { pairsScored matched possible } } }"
)
# German mobile numbers (+49 151 and eight digits, all valid): the generator's people have US numbers,
# so a new person's phone never meets one of theirs.
PHONE_PREFIX = "+49151"
PHONE_SPACE = 10**8


@dataclass(frozen=True)
class _Level:
    """The records of one concurrency level. Request i is sent by worker i % clients (see http_load):
    at a worker's even steps a new person, at its odd steps a record linking the person of the step
    before (already committed: same worker) to an existing person."""

    run: str
    clients: int
    serial_base: int  # phone numbers of this level start here, so no two requests of a run share one
    phone_base: int
    existing: Sequence[SampledIdentifier]
    picks: Sequence[int]  # request i links to existing[picks[i]]

    def _cookie(self, i: int) -> str:
        return f"ck-{self.run}-{self.clients}-{i}"

    def links(self, i: int) -> bool:
        return bool(self.existing) and (i // self.clients) % 2 == 1

    def record(self, i: int) -> dict[str, Any]:
        source_id = f"{self.run}-{self.clients}-{i}"
        if self.links(i):
            known = self.existing[self.picks[i]]
            return {
                "source": "bench-link",
                "sourceId": source_id,
                "identifiers": [
                    {"type": known.type, "value": known.value},
                    {"type": "cookie_id", "value": self._cookie(i - self.clients)},
                ],
                "traits": dict(known.traits),  # the profile she logs in with: what matching compares
            }
        phone = (self.phone_base + self.serial_base + i) % PHONE_SPACE
        return {
            "source": "bench-new",
            "sourceId": source_id,
            "identifiers": [
                {"type": "email", "value": f"new.{source_id}@upsert.bench.example"},
                {"type": "phone", "value": f"{PHONE_PREFIX}{phone:08d}"},
                {"type": "cookie_id", "value": self._cookie(i)},
            ],
            "traits": self.new_traits(i),
        }

    def new_traits(self, i: int) -> dict[str, Any]:
        """A stranger made of three people of the graph: one's first name and gender, another's surname and
        address, a third's birth date. Matching meets real blocks (her surname, her street) and scores real
        candidates, as it does for a new customer, without her being any of them. When her worker's next
        record logs in on her cookie, the first name is that login's: the visitor gave the name she logs in
        with. A device shared by people of other first names and birth dates is a household's (docs/matching.md),
        and resolution rightly keeps them apart."""
        if not self.existing:
            return {"firstName": f"New{i}", "lastName": "Bench"}
        first, family, born = (self.existing[(self.picks[i] + k) % len(self.existing)].traits for k in range(3))
        login = i + self.clients
        if login < len(self.picks) and self.links(login):
            first = self.existing[self.picks[login]].traits
        mixed = {"firstName": first.get("firstName"), "gender": first.get("gender"), "lastName": family.get("lastName")}
        mixed |= {"address": family.get("address"), "birthDate": born.get("birthDate")}
        return {name: value for name, value in mixed.items() if value is not None}


async def _existing_identifiers(falkordb_url: str, graph: str, count: int) -> list[SampledIdentifier]:
    async with bench_services(falkordb_url, graph) as services:
        return await sample_identifiers(services.store, count)


async def _raw_level(
    falkordb_url: str, graph: str, level: _Level, *, clients: int, total: int, warmup: int, database: int | None
) -> dict[str, Any]:
    """The same records written by plain MERGE from this process, at the same concurrency: their latencies, and the
    CPU the database (process `database`) spent per MERGE, counted from the first one sent (opening the services
    reads the graph at length before)."""
    async with bench_services(falkordb_url, graph, connections=clients) as services:
        policy = services.identity.rules.policy
        rows = []
        for i in range(warmup + total):
            raw = level.record(i)
            parsed = parse_record_item(i, raw | {"source": f"{raw['source']}-raw"}, policy)
            if isinstance(parsed, ItemError):
                raise BenchRequestError(f"record {i}: {parsed.message}")
            row = record_param(parsed) | {"person": str(uuid.uuid4())}
            # Identifiers of their own: a raw record on graphcdp's identifiers would join what later upserts read.
            row["identifiers"] = [i | {"key": f"raw-{i['key']}"} for i in row["identifiers"]]
            rows.append(row)

        async def call(i: int) -> None:
            await services.store.run(RAW_RECORDS, {"records": [rows[i]]})

        meter = CpuMeter(database=database)
        meter.start()
        summary = latency_summary(*await run_concurrent(call, clients=clients, total=total, warmup=warmup))
        return summary | {"cpuMsPerRequest": meter.per_request(warmup + total)}


async def run_upsert_latency(
    falkordb_url: str,
    graph: str,
    *,
    clients: Sequence[int] = (1, 8, 32),
    upserts: int = 1000,
    seed: int = 1,
    matching: bool = True,
    raw: bool = True,
    workers: int = 1,
    generator: str = "python",
    seconds: float = 10.0,
    ungrouped: bool = False,
    anatomy: bool = False,
) -> dict[str, Any]:
    """`upserts` single-record upserts at each client count, against `graphcdp serve` on `graph`, with
    probabilistic matching on or off (GRAPHCDP_MATCHING); `raw`: beside the raw MERGE of the same records;
    `workers` above 1: also through `graphcdp serve --workers N`, level by level in the same run.

    Returns {"upserts": n, "matching": bool, "clients": {"8": latency_summary, …}, "actions": {"CREATED": k,
    "MERGED": m, …}, "scored": {"pairsScored": …, "matched": …, "possible": …, "upsertsWithCandidates": …}}
    (actions and matching work of the timed requests of every level together), with `raw` {"raw": {"8": …},
    "ratio": {"8": {"p50": graphcdp p50 / raw p50, "requestsPerSecond": raw req/s / graphcdp req/s}}}, and
    with workers {"workers": N, "clientsWorkers": {"8": …}, "ratioWorkers": {"8": …}}. `ungrouped`: also through
    one process that writes every request on its own (GRAPHCDP_UPSERT_GROUP_RECORDS=1), as "clientsUngrouped" and
    "ratioUngrouped": what grouping concurrent upserts (graphcdp/identity/upsert_groups.py) gains.

    With `generator` "wrk", graphcdp's side is sent by wrk for `seconds` per level (each connection its own
    sequence, as the Python clients send them; actions and matching work are then not counted), and the raw side
    writes the first `upserts` of the same records through the Python client.

    `anatomy`: the service logs every request with the statements it sent (GRAPHCDP_SLOW_REQUEST_MS=0), and
    "anatomy" {"8": …} says where the timed requests of each level of "clients" spent their time (anatomy.py).
    """
    existing = await _existing_identifiers(falkordb_url, graph, upserts)
    database = await database_pid(falkordb_url)
    run = uuid.uuid4().hex[:8]
    rng = random.Random(seed)
    # Per run, not per seed: a rerun on the same graph gets phones it has not seen.
    phone_base = random.Random(run).randrange(PHONE_SPACE)
    warmup = default_warmup(upserts)
    actions: Counter[str] = Counter()
    scored: Counter[str] = Counter({"pairsScored": 0, "matched": 0, "possible": 0, "upsertsWithCandidates": 0})
    levels: dict[str, dict[str, Any]] = {}
    raw_levels: dict[str, dict[str, Any]] = {}
    others: dict[str, dict[str, dict[str, Any]]] = {}  # side → its levels, beside "clients"
    settings = {"GRAPHCDP_MATCHING": "true" if matching else "false"} | (
        {"GRAPHCDP_SLOW_REQUEST_MS": "0"} if anatomy else {}
    )
    anatomies: dict[str, dict[str, Any]] = {}
    sides: list[tuple[str, int, dict[str, str]]] = [("clients", 1, {})]
    if workers > 1:
        sides.append(("clientsWorkers", workers, {}))
    if ungrouped:
        sides.append(("clientsUngrouped", 1, {"GRAPHCDP_UPSERT_GROUP_RECORDS": "1"}))
    async with contextlib.AsyncExitStack() as stack:
        servers = [
            (
                side,
                await stack.enter_async_context(BenchServer(falkordb_url, graph, settings=settings | more, workers=n)),
            )
            for side, n, more in sides
        ]
        number = 0
        for turn, count in enumerate(clients):  # every side level by level, so a drift of the machine hits them alike
            # Each level adds records the next ones read (blocks, persons): the sides take turns going first.
            for side, server in servers if turn % 2 == 0 else servers[::-1]:
                picks = [rng.randrange(len(existing)) if existing else 0 for _ in range(warmup + upserts)]
                level = _Level(f"{run}-{side}", count, number * (warmup + upserts), phone_base, existing, picks)
                number += 1

                async def request(client: httpx.AsyncClient, i: int, level: _Level = level) -> None:
                    record = level.record(i)
                    outcome = (await graphql(client, UPSERT, {"r": [record]}))["upsertRecords"]
                    if outcome["errors"] or len(outcome["results"]) != 1:
                        raise BenchRequestError(f"upsert of {record} failed: {outcome}")
                    if i >= warmup:
                        actions[outcome["results"][0]["action"]] += 1
                        work = outcome["matching"]
                        scored.update({name: work[name] for name in ("pairsScored", "matched", "possible")})
                        scored["upsertsWithCandidates"] += work["pairsScored"] > 0

                logged = server.log_path.stat().st_size if anatomy else 0  # where this level's lines start
                if generator == "wrk":
                    summary = await asyncio.to_thread(_wrk_level, server.base_url, level, count, seconds, number)
                else:
                    summary = await _python_level(
                        request, server, database, clients=count, upserts=upserts, warmup=warmup
                    )
                if anatomy and side == "clients":
                    anatomies[str(count)] = _level_anatomy(server, logged, warmup)
                (levels if side == "clients" else others.setdefault(side, {}))[str(count)] = summary
                if raw and side == "clients":
                    raw_levels[str(count)] = await _raw_level(
                        falkordb_url, graph, level, clients=count, total=upserts, warmup=warmup, database=database
                    )
    result: dict[str, Any] = {
        "upserts": upserts,
        "generator": generator,
        "matching": matching,
        "clients": levels,
        "actions": dict(sorted(actions.items())),
        "scored": dict(scored),
    }
    if anatomies:
        result["anatomy"] = anatomies
    if workers > 1:
        result["workers"] = workers
    return result | _sides(levels, raw_levels, others) if raw else result | others


def _sides(
    levels: dict[str, dict[str, Any]], raw_levels: dict[str, dict[str, Any]], others: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    """The raw levels, and every side's levels with their ratios to the raw ones."""
    sides: dict[str, Any] = {
        "raw": raw_levels,
        "ratio": {k: ratio_to_raw(levels[k], raw_levels[k]) for k in raw_levels},
    }
    for side, side_levels in others.items():
        sides[side] = side_levels
        sides[side.replace("clients", "ratio")] = {k: ratio_to_raw(side_levels[k], raw_levels[k]) for k in side_levels}
    return sides


def _level_anatomy(server: BenchServer, offset: int, warmup: int) -> dict[str, Any]:
    """The slow-request lines the service logged since `offset` of its log, the warm-up's first ones left out."""
    with server.log_path.open("rb") as log:
        log.seek(offset)
        text = log.read().decode("utf-8", errors="replace")
    return summarize(read_requests(text.splitlines())[warmup:])


async def _python_level(
    request: HttpRequest, server: BenchServer, database: int | None, *, clients: int, upserts: int, warmup: int
) -> dict[str, Any]:
    """One level sent by the Python clients: its latencies, and the CPU each upsert cost the service and the
    database (process `database`), warm-up included."""
    meter = CpuMeter(service=server.pid, database=database)
    meter.start()
    summary = latency_summary(
        *await run_clients(request, base_url=server.base_url, clients=clients, total=upserts, warmup=warmup)
    )
    return summary | {"cpuMsPerRequest": meter.per_request(warmup + upserts)}


WRK_MAX_RATE = 150  # upserts per second one connection could reach: the bodies prepared per connection and second


def _wrk_level(base_url: str, level: _Level, clients: int, seconds: float, number: int) -> dict[str, Any]:
    """One level sent by wrk: the warm-up's records and the timed ones from two levels of their own (each
    record at most once, phone numbers in blocks of their own: `number` counts the run's levels), request i of
    either by connection i % clients, as run_clients sends them."""
    per_connection = int((seconds + WARMUP_SECONDS) * WRK_MAX_RATE)
    block = per_connection * clients
    timed = _Level(f"{level.run}-wrk", clients, 2 * number * block, level.phone_base, level.existing,
                   _more_picks(level, block))  # fmt: skip
    warm = _Level(f"{level.run}-wrk-warm", clients, (2 * number + 1) * block, level.phone_base, level.existing,
                  _more_picks(level, block, offset=1))  # fmt: skip

    def sequences(of: _Level) -> list[list[str]]:
        return [
            [
                json.dumps({"query": UPSERT, "variables": {"r": [of.record(i)]}})
                for i in range(k, len(of.picks), clients)
            ]
            for k in range(clients)
        ]

    # Each answer carries an action; a refused record or a GraphQL error carries a message.
    return run_wrk_sequences(
        base_url, sequences(warm), sequences(timed), seconds=seconds, expect='"action"', refuse='"message"'
    )


def _more_picks(level: _Level, count: int, offset: int = 0) -> list[int]:
    """`count` picks among the level's existing identifiers, drawn by a generator seeded with the level's run and
    `offset` (the warm-up's records and the timed ones draw apart)."""
    rng = random.Random(f"{level.run}-{offset}")
    return [rng.randrange(len(level.existing)) if level.existing else 0 for _ in range(count)]


def upsert_table(result: dict[str, Any]) -> str:
    lines = [
        f"single-record upserts over HTTP, {result['upserts']:,} per client count, beside the raw MERGE of the "
        "same records",
        LEVELS_HEADER,
    ]
    lines += level_rows(result, "clients", "clientsWorkers")
    lines += cpu_rows(result)
    for count, anatomy in result.get("anatomy", {}).items():
        lines.append(f"{count:>7} | where the time went ({anatomy['requests']:,} requests, the service's log):")
        lines += anatomy_rows(anatomy)
    if result["actions"]:  # not counted when wrk sent them
        lines.append("actions: " + ", ".join(f"{action} {n:,}" for action, n in result["actions"].items()))
    if result.get("matching", True) and result["actions"] and "scored" in result:
        work, timed = result["scored"], max(sum(result["actions"].values()), 1)
        lines.append(
            f"matching on: {work['pairsScored']:,} candidate pairs scored ({work['pairsScored'] / timed:.1f} per "
            f"upsert; {work['upsertsWithCandidates']:,} upserts had candidates), {work['matched']:,} matched, "
            f"{work['possible']:,} sent to review"
        )
    elif not result.get("matching", True):
        lines.append("matching off (GRAPHCDP_MATCHING=false)")
    return "\n".join(lines)


def cpu_rows(result: dict[str, Any]) -> list[str]:
    """CPU per upsert of the service and the database at each client count, beside the database's per raw MERGE
    (warm-up included; where /proc could tell)."""
    lines = []
    for count, ours in result["clients"].items():
        if not (spent := ours.get("cpuMsPerRequest")):
            continue
        line = f"{count:>7} | CPU per upsert: " + ", ".join(f"{name} {ms:.2f} ms" for name, ms in spent.items())
        raw = result.get("raw", {}).get(count, {}).get("cpuMsPerRequest", {})
        if (database := raw.get("database")) is not None:
            times = f" ({spent['database'] / database:.1f}x)" if database and "database" in spent else ""
            line += f"; raw MERGE: database {database:.2f} ms{times}"
        lines.append(line)
    return lines
