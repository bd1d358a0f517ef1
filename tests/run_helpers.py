"""Runs of graphcdp as a crash leaves them: recorded on the graph, their process gone."""

from __future__ import annotations

import subprocess
import sys
import uuid

from graphcdp.clock import now_ms
from graphcdp.lifecycle.runs import OPEN_RUN, ProcessIdentity
from graphcdp.store import GraphStore
from graphcdp.store.cypher import Query, StatementName

FORGET_MIGRATIONS = Query(StatementName("test/forget_migrations"), dict)
SERVICE_RUNS = Query(StatementName("test/service_runs"), dict)  # the runs recorded on the graph


def a_process(*, killed: bool) -> tuple[ProcessIdentity, subprocess.Popen[bytes]]:
    """A real process on this host, as a run records it; killed (and reaped) if asked, as a crash leaves it."""
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    identity = ProcessIdentity.of(child.pid)
    assert identity is not None
    if killed:
        child.kill()
        child.wait()
    return identity, child


async def record_run(
    store: GraphStore,
    process: ProcessIdentity,
    *,
    silent_ms: int = 0,
    unfinished: bool = False,
    run_id: str | None = None,
) -> str:
    """Record a run of `process` as its start would have (or its beat, given the `run_id`; `silent_ms` before
    now); its id."""
    run_id = run_id or uuid.uuid4().hex
    params = {
        "id": run_id,
        "host": process.host,
        "pid": process.pid,
        "process": process.process,
        "now": now_ms() - silent_ms,
        "unfinished": unfinished,
    }
    await store.run(OPEN_RUN, params)
    return run_id


async def forget_migrations(store: GraphStore, *names: str) -> None:
    """Make the graph look like one an older graphcdp wrote, before these migrations were recorded."""
    await store.run(FORGET_MIGRATIONS, {"names": list(names)})
