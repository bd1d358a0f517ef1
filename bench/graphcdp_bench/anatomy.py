"""Where a level's requests spent their time, read from the service's slow-request log (GRAPHCDP_SLOW_REQUEST_MS=0
logs every request with the statements it sent: graphcdp/api/slow_requests.py)."""

from __future__ import annotations

import re
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

_HEAD = re.compile(
    r"slow request: (?P<elapsed>[\d.]+) ms; (?P<count>\d+) statements, (?P<round_trip>[\d.]+) ms round trip"
    r"(?:, (?P<database>[\d.]+) ms in the database)?"
)
_STATEMENT = re.compile(
    r"(?P<name>[\w-]+/[\w-]+)(?: x(?P<times>\d+))? (?P<round_trip>[\d.]+)(?:/(?P<database>[\d.]+))? ms"
)

# The bands of a level's requests by wall time: (name, from, to) as fractions of the requests.
BANDS = (("fastest half", 0.0, 0.5), ("50 to 90 %", 0.5, 0.9), ("90 to 98 %", 0.9, 0.98), ("slowest 2 %", 0.98, 1.0))


@dataclass(frozen=True)
class SentStatement:
    name: str
    times: int
    round_trip_ms: float
    database_ms: float | None


@dataclass(frozen=True)
class LoggedRequest:
    elapsed_ms: float
    statements: int
    round_trip_ms: float
    database_ms: float
    sent: tuple[SentStatement, ...] = field(default=())


def parse_line(line: str) -> LoggedRequest | None:
    """A slow-request line of the service's log, or None for any other line."""
    head = _HEAD.search(line)
    if head is None:
        return None
    sent = tuple(
        SentStatement(
            m["name"],
            int(m["times"] or 1),
            float(m["round_trip"]),
            float(m["database"]) if m["database"] is not None else None,
        )
        for m in _STATEMENT.finditer(line, head.end())
    )
    return LoggedRequest(
        float(head["elapsed"]),
        int(head["count"]),
        float(head["round_trip"]),
        float(head["database"] or 0.0),
        sent,
    )


def read_requests(lines: Iterable[str]) -> list[LoggedRequest]:
    return [request for line in lines if (request := parse_line(line)) is not None]


def summarize(requests: Sequence[LoggedRequest]) -> dict[str, Any]:
    """Means per band of wall time, and per statement: calls per request and the p50 / p99 of one request's round
    trips and database time for it."""
    ordered = sorted(requests, key=lambda r: r.elapsed_ms)
    n = len(ordered)
    bands = []
    for name, start, end in BANDS:
        band = ordered[int(start * n) : int(end * n)]
        if band:
            bands.append(
                {
                    "band": name,
                    "requests": len(band),
                    "wallMs": round(statistics.fmean(r.elapsed_ms for r in band), 2),
                    "statements": round(statistics.fmean(r.statements for r in band), 2),
                    "roundTripMs": round(statistics.fmean(r.round_trip_ms for r in band), 2),
                    "databaseMs": round(statistics.fmean(r.database_ms for r in band), 2),
                }
            )
    by_name: dict[str, list[SentStatement]] = defaultdict(list)
    for request in ordered:
        for sent in request.sent:
            by_name[sent.name].append(sent)
    statements = [
        {
            "statement": name,
            "perRequest": round(sum(s.times for s in sent) / n, 2),
            "roundTripMs": _quantiles([s.round_trip_ms for s in sent]),
            "databaseMs": _quantiles([s.database_ms for s in sent if s.database_ms is not None]),
        }
        for name, sent in sorted(by_name.items(), key=lambda item: -sum(s.round_trip_ms for s in item[1]))
    ]
    return {"requests": n, "bands": bands, "statements": statements}


def _quantiles(values: list[float]) -> dict[str, float] | None:
    if not values:
        return None
    ordered = sorted(values)
    return {"p50": ordered[len(ordered) // 2], "p99": ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]}


def anatomy_rows(anatomy: dict[str, Any]) -> list[str]:
    """The summary as the benchmark prints it, one level."""
    rows = ["  requests by wall time | wall ms | statements | round trips ms | in the database ms"]
    rows += [
        f"  {b['band']:>21} | {b['wallMs']:7.2f} | {b['statements']:10.2f} | {b['roundTripMs']:14.2f} | "
        f"{b['databaseMs']:18.2f}"
        for b in anatomy["bands"]
    ]
    rows.append("  statement (per request: calls, round trip p50 / p99 ms, in the database p50 / p99 ms)")
    for s in anatomy["statements"]:
        trip, base = s["roundTripMs"], s["databaseMs"]
        inside = f"{base['p50']:.2f} / {base['p99']:.2f}" if base else "-"
        rows.append(f"  {s['statement']:>34}  {s['perRequest']:5.2f}  {trip['p50']:.2f} / {trip['p99']:.2f}  {inside}")
    return rows
