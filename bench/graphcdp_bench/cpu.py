"""CPU time the processes of a benchmark spend, read from /proc: what a request costs graphcdp's service and the
database. On a shared machine a request's latency moves with its neighbours' load; the CPU it costs moves much
less, so it tells two builds apart where latency cannot (docs/performance.md, "The slow statements inside an upsert,
explained"). The kernel counts it in ticks (10 ms at the usual 100 per second): measure hundreds of requests, not a
handful."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from falkordb.asyncio import FalkorDB

PROC = Path("/proc")


def _stat_fields(pid: int) -> list[str] | None:
    try:
        text = (PROC / str(pid) / "stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    # The command name may hold spaces and parentheses: the fields start after the last ")".
    return text.rsplit(")", 1)[1].split()


def _parent(pid: int) -> int | None:
    fields = _stat_fields(pid)
    return int(fields[1]) if fields else None


def cpu_seconds(pid: int, *, descendants: bool = True) -> float | None:
    """User and system CPU of process `pid` (all its threads) and, with `descendants`, of every live process under
    it (the workers of `serve --workers`); None when /proc does not have it (another machine or OS). Children that
    ended are not counted: FalkorDB forks a short-lived index collector whose CPU would land in whichever
    measurement reaped it."""
    if not PROC.is_dir() or _stat_fields(pid) is None:
        return None
    family = {pid}
    if descendants:
        pids = [int(entry.name) for entry in PROC.iterdir() if entry.name.isdigit()]
        changed = True
        while changed:  # a few rounds at most: the service, its workers
            changed = False
            for other in pids:
                if other not in family and _parent(other) in family:
                    family.add(other)
                    changed = True
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for member in family:
        if (fields := _stat_fields(member)) is not None:
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


async def database_pid(falkordb_url: str) -> int | None:
    """The database server's process id (`INFO server`), if it runs on this machine."""
    client = FalkorDB.from_url(falkordb_url)
    try:
        info = await client.connection.info("server")
    finally:
        await client.aclose()
    pid = int(info.get("process_id", 0))
    return pid if pid and _stat_fields(pid) is not None else None


@dataclass
class CpuMeter:
    """CPU spent between `start` and `per_request`, per request, in milliseconds: by the service's process with the
    live processes under it (`serve --workers`), and by the database's process alone. None: not measured."""

    service: int | None = None
    database: int | None = None
    _started: dict[str, float] | None = None

    def start(self) -> None:
        self._started = self._now()

    def per_request(self, requests: int) -> dict[str, float]:
        assert self._started is not None, "start() first"
        now = self._now()
        return {
            name: round((now[name] - before) * 1000 / max(requests, 1), 2)
            for name, before in self._started.items()
            if name in now
        }

    def _now(self) -> dict[str, float]:
        counted = {
            "service": None if self.service is None else cpu_seconds(self.service),
            "database": None if self.database is None else cpu_seconds(self.database, descendants=False),
        }
        return {name: seconds for name, seconds in counted.items() if seconds is not None}
